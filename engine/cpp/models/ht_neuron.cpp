// ht_neuron: the Hill & Tononi (2005) point neuron as NEST has it: leak currents, a dynamic
// threshold theta, a repolarizing potassium current during t_ref instead of a reset, beta-
// shaped AMPA, NMDA, GABA_A and GABA_B conductances (receptor ports 1..4; a spike adds
// weight x g_peak x the beta normalization to the conductance's derivative) with a voltage-
// dependent NMDA unblock (two-stage, fast and slow, unless instant_unblock_NMDA), and the
// intrinsic currents I_NaP, I_KNa, I_T and I_h. Conductances are dimensionless and currents
// are in mV (divided by tau_m); the current input drives V_m in the same way.
//
// Integration as NEST: rkf45 with control eps_abs 1e-3 (solvers/rkf45.h); after every
// accepted solver step (not only at the end of the resolution step) the voltage clamp is
// enforced, the NMDA unblock variables are capped at their equilibrium (instantaneous
// blocking) and a spike is detected (V_m >= theta outside the refractory time): V_m and theta
// jump to E_Na and the repolarizing current runs for t_ref. The recorded intrinsic currents
// are the values of the last right-hand-side evaluation, i.e. at the state after the step's
// last solver step (before a spike's jump).
//
// State per neuron: V_m, theta, dg/g for AMPA, NMDA, GABA_A, GABA_B, m_fast_NMDA,
// m_slow_NMDA, m_Ih, D_IKNa, m_IT, h_IT. V_m and theta start at their parameters; the gating
// variables, as in NEST, at their equilibrium for the default resting potential (-70 mV) and
// the default NMDA and KNa parameters, whatever V_m and the parameters are.
#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {
namespace {

enum : size_t {
  kV = 0,
  kTheta,
  kDgAmpa,
  kGAmpa,
  kDgNmda,
  kGNmda,
  kDgGabaA,
  kGGabaA,
  kDgGabaB,
  kGGabaB,
  kMFastNmda,
  kMSlowNmda,
  kMIh,
  kDIKNa,
  kMIT,
  kHIT,
  kDim
};

inline double m_eq_h(double V) { return 1.0 / (1.0 + std::exp((V - -75.0) / 5.5)); }
inline double h_eq_T(double V) { return 1.0 / (1.0 + std::exp((V + 83.0) / 4.0)); }
inline double m_eq_T(double V) { return 1.0 / (1.0 + std::exp(-(V + 59.0) / 6.2)); }
inline double D_eq_KNa(double V, double tau_D) {
  const double influx = 0.025 / (1.0 + std::exp(-(V - -10.0) / 5.0));
  return tau_D * influx + 0.001;
}
inline double m_eq_NMDA(double V, double S_act, double V_act) {
  return 1.0 / (1.0 + std::exp(-S_act * (V - V_act)));
}
inline double m_NMDA(double V, double m_eq, double m_fast, double m_slow, bool instant) {
  const double A1 = 0.51 - 0.0028 * V;
  const double A2 = 1 - A1;
  return instant ? m_eq : A1 * m_fast + A2 * m_slow;
}

// The peak of a difference of exponentials with these time constants is 1 after a jump of
// this size in its derivative (NEST's beta normalization; alpha function if they coincide).
double beta_normalization(double tau_rise, double tau_decay) {
  const double diff = tau_decay - tau_rise;
  double peak = 0.0;
  if (std::abs(diff) > std::numeric_limits<double>::epsilon()) {
    const double t_peak = tau_decay * tau_rise * std::log(tau_decay / tau_rise) / diff;
    peak = std::exp(-t_peak / tau_decay) - std::exp(-t_peak / tau_rise);
  }
  if (std::abs(peak) < std::numeric_limits<double>::epsilon()) return M_E / tau_decay;
  return (1. / tau_rise - 1. / tau_decay) / peak;
}

}  // namespace

