// The parameter expression tree: construction checks and evaluation (NEST's Parameter
// classes, nestkernel/parameter.h, restated as one switch over a flat node array).
#include "parameter.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace sd {

double Where::displacement(int d) const {
  double x = target[d] - source[d];
  if (periodic && extent != nullptr) x -= extent[d] * std::round(x * (1.0 / extent[d]));
  return x;
}

double Where::distance() const {
  double sum = 0.0;
  for (int d = 0; d < dims; ++d) {
    const double x = displacement(d);
    sum += x * x;
  }
  return std::sqrt(sum);
}

Parameter::Parameter(double constant) {
  Node n;
  n.op = kConst;
  n.x[0] = constant;
  nodes_.push_back(n);
}

Parameter::Parameter(const RandomSpec& spec) : Parameter(spec.a) {
  if (spec.kind == RandomSpec::kConstant) return;
  nodes_.clear();
  static const char* names[] = {"const", "uniform", "normal", "lognormal", "exponential"};
  int x = spec.kind == RandomSpec::kExponential ? add(names[spec.kind], {spec.a}, {})
                                                : add(names[spec.kind], {spec.a, spec.b}, {});
  const bool low = std::isfinite(spec.low), high = std::isfinite(spec.high);
  if (!low && !high) return;
  if (spec.redraw) {
    add("redraw", {spec.low, spec.high}, {x});
    return;
  }
  if (low) x = add("max", {spec.low}, {x});
  if (high) add("min", {spec.high}, {x});
}

namespace {
struct OpInfo {
  int op, numbers, children;
};
const std::map<std::string, OpInfo>& ops() {
  // op -> (enum value, numbers, children); the enum order of parameter.h
  static const std::map<std::string, OpInfo> table = {
      {"const", {0, 1, 0}},     {"uniform", {1, 2, 0}},   {"uniform_int", {2, 1, 0}},
      {"normal", {3, 2, 0}},    {"lognormal", {4, 2, 0}}, {"exponential", {5, 1, 0}},
      {"add", {6, 0, 2}},       {"sub", {7, 0, 2}},       {"mul", {8, 0, 2}},
      {"div", {9, 0, 2}},       {"pow", {10, 1, 1}},      {"cmp", {11, 1, 2}},
      {"cond", {12, 0, 3}},     {"min", {13, 1, 1}},      {"max", {14, 1, 1}},
      {"redraw", {15, 2, 1}},   {"exp", {16, 0, 1}},      {"sin", {17, 0, 1}},
      {"cos", {18, 0, 1}},      {"pos", {19, 2, 0}},      {"distance", {20, 1, 0}},
      {"exp_dist", {21, 1, 1}}, {"gaussian", {22, 2, 1}}, {"gaussian2d", {23, 5, 2}},
      {"gamma", {24, 2, 1}},    {"gabor", {25, 5, 2}},
  };
  return table;
}
}  // namespace

int Parameter::add(const std::string& op, const std::vector<double>& numbers,
                   const std::vector<int>& children) {
  auto it = ops().find(op);
  if (it == ops().end()) throw std::invalid_argument("unknown parameter function " + op);
  const OpInfo info = it->second;
  if (int(numbers.size()) != info.numbers || int(children.size()) != info.children)
    throw std::invalid_argument(op + ": takes " + std::to_string(info.numbers) + " numbers and " +
                                std::to_string(info.children) + " parameters");
  for (int c : children)
    if (c < 0 || c >= int(nodes_.size()))
      throw std::invalid_argument(op + ": a parameter argument is missing");
  for (double v : numbers)
    if (std::isnan(v)) throw std::invalid_argument(op + ": an argument is not a number");
  Node n;
  n.op = Op(info.op);
  n.n = uint8_t(children.size());
  for (size_t i = 0; i < children.size(); ++i) n.child[i] = children[i];
  for (size_t i = 0; i < numbers.size(); ++i) n.x[i] = numbers[i];
  auto bad = [&](const char* why) { throw std::invalid_argument(op + ": " + why); };
  switch (n.op) {
    case kUniform:
      if (!(n.x[0] <= n.x[1])) bad("min must be <= max");
      random_ = true;
      break;
    case kUniformInt:
      if (!(n.x[0] >= 1.0) || n.x[0] != std::floor(n.x[0])) bad("max must be a whole number >= 1");
      random_ = true;
      break;
    case kNormal:
    case kLognormal:
      if (!(n.x[1] >= 0.0)) bad("std must be >= 0");
      random_ = true;
      break;
    case kExponential:
      if (!(n.x[0] > 0.0)) bad("beta must be > 0");
      random_ = true;
      break;
    case kCmp:
      if (n.x[0] < 0 || n.x[0] > 5 || n.x[0] != std::floor(n.x[0])) bad("comparator must be 0..5");
      break;
    case kRedraw:
      if (!(n.x[0] <= n.x[1])) bad("min must be <= max");
      break;
    case kPos:
      if (n.x[0] < 0 || n.x[0] > 2 || n.x[1] < 0 || n.x[1] > 2) bad("dimension 0..2, endpoint 0..2");
      if (n.x[1] == 0) position_ = true;
      else pair_ = true;
      break;
    case kDistance:
      if (n.x[0] < 0 || n.x[0] > 3) bad("dimension must be 0..3");
      pair_ = true;
      break;
    case kExpDist:
      if (!(n.x[0] > 0)) bad("beta must be > 0");
      n.x[1] = 1.0 / n.x[0];  // inv_beta
      break;
    case kGaussian:
      if (!(n.x[1] > 0)) bad("std must be > 0");
      n.x[2] = 1.0 / (2 * n.x[1] * n.x[1]);  // inv_two_std2
      break;
    case kGaussian2D: {
      const double mx = n.x[0], my = n.x[1], sx = n.x[2], sy = n.x[3], rho = n.x[4];
      if (!(sx > 0) || !(sy > 0)) bad("std_x and std_y must be > 0");
      if (!(rho > -1 && rho < 1)) bad("rho must be in (-1, 1)");
      n.x[0] = mx;
      n.x[1] = my;
      n.x[2] = 1. / (2. * (1. - rho * rho) * sx * sx);  // x_term_const
      n.x[3] = 1. / (2. * (1. - rho * rho) * sy * sy);  // y_term_const
      n.x[4] = rho / ((1. - rho * rho) * sx * sy);       // xy_term_const
      break;
    }
    case kGamma: {
      const double kappa = n.x[0], theta = n.x[1];
      if (!(kappa > 0) || !(theta > 0)) bad("kappa and theta must be > 0");
      n.x[1] = 1.0 / theta;                                      // inv_theta
      n.x[2] = std::pow(n.x[1], kappa) / std::tgamma(kappa);     // delta
      break;
    }
    case kGabor: {
      const double theta = n.x[0], gamma = n.x[1], std = n.x[2], lam = n.x[3], psi = n.x[4];
      if (!(gamma > 0) || !(std > 0)) bad("gamma and std must be > 0");
      n.x[0] = std::cos(theta * M_PI / 180.);
      n.x[1] = std::sin(theta * M_PI / 180.);
      n.x[2] = gamma;
      n.x[3] = 1.0 / (2 * std * std);
      n.x[4] = lam;
      n.x[5] = psi;
      break;
    }
    default:
      break;
  }
  nodes_.push_back(n);
  return int(nodes_.size()) - 1;
}

