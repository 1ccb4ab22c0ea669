// Draws the stochastic generators need beyond rng.h: binomial counts and gamma variates, from
// a counter-based Stream (so a draw depends only on its key, never on threads or ranks).
#pragma once
#include <cmath>
#include <cstdint>

#include "../rng.h"

namespace sd {

// Binomial(n, p): by inversion of the CDF (cost ~ n p), from the smaller tail.
inline uint64_t binomial(Stream& s, uint64_t n, double p) {
  if (n == 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  if (p > 0.5) return n - binomial(s, n, 1.0 - p);
  const double q = 1.0 - p, ratio = p / q;
  double pmf = std::pow(q, double(n));
  if (pmf < 1e-300) {  // n p large: the normal approximation, rounded and clipped
    const double x = std::round(double(n) * p + std::sqrt(double(n) * p * q) * s.normal());
    return uint64_t(std::min(double(n), std::max(0.0, x)));
  }
  double u = s.uniform(), cdf = pmf;
  uint64_t k = 0;
  while (u > cdf && k < n) {
    pmf *= ratio * double(n - k) / double(k + 1);
    ++k;
    cdf += pmf;
  }
  return k;
}

// Gamma(shape, scale 1) by Marsaglia and Tsang (shape < 1 through the boost u^(1/shape)).
inline double gamma_variate(Stream& s, double shape) {
  if (shape < 1.0) return gamma_variate(s, shape + 1.0) * std::pow(s.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = s.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = s.uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace sd
