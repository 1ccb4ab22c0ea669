// Shared parts of the precise-spike-timing models (NEST's *_ps family; Morrison et al. 2007,
// Hanuschkin et al. 2010): spikes arrive as events with offsets within the step (ctx.events),
// the membrane is integrated exactly from event to event, a threshold crossing is located
// within the step and the spike is emitted with its offset (ms before the end of the step).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "../model.h"

namespace sd {

// The membrane propagators of a current-based synapse for any interval h, with the numerical
// criterion NEST's precise models use (libnestutil's IAFPropagator): P32 falls back to its
// tau_m == tau_syn limit when the regular form is not a normal positive number, P31 when h is
// below h_min_regular (close time constants lose precision in the regular form).
class PsPropagator {
 public:
  PsPropagator() = default;
  PsPropagator(double tau_syn, double tau_m, double c_m)
      : h_min_regular_(1e-7 * tau_m * tau_m / std::fabs(tau_m - tau_syn)),
        beta_(tau_syn * tau_m / (tau_m - tau_syn)),
        gamma_(beta_ / c_m),
        inv_tau_syn_(1.0 / tau_syn),
        inv_tau_m_(1.0 / tau_m),
        inv_c_m_(1.0 / c_m),
        inv_beta_((tau_m - tau_syn) / (tau_syn * tau_m)) {}

  // Membrane response to an exponential current of amplitude 1 over h.
  double p32(double h) const {
    double exp_m;
    return p32(h, exp_m);
  }
  // (P31, P32) of an alpha-shaped current: response to its derivative and to its value.
  std::pair<double, double> alpha(double h) const {
    double exp_m = std::numeric_limits<double>::quiet_NaN();
    const double p32v = p32(h, exp_m);
    if (h > h_min_regular_) {
      const double exp_syn = std::exp(-h * inv_tau_syn_);
      return {gamma_ * exp_syn * (beta_ * std::expm1(h * inv_beta_) - h), p32v};
    }
    if (std::isnan(exp_m)) exp_m = std::exp(-h * inv_tau_m_);
    return {0.5 * h * h * inv_c_m_ * exp_m, p32v};
  }

 private:
  // exp_m is set to exp(-h / tau_m) when the singular form was used
  double p32(double h, double& exp_m) const {
    const double regular = gamma_ * std::exp(-h * inv_tau_syn_) * std::expm1(h * inv_beta_);
    if (std::isnormal(regular) && regular > 0.0) return regular;
    exp_m = std::exp(-h * inv_tau_m_);
    return h * inv_c_m_ * exp_m;
  }
  double h_min_regular_ = 0, beta_ = 0, gamma_ = 0, inv_tau_syn_ = 0, inv_tau_m_ = 0,
         inv_c_m_ = 0, inv_beta_ = 0;
};

// The time in [0, dt] at which distance(t) (threshold distance after t ms) crosses zero, by
// the Illinois variant of regula falsi (NEST's regula_falsi: tolerance 1e-14, 500 iterations).
template <class Distance>
double regula_falsi(const Distance& distance, double dt) {
  double a = 0.0, b = dt;
  double fa = distance(a), fb = distance(b);
  if (fa * fb > 0.0)
    throw std::runtime_error("threshold crossing: the interval does not reach threshold");
  int side = 0;
  for (int iter = 0; iter < 500; ++iter) {
    const double root = (a * fb - b * fa) / (fb - fa);
    const double f = distance(root);
    if (std::fabs(f) < 1e-14) return root;
    if (fa * f > 0.0) {
      a = root;
      fa = f;
      if (side == 1) fb /= 2.0;
      side = 1;
    } else if (fb * f > 0.0) {
      b = root;
      fb = f;
      if (side == -1) fa /= 2.0;
      side = -1;
    } else {
      throw std::runtime_error("threshold crossing: regula falsi did not converge");
    }
  }
  throw std::runtime_error("threshold crossing: regula falsi did not converge in 500 iterations");
}

// The refractory period in whole steps as NEST counts it: t_ref in tics (1 us), rounded up to
// a step.
inline long ps_refractory_steps(double t_ref, double h) {
  const long tics = long(t_ref * 1000.0 + 0.5);
  const long per_step = std::llround(h * 1000.0);
  return std::max(1L, (tics + per_step - 1) / per_step);  // NEST refuses less than a tic
}

// One step's input of a neuron, earliest first, with the pseudo-event that ends the
// refractory period merged in (NEST's SliceRingBuffer: on a tie it comes first).
class StepEvents {
 public:
  StepEvents(EventSpan events, bool refractory_ends, double refractory_offset)
      : it_(events.begin()),
        end_(events.end()),
        refr_(refractory_ends),
        refr_offset_(refractory_offset) {}
  bool empty() const { return it_ == end_ && !refr_; }
  // The next event: false when none is left. end_of_refractory marks the pseudo-event;
  // accumulate sums the weights of spikes with the same offset (iaf_psc_delta_ps).
  bool next(double& offset, double& weight, uint32_t& port, bool& end_of_refractory,
            bool accumulate = false) {
    end_of_refractory = false;
    if (refr_ && (it_ == end_ || refr_offset_ >= it_->offset)) {
      refr_ = false;
      offset = refr_offset_;
      weight = 0.0;
      port = 0;
      end_of_refractory = true;
      return true;
    }
    if (it_ == end_) return false;
    offset = it_->offset;
    weight = it_->weight;
    port = it_->port;
    ++it_;
    if (accumulate)
      for (; it_ != end_ && it_->offset == offset; ++it_) weight += it_->weight;
    return true;
  }

