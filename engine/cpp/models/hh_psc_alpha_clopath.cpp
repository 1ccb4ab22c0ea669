// hh_psc_alpha_clopath: hh_psc_alpha (Hodgkin-Huxley with alpha-shaped currents) with the
// filtered voltages of Clopath's plasticity (NEST's hh_psc_alpha_clopath.cpp):
//
//   tau_u_bar_plus du+/dt = V - u+,  tau_u_bar_minus du-/dt = V - u-,  tau_u_bar_bar du=/dt = u- - u=
//
// integrated with the rest of the state by NEST's rkf45 scheme (control y(1e-3, 0)). State per
// neuron in NEST's order: V_m, m, h, n, dI_ex, I_ex, dI_in, I_in, u_bar_plus, u_bar_minus,
// u_bar_bar. Update per step as NEST's: integrate over the step with the current of the
// previous step, add this step's spikes to dI, write the Clopath history (clopath.h), then a
// spike is a local maximum of V_m at or above 0 mV outside the refractory time t_ref, then
// read this step's current. NEST starts u_bar_* at 0 mV (its defaults), not at V_m.
#include "../solvers/rkf45.h"
#include "clopath.h"

namespace sd {

struct HhPscAlphaClopath : ClopathNeuron {
  static constexpr size_t N = 11;
  enum { V_M, HH_M, HH_H, HH_N, DI_EX, I_EX, DI_IN, I_IN, U_BAR_PLUS, U_BAR_MINUS, U_BAR_BAR };
  std::vector<double> t_ref, g_Na, g_K, g_L, C_m, E_Na, E_K, E_L, tau_ex, tau_in, I_e,
      tau_u_bar_plus, tau_u_bar_minus, tau_u_bar_bar;
  std::vector<double> V_m, Act_m, Inact_h, Act_n, u_bar_plus, u_bar_minus, u_bar_bar;  // initial
  std::vector<double> y;       // N values per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<long> refractory, ref_counts;
  std::vector<double> psc_ex, psc_in;  // dI jump per pA of weight: e / tau_syn
  double h = 0.1;

  void init() override {
    y.assign(N * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &y[N * i];
      s[V_M] = V_m[i];
      s[HH_M] = Act_m[i];
      s[HH_H] = Inact_h[i];
      s[HH_N] = Act_n[i];
      s[U_BAR_PLUS] = u_bar_plus[i];
      s[U_BAR_MINUS] = u_bar_minus[i];
      s[U_BAR_BAR] = u_bar_bar[i];
    }
    I_stim.assign(n, 0.0);
    h_int.assign(n, 0.0);
    refractory.assign(n, 0);
    ref_counts.assign(n, 0);
    psc_ex.resize(n);
    psc_in.resize(n);
  }
  void prepare(double step) override {
    h = step;
    for (size_t i = 0; i < n; ++i) {
      psc_ex[i] = 1.0 * M_E / tau_ex[i];
      psc_in[i] = 1.0 * M_E / tau_in[i];
      ref_counts[i] = steps(t_ref[i], h);
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
    }
    prepare_clopath(h);
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const Rkf45Evolve<N> solver;
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      double* s = &y[N * i];
      const double gna = g_Na[i], gk = g_K[i], gl = g_L[i], c_m = C_m[i];
      const double ena = E_Na[i], ek = E_K[i], el = E_L[i], te = tau_ex[i], ti = tau_in[i];
      const double tp = tau_u_bar_plus[i], tm = tau_u_bar_minus[i], tb = tau_u_bar_bar[i];
      const double drive = I_stim[i];
      const double ie = I_e[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = x[V_M], m = x[HH_M], hh = x[HH_H], nn = x[HH_N];
        const double alpha_n = (0.01 * (V + 55.)) / (1. - std::exp(-(V + 55.) / 10.));
        const double beta_n = 0.125 * std::exp(-(V + 65.) / 80.);
        const double alpha_m = (0.1 * (V + 40.)) / (1. - std::exp(-(V + 40.) / 10.));
        const double beta_m = 4. * std::exp(-(V + 65.) / 18.);
        const double alpha_h = 0.07 * std::exp(-(V + 65.) / 20.);
        const double beta_h = 1. / (1. + std::exp(-(V + 35.) / 10.));
        const double i_na = gna * m * m * m * hh * (V - ena);
        const double i_k = gk * nn * nn * nn * nn * (V - ek);
        const double i_l = gl * (V - el);
        f[V_M] = (-(i_na + i_k + i_l) + drive + ie + x[I_EX] + x[I_IN]) / c_m;
        f[HH_M] = alpha_m * (1 - m) - beta_m * m;
        f[HH_H] = alpha_h * (1 - hh) - beta_h * hh;
        f[HH_N] = alpha_n * (1 - nn) - beta_n * nn;
        f[U_BAR_PLUS] = (-x[U_BAR_PLUS] + V) / tp;
        f[U_BAR_MINUS] = (-x[U_BAR_MINUS] + V) / tm;
        f[U_BAR_BAR] = (-x[U_BAR_BAR] + x[U_BAR_MINUS]) / tb;
        f[DI_EX] = -x[DI_EX] / te;
        f[I_EX] = x[DI_EX] - (x[I_EX] / te);
        f[DI_IN] = -x[DI_IN] / ti;
        f[I_IN] = x[DI_IN] - (x[I_IN] / ti);
      };
      const double u_old = s[V_M];
      solver.integrate(rhs, h, h_int[i], s);
      s[DI_EX] += ex[i] * psc_ex[i];
      s[DI_IN] += in[i] * psc_in[i];  // weights < 0: a negative current
      write_clopath_history(i, ctx.step, s[V_M], s[U_BAR_PLUS], s[U_BAR_MINUS], s[U_BAR_BAR]);
      if (refractory[i] > 0) {
        --refractory[i];
      } else if (s[V_M] >= 0.0 && u_old > s[V_M]) {
        refractory[i] = ref_counts[i];
        emit(ctx, i);
      }
      I_stim[i] = ctx.current[i];
    }
  }
};