struct HtNeuron : Population {
  std::vector<double> E_Na, E_K, g_NaL, g_KL, tau_m, theta_eq, tau_theta, tau_spike, t_ref;
  std::vector<double> g_peak_AMPA, tau_rise_AMPA, tau_decay_AMPA, E_rev_AMPA;
  std::vector<double> g_peak_NMDA, tau_rise_NMDA, tau_decay_NMDA, E_rev_NMDA, V_act_NMDA,
      S_act_NMDA, tau_Mg_slow_NMDA, tau_Mg_fast_NMDA, instant_unblock_NMDA;
  std::vector<double> g_peak_GABA_A, tau_rise_GABA_A, tau_decay_GABA_A, E_rev_GABA_A;
  std::vector<double> g_peak_GABA_B, tau_rise_GABA_B, tau_decay_GABA_B, E_rev_GABA_B;
  std::vector<double> g_peak_NaP, E_rev_NaP, N_NaP, g_peak_KNa, E_rev_KNa, tau_D_KNa;
  std::vector<double> g_peak_T, E_rev_T, N_T, g_peak_h, E_rev_h, voltage_clamp;
  std::vector<double> V_m, theta;  // initial state

  std::vector<double> y;        // kDim values per neuron
  std::vector<double> currents; // I_NaP, I_KNa, I_T, I_h per neuron (recorded)
  std::vector<double> I_stim;   // current input of the previous step
  std::vector<double> h_int;    // the integrator's step size carried between steps (ms)
  std::vector<double> V_clamp;  // V_m at the start of the run
  std::vector<double> cond_steps;  // per neuron and receptor: g_peak x beta normalization
  std::vector<long> refractory, ref_counts;
  double h = 0.1;
  static constexpr size_t kMaxSteps = 100000;

  void init() override {
    // NEST builds every ht_neuron from a prototype whose gating variables are at equilibrium
    // for the default parameters' resting potential; setting V_m or parameters later leaves
    // them there. The same here, so that traces agree with NEST for any V_m.
    const double V0 = (0.2 * 30.0 + 1.0 * -90.0) / (0.2 + 1.0);  // defaults of g_NaL, E_Na, ...
    const double m_nmda0 = m_eq_NMDA(V0, 0.081, -25.57);
    y.assign(kDim * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &y[kDim * i];
      s[kV] = V_m[i];
      s[kTheta] = theta[i];
      s[kMFastNmda] = m_nmda0;
      s[kMSlowNmda] = m_nmda0;
      s[kMIh] = m_eq_h(V0);
      s[kDIKNa] = D_eq_KNa(V0, 1250.0);
      s[kMIT] = m_eq_T(V0);
      s[kHIT] = h_eq_T(V0);
    }
    currents.assign(4 * n, 0.0);
    I_stim.assign(n, 0.0);
    h_int.assign(n, 0.0);
    V_clamp.assign(n, 0.0);
    cond_steps.assign(4 * n, 0.0);
    refractory.assign(n, 0);
    ref_counts.assign(n, 0);
  }
  size_t ports() const override { return 4; }

  void prepare(double step) override {
    h = step;
    for (size_t i = 0; i < n; ++i) {
      double* c = &cond_steps[4 * i];
      c[0] = g_peak_AMPA[i] * beta_normalization(tau_rise_AMPA[i], tau_decay_AMPA[i]);
      c[1] = g_peak_NMDA[i] * beta_normalization(tau_rise_NMDA[i], tau_decay_NMDA[i]);
      c[2] = g_peak_GABA_A[i] * beta_normalization(tau_rise_GABA_A[i], tau_decay_GABA_A[i]);
      c[3] = g_peak_GABA_B[i] * beta_normalization(tau_rise_GABA_B[i], tau_decay_GABA_B[i]);
      ref_counts[i] = steps(t_ref[i], h);
      V_clamp[i] = y[kDim * i + kV];
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
    }
  }

