// Spatial nodes: the positions of a node's neurons (NEST's layers) and NEST's masks, which
// select the candidates of a spatial connection around each driver neuron.
#pragma once
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
  // The axis-aligned box that holds the mask (around the driver, anchor included).
  const double* lower() const { return lo_; }
  const double* upper() const { return hi_; }
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

}  // namespace sd
