// NEST's parameter algebra in the engine: one expression tree (built by Python from the
// parameter language, project_files/parameters) evaluated per neuron or per synapse/pair.
// Random leaves draw from the Stream the caller gives (keyed by seed, purpose, gid, ...:
// never by thread), in NEST's evaluation order, so values do not depend on threads or ranks.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "rng.h"

namespace sd {

// What an evaluation sees: a node's own position (node parameters) or the two positions of a
// candidate pair and the rule for their displacement (periodic boundaries of the source layer).
struct Where {
  const double* pos = nullptr;     // the node's position (node parameters)
  const double* source = nullptr;  // pair: source position
  const double* target = nullptr;  // pair: target position
  int dims = 0;
  const double* extent = nullptr;  // per dimension, for periodic boundaries
  bool periodic = false;
  // NEST's Layer::compute_displacement(from = source, to = target) along dimension d.
  double displacement(int d) const;
  double distance() const;
};

class Parameter {
 public:
  Parameter() : Parameter(0.0) {}
  Parameter(double constant);  // implicit: a plain number is a parameter
  Parameter(const RandomSpec& spec);  // today's random objects, bit-identical draws

  // Builds the tree bottom-up: each call adds one node whose children were added before and
  // returns its index; the last node added is the root. A bad op, wrong number of numbers or
  // children, or a bad number throws std::invalid_argument naming the function.
  int add(const std::string& op, const std::vector<double>& numbers,
          const std::vector<int>& children);
  static Parameter empty_tree() {
    Parameter p;
    p.nodes_.clear();
    return p;
  }

  bool is_constant() const { return nodes_.size() == 1 && nodes_[0].op == kConst; }
  double constant_value() const { return nodes_.back().x[0]; }
  bool random() const { return random_; }
  bool needs_pair() const { return pair_; }
  bool needs_position() const { return position_; }

  double value(Stream& s, const Where& w = {}) const {
    // today's random objects (a draw, perhaps clipped) without the general recursion
    const Node& root = nodes_.back();
    switch (root.op) {
      case kConst: return root.x[0];
      case kUniform: return s.uniform(root.x[0], root.x[1]);
      case kNormal: return root.x[0] + root.x[1] * s.normal();
      case kMin:
      case kMax: {
        const Node& inner = nodes_[size_t(root.child[0])];
        if (is_leaf_draw(inner))
          return root.op == kMin ? std::min(leaf_draw(inner, s), root.x[0])
                                 : std::max(leaf_draw(inner, s), root.x[0]);
        if (inner.op == kMax && root.op == kMin && is_leaf_draw(nodes_[size_t(inner.child[0])]))
          return std::min(std::max(leaf_draw(nodes_[size_t(inner.child[0])], s), inner.x[0]),
                          root.x[0]);
        break;
      }
      default: break;
    }
    return eval(int(nodes_.size()) - 1, s, w);
  }

 private:
  enum Op : uint8_t {
    kConst, kUniform, kUniformInt, kNormal, kLognormal, kExponential,
    kAdd, kSub, kMul, kDiv, kPow, kCmp, kCond, kMin, kMax, kRedraw, kExp, kSin, kCos,
    kPos, kDistance, kExpDist, kGaussian, kGaussian2D, kGamma, kGabor,
  };
  struct Node {
    Op op = kConst;
    uint8_t n = 0;  // children
    int child[3] = {-1, -1, -1};
    double x[7] = {0, 0, 0, 0, 0, 0, 0};  // numbers (and precomputed constants)
  };
  double eval(int i, Stream& s, const Where& w) const;
  static bool is_leaf_draw(const Node& n) {
    return n.op == kUniform || n.op == kNormal || n.op == kLognormal || n.op == kExponential;
  }
  static double leaf_draw(const Node& n, Stream& s) {
    switch (n.op) {
      case kUniform: return s.uniform(n.x[0], n.x[1]);
      case kNormal: return n.x[0] + n.x[1] * s.normal();
      case kLognormal: return std::exp(n.x[0] + n.x[1] * s.normal());
      default: return s.exponential(n.x[0]);
    }
  }
  std::vector<Node> nodes_;
  bool random_ = false, pair_ = false, position_ = false;
};

}  // namespace sd