  // The intrinsic currents at membrane potential V and state s (mV).
  void intrinsic(size_t i, double V, const double* s, double* out) const {
    const double m_inf_NaP = 1.0 / (1.0 + std::exp(-(V - -55.7) / 7.7));
    out[0] = -g_peak_NaP[i] * std::pow(m_inf_NaP, N_NaP[i]) * (V - E_rev_NaP[i]);
    const double m_inf_KNa = 1.0 / (1.0 + std::pow(0.25 / s[kDIKNa], 3.5));
    out[1] = -g_peak_KNa[i] * m_inf_KNa * (V - E_rev_KNa[i]);
    out[2] = -g_peak_T[i] * std::pow(s[kMIT], N_T[i]) * s[kHIT] * (V - E_rev_T[i]);
    out[3] = -g_peak_h[i] * s[kMIh] * (V - E_rev_h[i]);
  }

  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const Rkf45Evolve<kDim> solver;
    for (size_t i = b; i < e; i += stride) {
      double* s = &y[kDim * i];
      const bool clamp = voltage_clamp[i] != 0.0, instant = instant_unblock_NMDA[i] != 0.0;
      const double v_clamp = V_clamp[i], drive = I_stim[i];
      const double e_na = E_Na[i], e_k = E_K[i], g_nal = g_NaL[i], g_kl = g_KL[i];
      const double tm = tau_m[i], th_eq = theta_eq[i], tau_th = tau_theta[i];
      const double tau_sp = tau_spike[i];
      const double s_act = S_act_NMDA[i], v_act = V_act_NMDA[i];
      const double e_ampa = E_rev_AMPA[i], e_nmda = E_rev_NMDA[i], e_ga = E_rev_GABA_A[i],
                   e_gb = E_rev_GABA_B[i];
      const double tr_ampa = tau_rise_AMPA[i], td_ampa = tau_decay_AMPA[i];
      const double tr_nmda = tau_rise_NMDA[i], td_nmda = tau_decay_NMDA[i];
      const double tr_ga = tau_rise_GABA_A[i], td_ga = tau_decay_GABA_A[i];
      const double tr_gb = tau_rise_GABA_B[i], td_gb = tau_decay_GABA_B[i];
      const double t_fast = tau_Mg_fast_NMDA[i], t_slow = tau_Mg_slow_NMDA[i];
      const double tau_d = tau_D_KNa[i];
      long& ref = refractory[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = clamp ? v_clamp : x[kV];
        const double m_eq = m_eq_NMDA(V, s_act, v_act);
        const double m_fast = std::min(m_eq, x[kMFastNmda]);
        const double m_slow = std::min(m_eq, x[kMSlowNmda]);
        const double m = m_NMDA(V, m_eq, m_fast, m_slow, instant);
        const double i_syn = -x[kGAmpa] * (V - e_ampa) - x[kGNmda] * m * (V - e_nmda) -
                             x[kGGabaA] * (V - e_ga) - x[kGGabaB] * (V - e_gb);
        const double i_spike = ref > 0 ? -(V - e_k) / tau_sp : 0.0;
        const double i_na = -g_nal * (V - e_na);
        const double i_k = -g_kl * (V - e_k);
        double ic[4];
        intrinsic(i, V, x, ic);
        f[kV] = (i_na + i_k + i_syn + ic[0] + ic[1] + ic[2] + ic[3] + drive) / tm + i_spike;
        f[kTheta] = -(x[kTheta] - th_eq) / tau_th;
        f[kDgAmpa] = -x[kDgAmpa] / tr_ampa;
        f[kGAmpa] = x[kDgAmpa] - x[kGAmpa] / td_ampa;
        f[kDgNmda] = -x[kDgNmda] / tr_nmda;
        f[kGNmda] = x[kDgNmda] - x[kGNmda] / td_nmda;
        f[kMFastNmda] = (m_eq - m_fast) / t_fast;
        f[kMSlowNmda] = (m_eq - m_slow) / t_slow;
        f[kDgGabaA] = -x[kDgGabaA] / tr_ga;
        f[kGGabaA] = x[kDgGabaA] - x[kGGabaA] / td_ga;
        f[kDgGabaB] = -x[kDgGabaB] / tr_gb;
        f[kGGabaB] = x[kDgGabaB] - x[kGGabaB] / td_gb;
        f[kDIKNa] = (D_eq_KNa(V, tau_d) - x[kDIKNa]) / tau_d;
        const double tau_m_T =
            0.22 / (std::exp(-(V + 132.0) / 16.7) + std::exp((V + 16.8) / 18.2)) + 0.13;
        const double tau_h_T =
            8.2 + (56.6 + 0.27 * std::exp((V + 115.2) / 5.0)) / (1.0 + std::exp((V + 86.0) / 3.2));
        f[kMIT] = (m_eq_T(V) - x[kMIT]) / tau_m_T;
        f[kHIT] = (h_eq_T(V) - x[kHIT]) / tau_h_T;
        const double tau_m_h = 1.0 / (std::exp(-14.59 - 0.086 * V) + std::exp(-1.87 + 0.0701 * V));
        f[kMIh] = (m_eq_h(V) - x[kMIh]) / tau_m_h;
      };
      // NEST's loop over solver steps, with the checks after each one
      double t = 0.0, v_last = s[kV];
      for (size_t k = 0; t < h; ++k) {
        if (k == kMaxSteps || !std::isfinite(s[kV]))
          throw std::runtime_error(
              "the ODE solver did not converge within one time step (state is not finite or "
              "needs more than " + std::to_string(kMaxSteps) + " sub-steps); check the inputs");
        solver.apply(rhs, t, h, h_int[i], s);
        v_last = s[kV];
        if (clamp) s[kV] = v_clamp;
        const double m_eq = m_eq_NMDA(s[kV], s_act, v_act);
        s[kMFastNmda] = std::min(m_eq, s[kMFastNmda]);
        s[kMSlowNmda] = std::min(m_eq, s[kMSlowNmda]);
        if (ref == 0 && s[kV] >= s[kTheta]) {
          s[kV] = e_na;
          s[kTheta] = e_na;
          ref = ref_counts[i] + 1;  // one less at the end of this step
          emit(ctx, i);
        }
      }
      if (!std::isfinite(s[kV]))
        throw std::runtime_error("the membrane potential is not finite; check the inputs");
      intrinsic(i, clamp ? v_clamp : v_last, s, &currents[4 * i]);
      if (ref > 0) --ref;
      const double* c = &cond_steps[4 * i];
      for (size_t r = 0; r < 4; ++r) s[kDgAmpa + 2 * r] += c[r] * ctx.input[r * n + i];
      I_stim[i] = ctx.current[i];
    }
  }

  double g_nmda(size_t i) const {
    const double* s = &y[kDim * i];
    const double V = s[kV];
    return s[kGNmda] * m_NMDA(V, m_eq_NMDA(V, S_act_NMDA[i], V_act_NMDA[i]), s[kMFastNmda],
                              s[kMSlowNmda], instant_unblock_NMDA[i] != 0.0);
  }
};

