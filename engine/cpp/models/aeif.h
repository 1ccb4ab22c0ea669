// The adaptive exponential integrate-and-fire family (Brette & Gerstner 2005) as NEST has it:
// aeif_cond_alpha, aeif_cond_exp, aeif_psc_alpha, aeif_psc_exp and aeif_psc_delta share the
// membrane and adaptation dynamics
//
//   C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th) / Delta_T) - I_syn - w + I_e + I
//   tau_w dw/dt = a (V - E_L) - w
//
// and differ in the synapse (I_syn): alpha- or exponential-shaped conductances or currents,
// or delta pulses that move V by the weight in mV. Aeif<S> is the one implementation,
// S chooses the synapse; each model's .cpp only registers its parameter table.
//
// Numerics as NEST's: GSL's rkf45 (solvers/rkf45.h) with the control yp(gsl_error_tol,
// gsl_error_tol), driven one adaptive step at a time within each resolution step; after each
// accepted sub-step the state is checked (V < -1e3 or |w| > 1e6 is an error), V is held at
// V_reset while refractory, and a crossing of V_peak (V_th when Delta_T == 0) resets V,
// increments w by b and emits a spike within the same resolution step. The right-hand side
// sees V clamped to min(V, V_peak), or V_reset while refractory (then dV/dt = 0). After the
// step: the refractory count goes down, this step's spikes enter the synapses, this step's
// current is read for the next step.
#pragma once
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {

enum class AeifSynapse { kCondAlpha, kCondExp, kPscAlpha, kPscExp, kPscDelta };

template <AeifSynapse S>
struct Aeif : Population {
  static constexpr bool kCond = S == AeifSynapse::kCondAlpha || S == AeifSynapse::kCondExp;
  static constexpr bool kAlpha = S == AeifSynapse::kCondAlpha || S == AeifSynapse::kPscAlpha;
  static constexpr bool kDelta = S == AeifSynapse::kPscDelta;
  // State per neuron in NEST's order: V_m, then (alpha) dx_ex, x_ex, dx_in, x_in or (exp)
  // x_ex, x_in with x a conductance (nS) or current (pA), then w.
  static constexpr size_t N = kDelta ? 2 : kAlpha ? 6 : 4;
  static constexpr size_t kEx = kAlpha ? 2 : 1;  // the synaptic conductance/current
  static constexpr size_t kIn = kAlpha ? 4 : 2;
  static constexpr size_t kW = N - 1;

  std::vector<double> C_m, g_L, E_L, Delta_T, tau_w, a, b, V_th, V_peak, V_reset, t_ref, I_e;
  std::vector<double> gsl_error_tol, V_m, w;
  std::vector<double> E_ex, E_in;                // conductance synapses
  std::vector<double> tau_syn_ex, tau_syn_in;    // all but aeif_psc_delta
  std::vector<double> refractory_input;          // aeif_psc_delta
  std::vector<double> y;       // N per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<double> refr_spikes;  // aeif_psc_delta: input held back while refractory (mV)
  std::vector<long> refractory, ref_counts;
  std::vector<double> v_spike;         // V_peak, or V_th when Delta_T == 0
  std::vector<double> jump_ex, jump_in;  // alpha: dx jump per unit of weight, e / tau_syn
  double h = 0.1;

  void init() override {
    // NEST's overflow guard: exp((V_peak - V_th) / Delta_T) must stay 1e20 below DBL_MAX
    const double max_exp_arg = std::log(std::numeric_limits<double>::max() / 1e20);
    for (size_t i = 0; i < n; ++i) {
      if (Delta_T[i] > 0.0 && (V_peak[i] - V_th[i]) / Delta_T[i] >= max_exp_arg) {
        std::ostringstream msg;
        msg << "Delta_T: must be > (V_peak - V_th) / " << max_exp_arg << " = "
            << (V_peak[i] - V_th[i]) / max_exp_arg << " (exp overflow at spike time), got "
            << Delta_T[i] << " (";
        if (n > 1) msg << "neuron " << i << " of ";
        msg << model << ")";
        throw std::invalid_argument(msg.str());
      }
    }
    y.assign(N * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      y[N * i] = V_m[i];
      y[N * i + kW] = w[i];
    }
    I_stim.assign(n, 0.0);
    h_int.assign(n, 0.0);
    refr_spikes.assign(n, 0.0);
    refractory.assign(n, 0);
    ref_counts.assign(n, 0);
    v_spike.resize(n);
    jump_ex.assign(n, 1.0);
    jump_in.assign(n, 1.0);
  }

  void prepare(double step) override {
    h = step;
    for (size_t i = 0; i < n; ++i) {
      v_spike[i] = Delta_T[i] > 0.0 ? V_peak[i] : V_th[i];
      if constexpr (kAlpha) {
        jump_ex[i] = 1.0 * M_E / tau_syn_ex[i];
        jump_in[i] = 1.0 * M_E / tau_syn_in[i];
      }
      ref_counts[i] = steps(t_ref[i], h);
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
    }
  }

  void step(size_t b0, size_t e0, size_t stride, const StepContext& ctx) override {
    Rkf45Evolve<N> solver;  // NEST's gsl_odeiv_control_yp_new(tol, tol): a_y 0, a_dydt 1
    solver.a_y = 0.0;
    solver.a_dydt = 1.0;
    const double* ex = ctx.input;
    const double* in = ctx.input + (kDelta ? 0 : n);
    for (size_t i = b0; i < e0; i += stride) {
      double* s = &y[N * i];
      long& r = refractory[i];
      solver.eps_abs = gsl_error_tol[i];
      solver.eps_rel = gsl_error_tol[i];
      const double c_m = C_m[i], gl = g_L[i], e_l = E_L[i], dT = Delta_T[i], tw = tau_w[i];
      const double a_i = a[i], v_th = V_th[i], v_peak = V_peak[i], v_reset = V_reset[i];
      const double ie = I_e[i], is = I_stim[i];
      const double e_ex = kCond ? E_ex[i] : 0.0, e_in = kCond ? E_in[i] : 0.0;
      const double te = kDelta ? 1.0 : tau_syn_ex[i], ti = kDelta ? 1.0 : tau_syn_in[i];
      // aeif_psc_delta multiplies by inverses, the others divide (NEST's arithmetic)
      const double dT_inv = 1.0 / dT, c_m_inv = 1.0 / c_m, tw_inv = 1.0 / tw;
      auto rhs = [&](const double* x, double* f) {
        const bool refr = r > 0;  // r changes within the step when the neuron spikes
        const double V = refr ? v_reset : std::min(x[0], v_peak);
        double i_spike = 0.0;
        if (dT != 0.0) {
          i_spike = kDelta ? gl * dT * std::exp((V - v_th) * dT_inv)
                           : gl * dT * std::exp((V - v_th) / dT);
        }
        double dv = -gl * (V - e_l) + i_spike;
        if constexpr (kCond) {
          const double i_syn_ex = x[kEx] * (V - e_ex);
          const double i_syn_in = x[kIn] * (V - e_in);
          dv = dv - i_syn_ex - i_syn_in;
        } else if constexpr (!kDelta) {
          dv = dv + x[kEx] - x[kIn];
        }
        dv = dv - x[kW] + ie + is;
        f[0] = refr ? 0.0 : kDelta ? dv * c_m_inv : dv / c_m;
        if constexpr (kAlpha) {
          f[1] = -x[1] / te;
          f[2] = x[1] - x[2] / te;
          f[3] = -x[3] / ti;
          f[4] = x[3] - x[4] / ti;
        } else if constexpr (!kDelta) {
          f[1] = -x[1] / te;
          f[2] = -x[2] / ti;
        }
        f[kW] = kDelta ? (a_i * (V - e_l) - x[kW]) * tw_inv : (a_i * (V - e_l) - x[kW]) / tw;
      };

      double psp = kDelta ? ex[i] : 0.0;  // read by the first sub-step only (NEST's ring buffer)
      double t = 0.0;
      for (size_t k = 0; t < h; ++k) {
        if (k == solver.max_steps)
          throw std::runtime_error("the ODE solver needs more than " +
                                   std::to_string(solver.max_steps) +
                                   " sub-steps within one time step; check the inputs");
        solver.apply(rhs, t, h, h_int[i], s);
        // NEST's guard against a runaway state (V may explode upwards: it spikes)
        if (!(s[0] >= -1e3) || !(s[kW] >= -1e6 && s[kW] <= 1e6)) {
          std::ostringstream msg;
          msg << "numerical instability: V_m = " << s[0] << " mV, w = "
              << s[kW] << " pA (V_m < -1000 mV or |w| > 1e6 pA); check the inputs";
          throw std::runtime_error(msg.str());
        }
        if constexpr (kDelta) {
          if (r == 0) {
            s[0] = s[0] + psp;
            if (refractory_input[i] != 0.0 && refr_spikes[i] != 0.0) {
              s[0] += refr_spikes[i];
              refr_spikes[i] = 0.0;
            }
          } else {
            s[0] = v_reset;
            // with refractory_input, spikes during refractoriness arrive decayed afterwards
            if (refractory_input[i] != 0.0)
              refr_spikes[i] += psp * std::exp(double(-r) * h / (c_m / gl));
          }
          psp = 0.0;
          if (r == 0 && s[0] >= v_spike[i]) spike(ctx, i, s);
        } else {
          if (r > 0)
            s[0] = v_reset;
          else if (s[0] >= v_spike[i])
            spike(ctx, i, s);
        }
      }
      if (r > 0) --r;
      if constexpr (kAlpha) {
        s[1] += ex[i] * jump_ex[i];
        s[3] += -in[i] * jump_in[i];
      } else if constexpr (!kDelta) {
        s[1] += ex[i];
        s[2] += -in[i];
      }
      I_stim[i] = ctx.current[i];
    }
  }

  // Reset, spike-driven adaptation, refractoriness (one more count for the count-down at the
  // end of this step; none at all without t_ref, so that the sub-steps go on).
  void spike(const StepContext& ctx, size_t i, double* s) {
    s[0] = V_reset[i];
    s[kW] += b[i];
    refractory[i] = ref_counts[i] > 0 ? ref_counts[i] + 1 : 0;
    emit(ctx, i);
  }
};

// The parameter table all aeif models share; each model adds its synapse parameters,
// routing and recordables.
template <class M>
Define<M> define_aeif(const char* name) {
  return Define<M>(name)
      .param("C_m", &M::C_m)
      .param("Delta_T", &M::Delta_T)
      .param("E_L", &M::E_L)
      .param("I_e", &M::I_e)
      .param("V_m", &M::V_m)
      .param("V_peak", &M::V_peak)
      .param("V_reset", &M::V_reset)
      .param("V_th", &M::V_th)
      .param("a", &M::a)
      .param("b", &M::b)
      .param("g_L", &M::g_L)
      .param("gsl_error_tol", &M::gsl_error_tol)
      .param("t_ref", &M::t_ref)
      .param("tau_w", &M::tau_w)
      .param("w", &M::w)
      .check("C_m", ">", 0.0)
      .check("t_ref", ">=", 0.0)
      .check("tau_w", ">", 0.0)
      .check("Delta_T", ">=", 0.0)
      .check("gsl_error_tol", ">", 0.0)
      .check("V_peak", ">=", "V_th")
      .check("V_reset", "<", "V_peak");
}

}  // namespace sd
