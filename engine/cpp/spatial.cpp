// NEST's masks (nestkernel/mask.h, mask.cpp), restated: the same membership tests, the
// same rotations (angles in degrees, boxes about their centre), the same epsilon.
#include "spatial.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sd {

namespace {
constexpr double kPi = 3.14159265358979323846;

double need(const std::map<std::string, double>& m, const std::string& kind,
            const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) throw std::invalid_argument("mask: a " + kind + " mask needs " + key);
  return it->second;
}
double get(const std::map<std::string, double>& m, const std::string& key, double fallback) {
  auto it = m.find(key);
  return it == m.end() ? fallback : it->second;
}
}  // namespace

Mask::Mask(const std::string& kind, const std::map<std::string, double>& n,
           const std::vector<double>& anchor) {
  auto bad = [&](const std::string& why) { throw std::invalid_argument("mask: " + kind + ": " + why); };
  if (kind == "circular" || kind == "spherical") {
    kind_ = kBall;
    dims_ = kind == "circular" ? 2 : 3;
    r_ = need(n, kind, "radius");
    if (!(r_ > 0)) bad("radius > 0 required");
    for (int d = 0; d < dims_; ++d) lo_[d] = -r_, hi_[d] = r_;
  } else if (kind == "doughnut") {
    kind_ = kDoughnut;
    dims_ = 2;
    r_ = need(n, kind, "outer_radius");
    r_inner_ = need(n, kind, "inner_radius");
    if (!(r_inner_ >= 0 && r_inner_ < r_)) bad("0 <= inner_radius < outer_radius required");
    for (int d = 0; d < dims_; ++d) lo_[d] = -r_, hi_[d] = r_;
  } else if (kind == "rectangular" || kind == "box") {
    kind_ = kBox;
    dims_ = kind == "rectangular" ? 2 : 3;
    for (int d = 0; d < dims_; ++d) {
      ll_[d] = need(n, kind, "lower_left_" + std::to_string(d));
      ur_[d] = need(n, kind, "upper_right_" + std::to_string(d));
      if (!(ll_[d] < ur_[d])) bad("upper_right must be strictly above and right of lower_left");
      c_[d] = 0.5 * (ll_[d] + ur_[d]);
    }
  } else if (kind == "elliptical" || kind == "ellipsoidal") {
    kind_ = kEllipse;
    dims_ = kind == "elliptical" ? 2 : 3;
    const double major = need(n, kind, "major_axis"), minor = need(n, kind, "minor_axis");
    const double polar = dims_ == 3 ? need(n, kind, "polar_axis") : 1.0;
    if (!(major > 0 && minor > 0 && polar > 0)) bad("all axes > 0 required");
    if (major < minor) bad("major_axis >= minor_axis required");
    scale_[0] = 4.0 / (major * major);
    scale_[1] = 4.0 / (minor * minor);
    scale_[2] = 4.0 / (polar * polar);
    const double r = 0.5 * std::max(major, polar);
    for (int d = 0; d < dims_; ++d) lo_[d] = -r, hi_[d] = r;
  } else {
    throw std::invalid_argument("mask: unknown mask " + kind);
  }
  const double az = get(n, "azimuth_angle", 0.0), pol = get(n, "polar_angle", 0.0);
  if ((az != 0.0 || pol != 0.0) && (kind_ == kBall || kind_ == kDoughnut))
    bad("takes no angles");
  if (pol != 0.0 && dims_ == 2) bad("polar_angle is not defined in 2D");
  az_cos_ = std::cos(az * kPi / 180.0);
  az_sin_ = std::sin(az * kPi / 180.0);
  pol_cos_ = std::cos(pol * kPi / 180.0);
  pol_sin_ = std::sin(pol * kPi / 180.0);
  rotated_ = az != 0.0 || pol != 0.0;
  if (kind_ == kBox) {
    if (!rotated_) {
      for (int d = 0; d < dims_; ++d) lo_[d] = ll_[d], hi_[d] = ur_[d];
    } else {
      // the box's corners turned back (the inverse of the rotation inside() applies)
      for (int d = 0; d < dims_; ++d) lo_[d] = INFINITY, hi_[d] = -INFINITY;
      for (int k = 0; k < (1 << dims_); ++k) {
        double q[3] = {0, 0, 0};
        for (int d = 0; d < dims_; ++d) q[d] = ((k >> d) & 1 ? ur_[d] : ll_[d]) - c_[d];
        // inside(): u = Z q (azimuth), then the polar turn P; here q = Z^T P^T u
        const double px = q[0] * pol_cos_ + q[2] * pol_sin_, pz = -q[0] * pol_sin_ + q[2] * pol_cos_;
        const double x = px * az_cos_ - q[1] * az_sin_, y = px * az_sin_ + q[1] * az_cos_;
        const double out[3] = {x + c_[0], y + c_[1], pz + c_[2]};
        for (int d = 0; d < dims_; ++d) lo_[d] = std::min(lo_[d], out[d]), hi_[d] = std::max(hi_[d], out[d]);
      }
    }
  }
  if (!anchor.empty() && int(anchor.size()) != dims_)
    throw std::invalid_argument("mask: the anchor needs " + std::to_string(dims_) + " numbers");
  for (size_t d = 0; d < anchor.size(); ++d) anchor_[d] = anchor[d];
}