namespace {

using H = HhPscAlphaClopath;

Define<H> define_model() {
  Define<H> d("hh_psc_alpha_clopath");
  d.param("C_m", &H::C_m)
      .param("E_K", &H::E_K)
      .param("E_L", &H::E_L)
      .param("E_Na", &H::E_Na)
      .param("I_e", &H::I_e)
      .param("g_K", &H::g_K)
      .param("g_L", &H::g_L)
      .param("g_Na", &H::g_Na)
      .param("t_ref", &H::t_ref)
      .param("tau_syn_ex", &H::tau_ex)
      .param("tau_syn_in", &H::tau_in)
      .param("tau_u_bar_bar", &H::tau_u_bar_bar)
      .param("tau_u_bar_minus", &H::tau_u_bar_minus)
      .param("tau_u_bar_plus", &H::tau_u_bar_plus)
      .param("V_m", &H::V_m)
      .param("Act_m", &H::Act_m)
      .param("Inact_h", &H::Inact_h)
      .param("Act_n", &H::Act_n)
      .param("u_bar_bar", &H::u_bar_bar)
      .param("u_bar_minus", &H::u_bar_minus)
      .param("u_bar_plus", &H::u_bar_plus)
      .check("C_m", ">", 0.0)
      .check("t_ref", ">=", 0.0)
      .check("tau_syn_ex", ">", 0.0)
      .check("tau_syn_in", ">", 0.0)
      .check("tau_u_bar_plus", ">", 0.0)
      .check("tau_u_bar_minus", ">", 0.0)
      .check("tau_u_bar_bar", ">", 0.0)
      .check("g_K", ">=", 0.0)
      .check("g_Na", ">=", 0.0)
      .check("g_L", ">=", 0.0)
      .check("Act_m", ">=", 0.0)
      .check("Inact_h", ">=", 0.0)
      .check("Act_n", ">=", 0.0);
  clopath_params(d)
      .record("V_m", [](const H& m, size_t i) { return m.y[H::N * i + H::V_M]; })
      .record("I_syn_ex", [](const H& m, size_t i) { return m.y[H::N * i + H::I_EX]; })
      .record("I_syn_in", [](const H& m, size_t i) { return m.y[H::N * i + H::I_IN]; })
      .record("Act_m", [](const H& m, size_t i) { return m.y[H::N * i + H::HH_M]; })
      .record("Inact_h", [](const H& m, size_t i) { return m.y[H::N * i + H::HH_H]; })
      .record("Act_n", [](const H& m, size_t i) { return m.y[H::N * i + H::HH_N]; })
      .record("u_bar_plus", [](const H& m, size_t i) { return m.y[H::N * i + H::U_BAR_PLUS]; })
      .record("u_bar_minus", [](const H& m, size_t i) { return m.y[H::N * i + H::U_BAR_MINUS]; })
      .record("u_bar_bar", [](const H& m, size_t i) { return m.y[H::N * i + H::U_BAR_BAR]; });
  return d;
}

}  // namespace

SD_REGISTER_MODEL(hh_psc_alpha_clopath, define_model());

}  // namespace sd
