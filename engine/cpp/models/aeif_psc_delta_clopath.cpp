// aeif_psc_delta_clopath: the adaptive exponential integrate-and-fire neuron of Clopath et al.
// (2010) with delta-shaped input, as NEST has it (aeif_psc_delta_clopath.cpp): besides V_m and
// the adaptation current w, a depolarising spike afterpotential current z, an adaptive
// threshold V_th and the filtered voltages u_bar_plus, u_bar_minus, u_bar_bar that
// clopath_synapse reads through the neuron's Clopath history (clopath.h):
//
//   C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th) / Delta_T) - w + z + I_e + I
//   tau_w dw/dt = a (V - E_L) - w,   tau_z dz/dt = -z,   tau_V_th dV_th/dt = -(V_th - V_th_rest)
//   tau_u_bar_plus du+/dt = V - u+,  tau_u_bar_minus du-/dt = V - u-,  tau_u_bar_bar du=/dt = u- - u=
//
// A crossing of V_peak (of V_th when Delta_T == 0) clamps V to V_clamp for t_clamp, adds b to
// w, sets z to I_sp and V_th to V_th_max; after the clamp V is held at V_reset for t_ref. The
// right-hand side sees V as V_clamp while clamped (dV/dt = dw/dt = 0), V_reset while refractory
// (dV/dt = 0) and min(V, V_peak) otherwise. Numerics as NEST's: GSL's rkf45 (solvers/rkf45.h)
// with the control yp(gsl_error_tol, gsl_error_tol), the input of the step added to V after
// the first accepted sub-step unless clamped or refractory, spikes handled within the
// sub-steps; at the end of the step the Clopath history is written, the clamp and refractory
// counts go down and this step's current is read for the next step.
//
// NEST's quirk kept: V_th starts at the model's default V_th_rest (-50.4 mV) whatever V_th_rest
// is (NEST builds the state from the default parameters and V_th cannot be set).
#include <sstream>
#include <stdexcept>

#include "../solvers/rkf45.h"
#include "clopath.h"

namespace sd {

struct AeifPscDeltaClopath : ClopathNeuron {
  static constexpr size_t N = 7;
  enum { V_M, W, Z, V_TH, U_BAR_PLUS, U_BAR_MINUS, U_BAR_BAR };
  static constexpr double kDefaultVthRest = -50.4;  // NEST's Parameters_() V_th_rest

  std::vector<double> C_m, g_L, E_L, Delta_T, tau_w, tau_z, tau_V_th, V_th_max, V_th_rest, a, b,
      I_sp, I_e, V_peak, V_reset, t_ref, t_clamp, V_clamp, gsl_error_tol, tau_u_bar_plus,
      tau_u_bar_minus, tau_u_bar_bar;
  std::vector<double> V_m, w, u_bar_plus, u_bar_minus, u_bar_bar;  // initial state
  std::vector<double> y;       // N per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<double> v_peak;  // NEST's V_.V_peak_: V_peak, or the last V_th if Delta_T == 0
  std::vector<long> refractory, clamp, ref_counts, clamp_counts;
  double h = 0.1;

  void init() override {
    const double max_exp_arg = std::log(std::numeric_limits<double>::max() / 1e20);
    for (size_t i = 0; i < n; ++i) {
      if (Delta_T[i] > 0.0 && (V_peak[i] - V_th_rest[i]) / Delta_T[i] >= max_exp_arg) {
        std::ostringstream msg;
        msg << "Delta_T: must be > (V_peak - V_th_rest) / " << max_exp_arg << " = "
            << (V_peak[i] - V_th_rest[i]) / max_exp_arg << " (exp overflow at spike time), got "
            << Delta_T[i] << " (";
        if (n > 1) msg << "neuron " << i << " of ";
        msg << model << ")";
        throw std::invalid_argument(msg.str());
      }
    }
    y.assign(N * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &y[N * i];
      s[V_M] = V_m[i];
      s[W] = w[i];
      s[Z] = 0.0;
      s[V_TH] = kDefaultVthRest;
      s[U_BAR_PLUS] = u_bar_plus[i];
      s[U_BAR_MINUS] = u_bar_minus[i];
      s[U_BAR_BAR] = u_bar_bar[i];
    }
    I_stim.assign(n, 0.0);
    h_int.assign(n, 0.0);
    v_peak.assign(n, 0.0);
    refractory.assign(n, 0);
    clamp.assign(n, 0);
    ref_counts.assign(n, 0);
    clamp_counts.assign(n, 0);
  }