double Parameter::eval(int i, Stream& s, const Where& w) const {
  const Node& n = nodes_[size_t(i)];
  auto child = [&](int k) { return eval(n.child[k], s, w); };
  switch (n.op) {
    case kConst: return n.x[0];
    case kUniform: return s.uniform(n.x[0], n.x[1]);
    case kUniformInt: return double(s.below(uint64_t(n.x[0])));
    case kNormal: return n.x[0] + n.x[1] * s.normal();
    case kLognormal: return std::exp(n.x[0] + n.x[1] * s.normal());
    case kExponential: return s.exponential(n.x[0]);
    case kAdd: { const double a = child(0); return a + child(1); }
    case kSub: { const double a = child(0); return a - child(1); }
    case kMul: { const double a = child(0); return a * child(1); }
    case kDiv: { const double a = child(0); return a / child(1); }
    case kPow: return std::pow(child(0), n.x[0]);
    case kCmp: {
      const double a = child(0), b = child(1);
      switch (int(n.x[0])) {
        case 0: return a < b;
        case 1: return a <= b;
        case 2: return a == b;
        case 3: return a != b;
        case 4: return a >= b;
        default: return a > b;
      }
    }
    case kCond: return child(0) != 0.0 ? child(1) : child(2);
    case kMin: return std::min(child(0), n.x[0]);
    case kMax: return std::max(child(0), n.x[0]);
    case kRedraw:
      for (int attempt = 0; attempt < 1000; ++attempt) {
        const double v = child(0);
        if (v >= n.x[0] && v <= n.x[1]) return v;
      }
      throw std::invalid_argument("math.redraw: no value in [" + std::to_string(n.x[0]) + ", " +
                                  std::to_string(n.x[1]) + "] in 1000 draws");
    case kExp: return std::exp(child(0));
    case kSin: return std::sin(child(0));
    case kCos: return std::cos(child(0));
    case kPos: {
      const int d = int(n.x[0]), end = int(n.x[1]);
      const double* p = end == 0 ? w.pos : end == 1 ? w.source : w.target;
      if (p == nullptr)
        throw std::invalid_argument(end == 0 ? "spatial.pos needs a spatial node"
                                             : "spatial.source_pos/target_pos need spatial nodes");
      if (d >= w.dims) throw std::invalid_argument("position dimension beyond the layer's");
      return p[d];
    }
    case kDistance: {
      if (w.source == nullptr || w.target == nullptr)
        throw std::invalid_argument("spatial.distance needs spatial nodes");
      const int d = int(n.x[0]);
      if (d == 0) return w.distance();
      if (d > w.dims) throw std::invalid_argument("distance dimension beyond the layer's");
      return std::abs(w.displacement(d - 1));
    }
    case kExpDist: return std::exp(-child(0) * n.x[1]);
    case kGaussian: {
      const double dx = child(0) - n.x[0];
      return std::exp(-dx * dx * n.x[2]);
    }
    case kGaussian2D: {
      const double dx = child(0) - n.x[0];
      const double dy = child(1) - n.x[1];
      return std::exp(-dx * dx * n.x[2] - dy * dy * n.x[3] + dx * dy * n.x[4]);
    }
    case kGamma: {
      const double x = child(0);
      return std::pow(x, n.x[0] - 1.) * std::exp(-1. * n.x[1] * x) * n.x[2];
    }
    case kGabor: {
      const double dx = child(0), dy = child(1);
      const double xp = dx * n.x[0] + dy * n.x[1];
      const double yp = -dx * n.x[1] + dy * n.x[0];
      const double g = std::exp(-n.x[2] * n.x[2] * xp * xp * n.x[3] - yp * yp * n.x[3]);
      return g * std::max(std::cos(2 * M_PI * yp / n.x[4] + n.x[5] * M_PI / 180.), 0.);
    }
  }
  return 0.0;
}

}  // namespace sd