#define HT_P(name) .param(#name, &HtNeuron::name)
#define HT_POSITIVE(name) .check(#name, ">", 0.0)
#define HT_NONNEGATIVE(name) .check(#name, ">=", 0.0)

SD_REGISTER_MODEL(
    ht_neuron,
    Define<HtNeuron>("ht_neuron")
        .receptors({"AMPA", "NMDA", "GABA_A", "GABA_B"})
        HT_P(E_Na) HT_P(E_K) HT_P(g_NaL) HT_P(g_KL) HT_P(tau_m) HT_P(theta_eq) HT_P(tau_theta)
        HT_P(tau_spike) HT_P(t_ref)
        HT_P(g_peak_AMPA) HT_P(tau_rise_AMPA) HT_P(tau_decay_AMPA) HT_P(E_rev_AMPA)
        HT_P(g_peak_NMDA) HT_P(tau_rise_NMDA) HT_P(tau_decay_NMDA) HT_P(E_rev_NMDA)
        HT_P(V_act_NMDA) HT_P(S_act_NMDA) HT_P(tau_Mg_slow_NMDA) HT_P(tau_Mg_fast_NMDA)
        HT_P(instant_unblock_NMDA)
        HT_P(g_peak_GABA_A) HT_P(tau_rise_GABA_A) HT_P(tau_decay_GABA_A) HT_P(E_rev_GABA_A)
        HT_P(g_peak_GABA_B) HT_P(tau_rise_GABA_B) HT_P(tau_decay_GABA_B) HT_P(E_rev_GABA_B)
        HT_P(g_peak_NaP) HT_P(E_rev_NaP) HT_P(N_NaP) HT_P(g_peak_KNa) HT_P(E_rev_KNa)
        HT_P(tau_D_KNa) HT_P(g_peak_T) HT_P(E_rev_T) HT_P(N_T) HT_P(g_peak_h) HT_P(E_rev_h)
        HT_P(voltage_clamp) HT_P(V_m) HT_P(theta)
        HT_NONNEGATIVE(g_peak_AMPA) HT_NONNEGATIVE(g_peak_NMDA) HT_NONNEGATIVE(g_peak_GABA_A)
        HT_NONNEGATIVE(g_peak_GABA_B) HT_NONNEGATIVE(g_peak_KNa) HT_NONNEGATIVE(S_act_NMDA)
        HT_NONNEGATIVE(g_peak_T) HT_NONNEGATIVE(g_peak_h) HT_NONNEGATIVE(g_peak_NaP)
        HT_NONNEGATIVE(g_KL) HT_NONNEGATIVE(g_NaL) HT_NONNEGATIVE(t_ref)
        HT_POSITIVE(tau_rise_AMPA) HT_POSITIVE(tau_decay_AMPA) HT_POSITIVE(tau_rise_GABA_A)
        HT_POSITIVE(tau_decay_GABA_A) HT_POSITIVE(tau_rise_GABA_B) HT_POSITIVE(tau_decay_GABA_B)
        HT_POSITIVE(tau_rise_NMDA) HT_POSITIVE(tau_decay_NMDA) HT_POSITIVE(tau_Mg_fast_NMDA)
        HT_POSITIVE(tau_Mg_slow_NMDA) HT_POSITIVE(tau_spike) HT_POSITIVE(tau_theta)
        HT_POSITIVE(tau_m) HT_POSITIVE(tau_D_KNa)
        .check("tau_rise_AMPA", "<", "tau_decay_AMPA")
        .check("tau_rise_GABA_A", "<", "tau_decay_GABA_A")
        .check("tau_rise_GABA_B", "<", "tau_decay_GABA_B")
        .check("tau_rise_NMDA", "<", "tau_decay_NMDA")
        .check("tau_Mg_fast_NMDA", "<", "tau_Mg_slow_NMDA")
        .record("V_m", [](const HtNeuron& m, size_t i) { return m.y[kDim * i + kV]; })
        .record("theta", [](const HtNeuron& m, size_t i) { return m.y[kDim * i + kTheta]; })
        .record("g_AMPA", [](const HtNeuron& m, size_t i) { return m.y[kDim * i + kGAmpa]; })
        .record("g_NMDA", [](const HtNeuron& m, size_t i) { return m.g_nmda(i); })
        .record("g_GABA_A", [](const HtNeuron& m, size_t i) { return m.y[kDim * i + kGGabaA]; })
        .record("g_GABA_B", [](const HtNeuron& m, size_t i) { return m.y[kDim * i + kGGabaB]; })
        .record("I_NaP", [](const HtNeuron& m, size_t i) { return m.currents[4 * i]; })
        .record("I_KNa", [](const HtNeuron& m, size_t i) { return m.currents[4 * i + 1]; })
        .record("I_T", [](const HtNeuron& m, size_t i) { return m.currents[4 * i + 2]; })
        .record("I_h", [](const HtNeuron& m, size_t i) { return m.currents[4 * i + 3]; }));

#undef HT_P
#undef HT_POSITIVE
#undef HT_NONNEGATIVE

}  // namespace sd
