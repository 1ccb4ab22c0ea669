// Spatial nodes: the positions of a node's neurons (NEST's layers) and NEST's masks, which
// select the candidates of a spatial connection around each driver neuron.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "parameter.h"

namespace sd {

// A node's neurons placed in 2D or 3D (dims 0: not spatial). Periodic boundaries (NEST's
// edge_wrap) identify opposite faces of the box lower_left + [0, extent).
struct Layer {
  int dims = 0;
  std::vector<double> pos;  // neuron i at pos[i * dims + d]
  double extent[3] = {0, 0, 0};
  bool periodic = false;
  const double* at(size_t i) const { return pos.data() + i * size_t(dims); }
};

// One of NEST's masks (nestkernel/mask.h): circular/spherical (ball), rectangular/box,
// elliptical/ellipsoidal and doughnut, with an anchor. Points are displacements from the
// driver neuron: inside(p) tests p - anchor as NEST's AnchoredMask does.
class Mask {
 public:
  Mask() = default;
  // kind: NEST's mask name; numbers: its keys (lower_left/upper_right: "lower_left_0"...).
  // Throws std::invalid_argument naming a bad key.
  Mask(const std::string& kind, const std::map<std::string, double>& numbers,
       const std::vector<double>& anchor);
  bool active() const { return kind_ != kNone; }
  int dims() const { return dims_; }
  bool inside(const double* p) const;
  // The axis-aligned box that holds the mask, in displacements from the driver (anchor
  // included); mirrored: the box of the displacements' negatives.
  void box(double* lo, double* hi, bool mirrored = false) const {
    for (int d = 0; d < dims_; ++d) {
      lo[d] = mirrored ? -(hi_[d] + anchor_[d]) : lo_[d] + anchor_[d];
      hi[d] = mirrored ? -(lo_[d] + anchor_[d]) : hi_[d] + anchor_[d];
    }
  }
  // The displacement `d` (target/source minus driver) moved by whole periods of `layer`
  // onto the one image that may lie in the mask's box (the box is at most one period wide;
  // check_fits() ensures it), then tested.
  bool contains(double* d, const Layer& layer) const;
  // NEST refuses a mask wider than a periodic layer (its images would overlap).
  void check_fits(const Layer& layer) const;

 private:
  enum Kind { kNone, kBall, kDoughnut, kBox, kEllipse };
  bool ball(const double* p, double r) const;
  Kind kind_ = kNone;
  int dims_ = 0;
  double anchor_[3] = {0, 0, 0};
  double r_ = 0, r_inner_ = 0;
  double ll_[3] = {0, 0, 0}, ur_[3] = {0, 0, 0}, c_[3] = {0, 0, 0};  // box
  double scale_[3] = {0, 0, 0};                                        // ellipse: 4 / axis^2
  bool rotated_ = false;
  double az_cos_ = 1, az_sin_ = 0, pol_cos_ = 1, pol_sin_ = 0;
  double lo_[3] = {0, 0, 0}, hi_[3] = {0, 0, 0};
};

// The candidates of a spatial rule binned into cells about the size of the mask, so that a
// driver visits only the cells its mask's box overlaps (NEST uses a quadtree for this).
// visit() lists candidates cell by cell, each cell in the candidates' order: a fixed order
// for a given driver, whatever the threads.
class CellIndex {
 public:
  // candidates: indices into `layer` (neuron numbers in the node); the box [lo, hi] holds
  // the mask in displacement coordinates (mask.lower()/upper()).
  CellIndex(const Layer& layer, const std::vector<uint64_t>& candidates, const double* lo,
            const double* hi);
  // Calls f(k) for every candidate k (an index into `candidates`) in a cell the box
  // centre + [lo, hi] overlaps; periodic layers visit each candidate at most once.
  template <class F>
  void visit(const double* centre, F&& f) const {
    int first[3] = {0, 0, 0}, count[3] = {1, 1, 1};
    for (int d = 0; d < dims_; ++d) {
      // (clamped before the conversion: a driver far outside the candidates' box)
      constexpr double kFar = double(1 << 30);
      const long a = long(std::clamp(std::floor((centre[d] + lo_[d] - origin_[d]) / width_[d]), -kFar, kFar));
      const long b = long(std::clamp(std::floor((centre[d] + hi_[d] - origin_[d]) / width_[d]), -kFar, kFar));
      if (periodic_) {
        first[d] = int(a);
        count[d] = int(std::min<long>(b - a + 1, n_[d]));
      } else {
        const long lo = std::max<long>(a, 0), hi = std::min<long>(b, n_[d] - 1);
        if (hi < lo) return;
        first[d] = int(lo);
        count[d] = int(hi - lo + 1);
      }
    }
    auto wrap = [&](int i, int d) { return ((i % n_[d]) + n_[d]) % n_[d]; };
    for (int i = 0; i < count[0]; ++i) {
      const int x = wrap(first[0] + i, 0);
      for (int j = 0; j < count[1]; ++j) {
        const int y = wrap(first[1] + j, 1);
        for (int q = 0; q < count[2]; ++q) {
          const int z = dims_ == 3 ? wrap(first[2] + q, 2) : 0;
          const size_t cell = (size_t(x) * size_t(n_[1]) + size_t(y)) * size_t(n_[2]) + size_t(z);
          for (uint32_t e = start_[cell]; e < start_[cell + 1]; ++e) f(items_[e]);
        }
      }
    }
  }

 private:
  int dims_;
  bool periodic_;
  double origin_[3] = {0, 0, 0}, width_[3] = {1, 1, 1}, lo_[3] = {0, 0, 0}, hi_[3] = {0, 0, 0};
  int n_[3] = {1, 1, 1};
  std::vector<uint32_t> start_, items_;
};

}  // namespace sd