bool Mask::ball(const double* p, double r) const {
  // NEST's BallMask::inside: per axis, then the inscribed diamond, then the distance
  double sum = 0.0;
  for (int d = 0; d < dims_; ++d) {
    const double a = std::abs(p[d]);
    if (a > r) return false;
    sum += a;
  }
  if (sum <= r) return true;
  double sq = 0.0;
  for (int d = 0; d < dims_; ++d) sq += p[d] * p[d];
  return std::sqrt(sq) <= r;
}

bool Mask::inside(const double* p) const {
  switch (kind_) {
    case kBall: return ball(p, r_);
    case kDoughnut: return ball(p, r_) && !ball(p, r_inner_);
    case kBox: {
      if (!rotated_) {
        for (int d = 0; d < dims_; ++d)
          if (p[d] < ll_[d] || p[d] > ur_[d]) return false;
        return true;
      }
      const double dx = p[0] - c_[0], dy = p[1] - c_[1], dz = dims_ == 3 ? p[2] - c_[2] : 0.0;
      const double u = dx * az_cos_ + dy * az_sin_, v = -dx * az_sin_ + dy * az_cos_;
      const double q[3] = {u * pol_cos_ - dz * pol_sin_ + c_[0], v + c_[1],
                           u * pol_sin_ + dz * pol_cos_ + c_[2]};
      constexpr double eps = 1e-12;
      for (int d = 0; d < dims_; ++d)
        if (q[d] < ll_[d] - eps || q[d] > ur_[d] + eps) return false;
      return true;
    }
    case kEllipse: {
      const double dz = dims_ == 3 ? p[2] : 0.0;
      const double u = p[0] * az_cos_ + p[1] * az_sin_, v = p[0] * az_sin_ - p[1] * az_cos_;
      const double x = dims_ == 3 ? u * pol_cos_ - dz * pol_sin_ : u;
      const double z = u * pol_sin_ + dz * pol_cos_;
      double s = x * x * scale_[0] + v * v * scale_[1];
      if (dims_ == 3) s += z * z * scale_[2];
      return s <= 1.0;
    }
    default: return true;
  }
}

bool Mask::contains(double* d, const Layer& layer) const {
  for (int k = 0; k < dims_; ++k) {
    d[k] -= anchor_[k];
    if (layer.periodic) {
      const double e = layer.extent[k];
      d[k] -= e * std::floor((d[k] - lo_[k]) / e);
    }
  }
  return inside(d);
}

void Mask::check_fits(const Layer& layer) const {
  if (!layer.periodic) return;
  for (int d = 0; d < dims_; ++d)
    if (hi_[d] - lo_[d] > layer.extent[d])
      throw std::invalid_argument(
          "mask: the mask is wider than the layer (" + std::to_string(hi_[d] - lo_[d]) + " > " +
          std::to_string(layer.extent[d]) + " along dimension " + std::to_string(d) +
          ") with edge_wrap; NEST refuses such a mask too");
}

CellIndex::CellIndex(const Layer& layer, const std::vector<uint64_t>& candidates,
                     const double* lo, const double* hi)
    : dims_(layer.dims), periodic_(layer.periodic) {
  double top[3] = {0, 0, 0};
  for (int d = 0; d < dims_; ++d) {
    lo_[d] = lo[d];
    hi_[d] = hi[d];
    origin_[d] = INFINITY;
    top[d] = -INFINITY;
    for (uint64_t k : candidates) {
      origin_[d] = std::min(origin_[d], layer.at(k)[d]);
      top[d] = std::max(top[d], layer.at(k)[d]);
    }
    // cells about half the mask's width (a few per mask), at most 1024 along an axis;
    // a periodic layer's cells tile its extent exactly
    // (one candidate, or all on a line: one cell as wide as the mask)
    const double spread = top[d] - origin_[d];
    const double span = periodic_ ? layer.extent[d]
                                  : spread > 1e-9 * (hi[d] - lo[d]) ? spread : hi[d] - lo[d];
    const double want = std::max(0.5 * (hi[d] - lo[d]), span / 1024.0);
    n_[d] = int(std::max(1.0, std::floor(span / want)));
    width_[d] = span / n_[d];
    if (!periodic_) width_[d] *= 1.0 + 1e-9;  // the top point falls into the last cell
  }
  size_t cells = size_t(n_[0]) * size_t(n_[1]) * size_t(n_[2]);
  std::vector<uint32_t> cell_of(candidates.size());
  start_.assign(cells + 1, 0);
  for (size_t k = 0; k < candidates.size(); ++k) {
    size_t c = 0;
    for (int d = 0; d < 3; ++d) {
      long i = 0;
      if (d < dims_) {
        i = long(std::floor((layer.at(candidates[k])[d] - origin_[d]) / width_[d]));
        i = std::clamp<long>(i, 0, n_[d] - 1);
      }
      c = c * size_t(n_[d]) + size_t(i);
    }
    cell_of[k] = uint32_t(c);
    ++start_[c + 1];
  }
  for (size_t c = 0; c < cells; ++c) start_[c + 1] += start_[c];
  items_.resize(candidates.size());
  std::vector<uint32_t> fill(start_.begin(), start_.end() - 1);
  for (size_t k = 0; k < candidates.size(); ++k) items_[fill[cell_of[k]]++] = uint32_t(k);
}

}  // namespace sd