 private:
  const PreciseEvent* it_;
  const PreciseEvent* end_;
  bool refr_;
  double refr_offset_;
};

// Fields every precise iaf model has: NEST's parameters (voltages stored relative to E_L),
// refractory state and the last spike's step and offset.
struct PsMembrane : Population {
  std::vector<double> C_m, E_L, I_e, tau_m, t_ref, V_th, V_reset, V_min, V_m;
  std::vector<double> u_th, u_reset, u_min;  // relative to E_L
  std::vector<double> y_input;               // the step's current input (pA)
  std::vector<uint8_t> refractory;
  std::vector<long> last_spike_step, ref_steps;
  std::vector<double> last_spike_offset;

  void init() override {
    u_th.resize(n);
    u_reset.resize(n);
    u_min.resize(n);
    for (size_t i = 0; i < n; ++i) {
      u_th[i] = V_th[i] - E_L[i];
      u_reset[i] = V_reset[i] - E_L[i];
      u_min[i] = V_min[i] - E_L[i];
    }
    y_input.assign(n, 0.0);
    refractory.assign(n, 0);
    last_spike_step.assign(n, -1);
    last_spike_offset.assign(n, 0.0);
    ref_steps.resize(n);
  }
  void prepare(double h) override {
    for (size_t i = 0; i < n; ++i) ref_steps[i] = ps_refractory_steps(t_ref[i], h);
  }
  // Does the refractory period of neuron i end within step T?
  bool refractory_ends(size_t i, long T) const {
    return refractory[i] != 0 && T + 1 - last_spike_step[i] == ref_steps[i];
  }
  // A spike at `offset` ms before the end of step T: reset and refractory.
  void fire(const StepContext& ctx, size_t i, double offset, double& u) {
    last_spike_step[i] = ctx.step + 1;
    last_spike_offset[i] = offset;
    u = u_reset[i];
    refractory[i] = 1;
    emit(ctx, i, offset);
  }
};

// The parameter table and checks of the precise iaf models (NEST's set_status checks).
template <class M>
Define<M> define_ps_membrane(const char* name) {
  Define<M> d(name);
  d.precise()
      .param("C_m", &M::C_m)
      .param("E_L", &M::E_L)
      .param("I_e", &M::I_e)
      .param("V_m", &M::V_m)
      .param("V_min", &M::V_min)
      .param("V_reset", &M::V_reset)
      .param("V_th", &M::V_th)
      .param("t_ref", &M::t_ref)
      .param("tau_m", &M::tau_m)
      .check("C_m", ">", 0.0)
      .check("tau_m", ">", 0.0)
      .check("t_ref", ">", 0.0)
      .check("V_reset", "<", "V_th")
      .check("V_reset", ">=", "V_min");
  return d;
}

}  // namespace sd
