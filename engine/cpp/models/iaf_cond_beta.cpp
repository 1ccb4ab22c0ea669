// iaf_cond_beta: leaky integrate-and-fire with beta-shaped excitatory and inhibitory
// conductances (rise and decay time constants), integrated per neuron with NEST's rkf45 scheme
// (solvers/rkf45.h, control eps_abs 1e-3). State per neuron: V_m, dg_ex, g_ex, dg_in, g_in
// (mV, nS/ms, nS). A spike of weight w nS adds w times the normalisation factor to dg, so
// that g peaks at w (e / tau for equal time constants, as the alpha function). Update order
// per step as in NEST: integrate with the current of the previous step, then
// refractoriness/threshold, then add this step's spikes to dg and read this step's current.
#include <limits>

#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {

// The dg jump per nS of weight that makes the conductance peak at 1 nS.
inline double beta_normalisation(double tau_rise, double tau_decay) {
  const double eps = std::numeric_limits<double>::epsilon();
  const double tau_difference = tau_decay - tau_rise;
  double peak_value = 0.0;
  if (std::abs(tau_difference) > eps) {
    const double t_peak = tau_decay * tau_rise * std::log(tau_decay / tau_rise) / tau_difference;
    peak_value = std::exp(-t_peak / tau_decay) - std::exp(-t_peak / tau_rise);
  }
  if (std::abs(peak_value) < eps) return M_E / tau_decay;  // equal time constants: alpha
  return (1.0 / tau_rise - 1.0 / tau_decay) / peak_value;
}

struct IafCondBeta : Population {
  std::vector<double> C_m, E_L, E_ex, E_in, I_e, g_L, t_ref, V_th, V_reset, V_m;
  std::vector<double> tau_rise_ex, tau_decay_ex, tau_rise_in, tau_decay_in;
  std::vector<double> y;       // V_m, dg_ex, g_ex, dg_in, g_in per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<long> refractory, ref_counts;
  std::vector<double> psc_ex, psc_in;  // dg jump per nS of weight
  double h = 0.1;

  void init() override {
    y.assign(5 * n, 0.0);
    for (size_t i = 0; i < n; ++i) y[5 * i] = V_m[i];
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
      psc_ex[i] = beta_normalisation(tau_rise_ex[i], tau_decay_ex[i]);
      psc_in[i] = beta_normalisation(tau_rise_in[i], tau_decay_in[i]);
      ref_counts[i] = steps(t_ref[i], h);
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const Rkf45Evolve<5> solver;
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      double* s = &y[5 * i];
      const bool refr = refractory[i] > 0;
      const double c_m = C_m[i], e_l = E_L[i], e_ex = E_ex[i], e_in = E_in[i], gl = g_L[i];
      const double v_th = V_th[i], v_reset = V_reset[i];
      const double rise_ex = tau_rise_ex[i], decay_ex = tau_decay_ex[i];
      const double rise_in = tau_rise_in[i], decay_in = tau_decay_in[i];
      const double ie = I_e[i], is = I_stim[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = refr ? v_reset : std::min(x[0], v_th);
        const double i_syn_ex = x[2] * (V - e_ex);
        const double i_syn_in = x[4] * (V - e_in);
        const double i_leak = gl * (V - e_l);
        f[0] = refr ? 0.0 : (-i_leak - i_syn_ex - i_syn_in + is + ie) / c_m;
        // NEST's form: dg decays with tau_decay, g with tau_rise
        f[1] = -x[1] / decay_ex;
        f[2] = x[1] - (x[2] / rise_ex);
        f[3] = -x[3] / decay_in;
        f[4] = x[3] - (x[4] / rise_in);
      };
      solver.integrate(rhs, h, h_int[i], s);
      if (refractory[i] > 0) {
        --refractory[i];
        s[0] = v_reset;
      } else if (s[0] >= v_th) {
        refractory[i] = ref_counts[i];
        s[0] = v_reset;
        emit(ctx, i);
      }
      s[1] += ex[i] * psc_ex[i];
      s[3] += -in[i] * psc_in[i];
      I_stim[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(
    iaf_cond_beta,
    Define<IafCondBeta>("iaf_cond_beta")
        .param("C_m", &IafCondBeta::C_m)
        .param("E_L", &IafCondBeta::E_L)
        .param("E_ex", &IafCondBeta::E_ex)
        .param("E_in", &IafCondBeta::E_in)
        .param("I_e", &IafCondBeta::I_e)
        .param("V_m", &IafCondBeta::V_m)
        .param("V_reset", &IafCondBeta::V_reset)
        .param("V_th", &IafCondBeta::V_th)
        .param("g_L", &IafCondBeta::g_L)
        .param("t_ref", &IafCondBeta::t_ref)
        .param("tau_rise_ex", &IafCondBeta::tau_rise_ex)
        .param("tau_decay_ex", &IafCondBeta::tau_decay_ex)
        .param("tau_rise_in", &IafCondBeta::tau_rise_in)
        .param("tau_decay_in", &IafCondBeta::tau_decay_in)
        .check("C_m", ">", 0.0)
        .check("t_ref", ">=", 0.0)
        .check("tau_rise_ex", ">", 0.0)
        .check("tau_decay_ex", ">", 0.0)
        .check("tau_rise_in", ">", 0.0)
        .check("tau_decay_in", ">", 0.0)
        .check("V_reset", "<", "V_th")
        .record("V_m", [](const IafCondBeta& m, size_t i) { return m.y[5 * i]; })
        .record("g_ex", [](const IafCondBeta& m, size_t i) { return m.y[5 * i + 2]; })
        .record("g_in", [](const IafCondBeta& m, size_t i) { return m.y[5 * i + 4]; })
        .record("t_ref_remaining", [](const IafCondBeta& m, size_t i) {
          return m.h * double(m.refractory[i]);
        }));

}  // namespace sd
