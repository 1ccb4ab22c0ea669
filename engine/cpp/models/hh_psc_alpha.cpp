// hh_psc_alpha: Hodgkin-Huxley neuron (sodium, potassium and leak currents; Mainen/Dayan &
// Abbott rate functions) with alpha-shaped excitatory and inhibitory synaptic currents,
// integrated per neuron with NEST's rkf45 scheme (solvers/rkf45.h, control eps_abs 1e-3).
// State per neuron: V_m, m, h, n, dI_ex, I_ex, dI_in, I_in (mV, 1, 1, 1, pA/ms, pA, pA/ms, pA).
// Update order per step as in NEST: remember V_m, integrate over the step with the current of
// the previous step, add this step's spikes to dI, then a spike is a local maximum of V_m at or
// above 0 mV (V_m >= 0 and the previous V_m larger) outside the refractory time t_ref (which
// only suppresses further spikes; the dynamics go on), then read this step's current.
#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {

struct HhPscAlpha : Population {
  static constexpr size_t kDim = 8;
  std::vector<double> t_ref, g_Na, g_K, g_L, C_m, E_Na, E_K, E_L, tau_ex, tau_in, I_e;
  std::vector<double> V_m, Act_m, Inact_h, Act_n;  // initial state
  std::vector<double> y;       // kDim values per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<long> refractory, ref_counts;
  std::vector<double> psc_ex, psc_in;  // dI jump per pA of weight: e / tau_syn
  double h = 0.1;

  void init() override {
    y.assign(kDim * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &y[kDim * i];
      s[0] = V_m[i];
      s[1] = Act_m[i];
      s[2] = Inact_h[i];
      s[3] = Act_n[i];
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
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const Rkf45Evolve<kDim> solver;
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      double* s = &y[kDim * i];
      const double gna = g_Na[i], gk = g_K[i], gl = g_L[i], c_m = C_m[i];
      const double ena = E_Na[i], ek = E_K[i], el = E_L[i], te = tau_ex[i], ti = tau_in[i];
      const double drive = I_stim[i];
      const double ie = I_e[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = x[0], m = x[1], hh = x[2], nn = x[3];
        const double alpha_n = (0.01 * (V + 55.)) / (1. - std::exp(-(V + 55.) / 10.));
        const double beta_n = 0.125 * std::exp(-(V + 65.) / 80.);
        const double alpha_m = (0.1 * (V + 40.)) / (1. - std::exp(-(V + 40.) / 10.));
        const double beta_m = 4. * std::exp(-(V + 65.) / 18.);
        const double alpha_h = 0.07 * std::exp(-(V + 65.) / 20.);
        const double beta_h = 1. / (1. + std::exp(-(V + 35.) / 10.));
        const double i_na = gna * m * m * m * hh * (V - ena);
        const double i_k = gk * nn * nn * nn * nn * (V - ek);
        const double i_l = gl * (V - el);
        f[0] = (-(i_na + i_k + i_l) + drive + ie + x[5] + x[7]) / c_m;
        f[1] = alpha_m * (1.0 - m) - beta_m * m;
        f[2] = alpha_h * (1.0 - hh) - beta_h * hh;
        f[3] = alpha_n * (1.0 - nn) - beta_n * nn;
        f[4] = -x[4] / te;
        f[5] = x[4] - (x[5] / te);
        f[6] = -x[6] / ti;
        f[7] = x[6] - (x[7] / ti);
      };
      const double u_old = s[0];
      solver.integrate(rhs, h, h_int[i], s);
      s[4] += ex[i] * psc_ex[i];
      s[6] += in[i] * psc_in[i];  // weights < 0: a negative current
      if (refractory[i] > 0) {
        --refractory[i];
      } else if (s[0] >= 0.0 && u_old > s[0]) {
        refractory[i] = ref_counts[i];
        emit(ctx, i);
      }
      I_stim[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(
    hh_psc_alpha,
    Define<HhPscAlpha>("hh_psc_alpha")
        .param("C_m", &HhPscAlpha::C_m)
        .param("E_K", &HhPscAlpha::E_K)
        .param("E_L", &HhPscAlpha::E_L)
        .param("E_Na", &HhPscAlpha::E_Na)
        .param("I_e", &HhPscAlpha::I_e)
        .param("g_K", &HhPscAlpha::g_K)
        .param("g_L", &HhPscAlpha::g_L)
        .param("g_Na", &HhPscAlpha::g_Na)
        .param("t_ref", &HhPscAlpha::t_ref)
        .param("tau_syn_ex", &HhPscAlpha::tau_ex)
        .param("tau_syn_in", &HhPscAlpha::tau_in)
        .param("V_m", &HhPscAlpha::V_m)
        .param("Act_m", &HhPscAlpha::Act_m)
        .param("Inact_h", &HhPscAlpha::Inact_h)
        .param("Act_n", &HhPscAlpha::Act_n)
        .check("C_m", ">", 0.0)
        .check("t_ref", ">=", 0.0)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .check("g_K", ">=", 0.0)
        .check("g_Na", ">=", 0.0)
        .check("g_L", ">=", 0.0)
        .check("Act_m", ">=", 0.0)
        .check("Inact_h", ">=", 0.0)
        .check("Act_n", ">=", 0.0)
        .record("V_m", [](const HhPscAlpha& m, size_t i) { return m.y[HhPscAlpha::kDim * i]; })
        .record("I_syn_ex",
                [](const HhPscAlpha& m, size_t i) { return m.y[HhPscAlpha::kDim * i + 5]; })
        .record("I_syn_in",
                [](const HhPscAlpha& m, size_t i) { return m.y[HhPscAlpha::kDim * i + 7]; })
        .record("Act_m",
                [](const HhPscAlpha& m, size_t i) { return m.y[HhPscAlpha::kDim * i + 1]; })
        .record("Inact_h",
                [](const HhPscAlpha& m, size_t i) { return m.y[HhPscAlpha::kDim * i + 2]; })
        .record("Act_n",
                [](const HhPscAlpha& m, size_t i) { return m.y[HhPscAlpha::kDim * i + 3]; }));

}  // namespace sd
