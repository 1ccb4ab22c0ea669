// hh_cond_exp_traub: Hodgkin-Huxley neuron after Traub & Miles (1991) with the rate functions
// shifted by V_T, and exponentially decaying excitatory and inhibitory conductances, integrated
// per neuron with NEST's rkf45 scheme (solvers/rkf45.h, control eps_abs 1e-3).
// State per neuron: V_m, m, h, n, g_ex, g_in (mV, 1, 1, 1, nS, nS).
// Update order per step as in NEST: remember V_m, integrate over the step with the current of
// the previous step, add this step's spikes to the conductances (inhibitory weights < 0 raise
// g_in), then a spike is a local maximum of V_m at or above V_T + 30 mV outside the refractory
// time t_ref (which only suppresses further spikes), then read this step's current.
#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {

struct HhCondExpTraub : Population {
  static constexpr size_t kDim = 6;
  std::vector<double> g_Na, g_K, g_L, C_m, E_Na, E_K, E_L, V_T, E_ex, E_in, tau_ex, tau_in;
  std::vector<double> t_ref, I_e;
  std::vector<double> V_m, Act_m, Inact_h, Act_n;  // initial state
  std::vector<double> y;       // kDim values per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<long> refractory, ref_counts;
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
  }
  void prepare(double step) override {
    h = step;
    for (size_t i = 0; i < n; ++i) {
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
      const double ena = E_Na[i], ek = E_K[i], el = E_L[i], vt = V_T[i];
      const double e_ex = E_ex[i], e_in = E_in[i], te = tau_ex[i], ti = tau_in[i];
      const double drive = I_stim[i];
      const double ie = I_e[i];
      auto rhs = [&](const double* x, double* f) {
        const double i_na = gna * x[1] * x[1] * x[1] * x[2] * (x[0] - ena);
        const double i_k = gk * x[3] * x[3] * x[3] * x[3] * (x[0] - ek);
        const double i_l = gl * (x[0] - el);
        const double i_syn_ex = x[4] * (x[0] - e_ex);
        const double i_syn_in = x[5] * (x[0] - e_in);
        f[0] = (-i_na - i_k - i_l - i_syn_ex - i_syn_in + drive + ie) / c_m;
        const double V = x[0] - vt;
        const double alpha_n = 0.032 * (15. - V) / (std::exp((15. - V) / 5.) - 1.);
        const double beta_n = 0.5 * std::exp((10. - V) / 40.);
        const double alpha_m = 0.32 * (13. - V) / (std::exp((13. - V) / 4.) - 1.);
        const double beta_m = 0.28 * (V - 40.) / (std::exp((V - 40.) / 5.) - 1.);
        const double alpha_h = 0.128 * std::exp((17. - V) / 18.);
        const double beta_h = 4. / (1. + std::exp((40. - V) / 5.));
        f[1] = alpha_m - (alpha_m + beta_m) * x[1];
        f[2] = alpha_h - (alpha_h + beta_h) * x[2];
        f[3] = alpha_n - (alpha_n + beta_n) * x[3];
        f[4] = -x[4] / te;
        f[5] = -x[5] / ti;
      };
      const double u_old = s[0];
      solver.integrate(rhs, h, h_int[i], s);
      s[4] += ex[i];
      s[5] += -in[i];  // weights < 0 raise the inhibitory conductance
      if (refractory[i] > 0) {
        --refractory[i];
      } else if (s[0] >= vt + 30. && u_old > s[0]) {
        refractory[i] = ref_counts[i];
        emit(ctx, i);
      }
      I_stim[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(
    hh_cond_exp_traub,
    Define<HhCondExpTraub>("hh_cond_exp_traub")
        .param("C_m", &HhCondExpTraub::C_m)
        .param("E_K", &HhCondExpTraub::E_K)
        .param("E_L", &HhCondExpTraub::E_L)
        .param("E_Na", &HhCondExpTraub::E_Na)
        .param("E_ex", &HhCondExpTraub::E_ex)
        .param("E_in", &HhCondExpTraub::E_in)
        .param("I_e", &HhCondExpTraub::I_e)
        .param("V_T", &HhCondExpTraub::V_T)
        .param("g_K", &HhCondExpTraub::g_K)
        .param("g_L", &HhCondExpTraub::g_L)
        .param("g_Na", &HhCondExpTraub::g_Na)
        .param("t_ref", &HhCondExpTraub::t_ref)
        .param("tau_syn_ex", &HhCondExpTraub::tau_ex)
        .param("tau_syn_in", &HhCondExpTraub::tau_in)
        .param("V_m", &HhCondExpTraub::V_m)
        .param("Act_m", &HhCondExpTraub::Act_m)
        .param("Inact_h", &HhCondExpTraub::Inact_h)
        .param("Act_n", &HhCondExpTraub::Act_n)
        .check("C_m", ">", 0.0)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .check("t_ref", ">=", 0.0)
        .check("Act_m", ">=", 0.0)
        .check("Inact_h", ">=", 0.0)
        .check("Act_n", ">=", 0.0)
        .record("V_m",
                [](const HhCondExpTraub& m, size_t i) { return m.y[HhCondExpTraub::kDim * i]; })
        .record("g_ex",
                [](const HhCondExpTraub& m, size_t i) { return m.y[HhCondExpTraub::kDim * i + 4]; })
        .record("g_in",
                [](const HhCondExpTraub& m, size_t i) { return m.y[HhCondExpTraub::kDim * i + 5]; })
        .record("Act_m",
                [](const HhCondExpTraub& m, size_t i) { return m.y[HhCondExpTraub::kDim * i + 1]; })
        .record("Inact_h",
                [](const HhCondExpTraub& m, size_t i) { return m.y[HhCondExpTraub::kDim * i + 2]; })
        .record("Act_n", [](const HhCondExpTraub& m, size_t i) {
          return m.y[HhCondExpTraub::kDim * i + 3];
        }));

}  // namespace sd
