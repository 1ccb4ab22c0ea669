// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011), written for spikedesk.
// A Stream is keyed by (seed, purpose) and addressed by (id, sub): the numbers a neuron, a
// source or a generator-target pair gets do not depend on which thread or rank asks for them.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace sd {

// Purposes keep independent uses of the same seed apart.
enum Purpose : uint32_t {
  kNodeParam = 1,
  kConnect = 2,
  kWeight = 3,
  kDelay = 4,
  kPoisson = 5,
  kNoise = 6,
  kDynamics = 7,  // stochastic neuron dynamics, per (neuron, step)
  kDevice = 8,    // stochastic devices, per (device, target or device, step)
  kSynapse = 9,   // stochastic synapses, per (synapse, spike)
};

inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t(0xD2511F53u) * c[0];
    const uint64_t p1 = uint64_t(0xCD9E8D57u) * c[2];
    c = {uint32_t(p1 >> 32) ^ c[1] ^ k[0], uint32_t(p1), uint32_t(p0 >> 32) ^ c[3] ^ k[1],
         uint32_t(p0)};
    k[0] += 0x9E3779B9u;
    k[1] += 0xBB67AE85u;
  }
  return c;
}

class Stream {
 public:
  Stream(uint64_t seed, uint32_t purpose, uint64_t id, uint32_t sub = 0)
      : key_{uint32_t(seed), uint32_t(seed >> 32) ^ (purpose * 0x85EBCA6Bu)},
        id_(id),
        sub_(sub) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() {
    if (have_ == 0) refill();
    const uint64_t bits = have_ == 2 ? (uint64_t(block_[0]) << 32 | block_[1])
                                     : (uint64_t(block_[2]) << 32 | block_[3]);
    --have_;
    return double(bits >> 11) * 0x1.0p-53;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {  // Box-Muller; one value per two uniforms keeps the sequence simple
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double exponential(double beta) { return -beta * std::log(1.0 - uniform()); }
  // Uniform in [0, 1) with 32 random bits: four per Philox block, for Poisson counts where
  // 32 bits are plenty and the generator dominates the cost of background input.
  double uniform32() {
    if (have32_ == 0) {
      block_ = philox4x32({uint32_t(id_), uint32_t(id_ >> 32), sub_, counter_++}, key_);
      have32_ = 4;
    }
    return double(block_[--have32_]) * 0x1.0p-32;
  }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return uint64_t(uniform() * double(n)); }
  uint64_t poisson(double mu) { return poisson(mu, std::exp(-mu)); }
  // The same with exp(-mu) precomputed by a caller that draws many counts of one mean.
  uint64_t poisson(double mu, double exp_minus_mu);

 private:
  void refill() {
    block_ = philox4x32({uint32_t(id_), uint32_t(id_ >> 32), sub_, counter_++}, key_);
    have_ = 2;
  }
  std::array<uint32_t, 2> key_;
  uint64_t id_;
  uint32_t sub_;
  uint32_t counter_ = 0;
  std::array<uint32_t, 4> block_{};
  int have_ = 0;
  int have32_ = 0;
};

// One Philox block addressed like a Stream's counter-th block, for callers that share it
// between consecutive uses (four 32-bit numbers).
inline std::array<uint32_t, 4> philox_block(uint64_t seed, uint32_t purpose, uint64_t id,
                                            uint32_t sub, uint32_t counter) {
  return philox4x32({uint32_t(id), uint32_t(id >> 32), sub, counter},
                    {uint32_t(seed), uint32_t(seed >> 32) ^ (purpose * 0x85EBCA6Bu)});
}

// Poisson counts of a fixed small mean by inversion of a tabulated CDF: one 32-bit uniform
// per count and, on average, about mu + 1 comparisons.
struct PoissonTable {
  // cdf[k] = P(N <= k), up to 1 - 1e-15, padded with 2.0 (never reached) to a multiple of 8
  std::vector<double> cdf;
  explicit PoissonTable(double mu) {
    double p = std::exp(-mu), c = p;
    cdf.push_back(c);
    for (int k = 1; c < 1.0 - 1e-15 && k < 1000; ++k) {
      p *= mu / k;
      c += p;
      cdf.push_back(c);
    }
    cdf.resize((cdf.size() / 8 + 1) * 8, 2.0);
  }
  // The number of cdf entries <= u, eight at a time without branches (a data-dependent loop
  // exit would mispredict on most draws).
  uint64_t count(double u) const {
    uint64_t k = 0;
    for (size_t b = 0; b < cdf.size(); b += 8) {
      uint64_t c = 0;
      for (size_t j = 0; j < 8; ++j) c += u >= cdf[b + j];
      k += c;
      if (c < 8) break;
    }
    return k;
  }
};

// Poisson counts: inversion for small means, Hoermann's PTRS transformed rejection otherwise.
inline uint64_t Stream::poisson(double mu, double limit) {
  if (mu <= 0.0) return 0;
  if (mu < 10.0) {
    double prod = uniform32();
    uint64_t k = 0;
    while (prod > limit) {
      prod *= uniform32();
      ++k;
    }
    return k;
  }
  const double slam = std::sqrt(mu), loglam = std::log(mu);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
  while (true) {
    const double u = uniform() - 0.5, v = uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mu + 0.43);
    if (us >= 0.07 && v <= vr) return uint64_t(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mu + k * loglam - std::lgamma(k + 1.0))
      return uint64_t(k);
  }
}

// A random parameter as in the project file: distribution, arguments, optional bounds.
struct RandomSpec {
  enum Kind { kConstant, kUniform, kNormal, kLognormal, kExponential } kind = kConstant;
  double a = 0.0, b = 0.0;  // constant: a; uniform: min, max; (log)normal: mean, std; exp: beta
  double low = -INFINITY, high = INFINITY;
  bool redraw = false;

  double draw(Stream& s) const {
    if (kind == kConstant) return a;
    for (int attempt = 0; attempt < 1000; ++attempt) {
      double v = raw(s);
      if (v >= low && v <= high) return v;
      if (!redraw) return v < low ? low : high;
    }
    return raw(s) < low ? low : high;  // bounds nearly impossible to meet; validation warns
  }

 private:
  double raw(Stream& s) const {
    switch (kind) {
      case kUniform: return s.uniform(a, b);
      case kNormal: return a + b * s.normal();
      case kLognormal: return std::exp(a + b * s.normal());
      case kExponential: return s.exponential(a);
      default: return a;
    }
  }
};

}  // namespace sd