  void prepare(double step) override {
    h = step;
    for (size_t i = 0; i < n; ++i) {
      v_peak[i] = V_peak[i];
      ref_counts[i] = steps(t_ref[i], h);
      clamp_counts[i] = steps(t_clamp[i], h);
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
    }
    prepare_clopath(h);
  }

  void step(size_t b0, size_t e0, size_t stride, const StepContext& ctx) override {
    Rkf45Evolve<N> solver;  // NEST's gsl_odeiv_control_yp_new(tol, tol): a_y 0, a_dydt 1
    solver.a_y = 0.0;
    solver.a_dydt = 1.0;
    for (size_t i = b0; i < e0; i += stride) {
      double* s = &y[N * i];
      long& r = refractory[i];
      long& cl = clamp[i];
      solver.eps_abs = gsl_error_tol[i];
      solver.eps_rel = gsl_error_tol[i];
      const double c_m = C_m[i], gl = g_L[i], e_l = E_L[i], dT = Delta_T[i], tw = tau_w[i];
      const double tz = tau_z[i], tvth = tau_V_th[i], vth_rest = V_th_rest[i];
      const double tp = tau_u_bar_plus[i], tm = tau_u_bar_minus[i], tb = tau_u_bar_bar[i];
      const double a_i = a[i], vp = V_peak[i], v_reset = V_reset[i], v_clamp = V_clamp[i];
      const double ie = I_e[i], is = I_stim[i];
      auto rhs = [&](const double* x, double* f) {
        const bool refr = r > 0, clamped = cl > 0;  // they change within the step at a spike
        const double V = (refr || clamped) ? (clamped ? v_clamp : v_reset) : std::min(x[V_M], vp);
        const double i_spike = dT == 0.0 ? 0.0 : (gl * dT * std::exp((V - x[V_TH]) / dT));
        f[V_M] = (refr || clamped)
                     ? 0.0
                     : (-gl * (V - e_l) + i_spike - x[W] + x[Z] + ie + is) / c_m;
        f[W] = clamped ? 0.0 : (a_i * (V - e_l) - x[W]) / tw;
        f[Z] = -x[Z] / tz;
        f[V_TH] = -(x[V_TH] - vth_rest) / tvth;
        f[U_BAR_PLUS] = (-x[U_BAR_PLUS] + V) / tp;
        f[U_BAR_MINUS] = (-x[U_BAR_MINUS] + V) / tm;
        f[U_BAR_BAR] = (-x[U_BAR_BAR] + x[U_BAR_MINUS]) / tb;
      };

      double psp = ctx.input[i];  // read by the first sub-step only (NEST's ring buffer)
      double t = 0.0;
      for (size_t k = 0; t < h; ++k) {
        if (k == solver.max_steps)
          throw std::runtime_error("the ODE solver needs more than " +
                                   std::to_string(solver.max_steps) +
                                   " sub-steps within one time step; check the inputs");
        solver.apply(rhs, t, h, h_int[i], s);
        if (!(s[V_M] >= -1e3) || !(s[W] >= -1e6 && s[W] <= 1e6)) {
          std::ostringstream msg;
          msg << "numerical instability: V_m = " << s[V_M] << " mV, w = " << s[W]
              << " pA (V_m < -1000 mV or |w| > 1e6 pA); check the inputs";
          throw std::runtime_error(msg.str());
        }
        if (r == 0 && cl == 0) s[V_M] = s[V_M] + psp;  // else the input is lost, as in NEST
        psp = 0.0;
        if (dT == 0.0) v_peak[i] = s[V_TH];  // the threshold is V_th itself
        if (s[V_M] >= v_peak[i] && cl == 0) {
          s[V_M] = v_clamp;
          s[W] += b[i];      // spike-driven adaptation
          s[Z] = I_sp[i];    // depolarising spike afterpotential
          s[V_TH] = V_th_max[i];
          cl = clamp_counts[i] > 0 ? clamp_counts[i] + 1 : 0;  // +1: counted down after the step
          emit(ctx, i);
        } else if (cl == 1) {
          s[V_M] = v_reset;
          cl = 0;
          r = ref_counts[i] > 0 ? ref_counts[i] + 1 : 0;
        }
        if (r > 0) s[V_M] = v_reset;
      }
      write_clopath_history(i, ctx.step, s[V_M], s[U_BAR_PLUS], s[U_BAR_MINUS], s[U_BAR_BAR]);
      if (cl > 0) --cl;
      if (r > 0) --r;
      I_stim[i] = ctx.current[i];
    }
  }
};

namespace {

using A = AeifPscDeltaClopath;

Define<A> define_model() {
  Define<A> d("aeif_psc_delta_clopath");
  d.param("C_m", &A::C_m)
      .param("Delta_T", &A::Delta_T)
      .param("E_L", &A::E_L)
      .param("I_e", &A::I_e)
      .param("I_sp", &A::I_sp)
      .param("V_clamp", &A::V_clamp)
      .param("V_m", &A::V_m)
      .param("V_peak", &A::V_peak)
      .param("V_reset", &A::V_reset)
      .param("V_th_max", &A::V_th_max)
      .param("V_th_rest", &A::V_th_rest)
      .param("a", &A::a)
      .param("b", &A::b)
      .param("g_L", &A::g_L)
      .param("gsl_error_tol", &A::gsl_error_tol)
      .param("t_clamp", &A::t_clamp)
      .param("t_ref", &A::t_ref)
      .param("tau_V_th", &A::tau_V_th)
      .param("tau_u_bar_bar", &A::tau_u_bar_bar)
      .param("tau_u_bar_minus", &A::tau_u_bar_minus)
      .param("tau_u_bar_plus", &A::tau_u_bar_plus)
      .param("tau_w", &A::tau_w)
      .param("tau_z", &A::tau_z)
      .param("u_bar_bar", &A::u_bar_bar)
      .param("u_bar_minus", &A::u_bar_minus)
      .param("u_bar_plus", &A::u_bar_plus)
      .param("w", &A::w)
      .check("V_reset", "<", "V_peak")
      .check("Delta_T", ">=", 0.0)
      .check("V_th_max", ">=", "V_th_rest")
      .check("V_peak", ">=", "V_th_rest")
      .check("C_m", ">", 0.0)
      .check("t_ref", ">=", 0.0)
      .check("t_clamp", ">=", 0.0)
      .check("tau_w", ">", 0.0)
      .check("tau_V_th", ">", 0.0)
      .check("tau_z", ">", 0.0)
      .check("tau_u_bar_plus", ">", 0.0)
      .check("tau_u_bar_minus", ">", 0.0)
      .check("tau_u_bar_bar", ">", 0.0)
      .check("gsl_error_tol", ">", 0.0);
  clopath_params(d)
      .routing(Routing::kSingle)
      .record("V_m", [](const A& m, size_t i) { return m.y[A::N * i + A::V_M]; })
      .record("w", [](const A& m, size_t i) { return m.y[A::N * i + A::W]; })
      .record("z", [](const A& m, size_t i) { return m.y[A::N * i + A::Z]; })
      .record("V_th", [](const A& m, size_t i) { return m.y[A::N * i + A::V_TH]; })
      .record("u_bar_plus", [](const A& m, size_t i) { return m.y[A::N * i + A::U_BAR_PLUS]; })
      .record("u_bar_minus", [](const A& m, size_t i) { return m.y[A::N * i + A::U_BAR_MINUS]; })
      .record("u_bar_bar", [](const A& m, size_t i) { return m.y[A::N * i + A::U_BAR_BAR]; });
  return d;
}

}  // namespace

SD_REGISTER_MODEL(aeif_psc_delta_clopath, define_model());

}  // namespace sd
