// iaf_cond_exp: leaky integrate-and-fire with exponentially decaying excitatory and inhibitory
// conductances, integrated per neuron with NEST's rkf45 scheme (solvers/rkf45.h, control
// eps_abs 1e-3). State per neuron: V_m, g_ex, g_in (mV, nS). Update order per step as in
// NEST: integrate over the step with the current of the previous step, add this step's
// spikes to the conductances, then refractoriness/threshold, then read this step's current.
#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {

struct IafCondExp : Population {
  std::vector<double> C_m, E_L, E_ex, E_in, I_e, g_L, t_ref, V_th, V_reset, tau_ex, tau_in, V_m;
  std::vector<double> y;       // V_m, g_ex, g_in per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<long> refractory, ref_counts;
  double h = 0.1;

  void init() override {
    y.assign(3 * n, 0.0);
    for (size_t i = 0; i < n; ++i) y[3 * i] = V_m[i];
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
    const Rkf45Evolve<3> solver;
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      double* s = &y[3 * i];
      const bool refr = refractory[i] > 0;
      const double c_m = C_m[i], e_l = E_L[i], e_ex = E_ex[i], e_in = E_in[i], gl = g_L[i];
      const double v_th = V_th[i], v_reset = V_reset[i], te = tau_ex[i], ti = tau_in[i];
      const double ie = I_e[i], is = I_stim[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = refr ? v_reset : std::min(x[0], v_th);
        const double i_syn_ex = x[1] * (V - e_ex);
        const double i_syn_in = x[2] * (V - e_in);
        const double i_leak = gl * (V - e_l);
        f[0] = refr ? 0.0 : (-i_leak + is + ie - i_syn_ex - i_syn_in) / c_m;
        f[1] = -x[1] / te;
        f[2] = -x[2] / ti;
      };
      solver.integrate(rhs, h, h_int[i], s);
      s[1] += ex[i];
      s[2] += -in[i];
      if (refractory[i] > 0) {
        --refractory[i];
        s[0] = v_reset;
      } else if (s[0] >= v_th) {
        refractory[i] = ref_counts[i];
        s[0] = v_reset;
        emit(ctx, i);
      }
      I_stim[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(
    iaf_cond_exp,
    Define<IafCondExp>("iaf_cond_exp")
        .param("C_m", &IafCondExp::C_m)
        .param("E_L", &IafCondExp::E_L)
        .param("E_ex", &IafCondExp::E_ex)
        .param("E_in", &IafCondExp::E_in)
        .param("I_e", &IafCondExp::I_e)
        .param("V_m", &IafCondExp::V_m)
        .param("V_reset", &IafCondExp::V_reset)
        .param("V_th", &IafCondExp::V_th)
        .param("g_L", &IafCondExp::g_L)
        .param("t_ref", &IafCondExp::t_ref)
        .param("tau_syn_ex", &IafCondExp::tau_ex)
        .param("tau_syn_in", &IafCondExp::tau_in)
        .check("C_m", ">", 0.0)
        .check("t_ref", ">=", 0.0)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .check("V_reset", "<", "V_th")
        .record("V_m", [](const IafCondExp& m, size_t i) { return m.y[3 * i]; })
        .record("g_ex", [](const IafCondExp& m, size_t i) { return m.y[3 * i + 1]; })
        .record("g_in", [](const IafCondExp& m, size_t i) { return m.y[3 * i + 2]; }));

}  // namespace sd
