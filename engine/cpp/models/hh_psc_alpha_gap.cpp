// hh_psc_alpha_gap: the Hodgkin-Huxley neuron of Mancilla et al. (2007) with Kv1 and Kv3
// potassium channels and alpha-shaped synaptic currents, coupled to its partners by gap
// junctions (NEST's hh_psc_alpha_gap). The gap current -sum_j g_ij V + sum_j g_ij V_j(t) uses
// the partners' V_j over the step as a polynomial in t / h (interpolation order 0, 1 or 3),
// from the network's waveform relaxation (Network::relax): wfr_update() integrates the slice
// with the partners' last coefficients and leaves the state as it was, except the solver's
// step size, as NEST keeps IntegrationStep_ outside the saved state. Integrated with NEST's
// rkf45 control y_new(1e-6, 0).
// State per neuron: V_m, m, h, n, p, dI_ex, I_ex, dI_in, I_in.
#include "../model.h"
#include "../solvers/rkf45.h"

namespace sd {

struct HhPscAlphaGap : Population {
  static constexpr size_t kDim = 9;
  std::vector<double> t_ref, g_Na, g_Kv1, g_Kv3, g_L, C_m, E_Na, E_K, E_L, tau_ex, tau_in, I_e;
  std::vector<double> V_m, Act_m, Inact_h, Act_n, Inact_p;  // initial state
  std::vector<double> y;
  std::vector<double> I_stim, h_int;
  std::vector<long> refractory, ref_counts;
  std::vector<double> psc_ex, psc_in;
  double h = 0.1;

  void init() override {
    y.assign(kDim * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &y[kDim * i];
      s[0] = V_m[i];
      s[1] = Act_m[i];
      s[2] = Inact_h[i];
      s[3] = Act_n[i];
      s[4] = Inact_p[i];
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
      if (h_int[i] == 0.0) h_int[i] = h;
    }
  }

  // The right-hand side of neuron i in step `lag` of the slice (the gap current from the
  // partners' coefficients of that step); t is the time within the step.
  struct Rhs {
    const HhPscAlphaGap& m;
    size_t i;
    const double* coeff;  // nullptr: no gap input (no coefficients yet)
    double sum_g;
    size_t per;
    void operator()(double time, const double* x, double* f) const {
      const size_t k = i;
      const double V = x[0], mm = x[1], hh = x[2], nn = x[3], p = x[4];
      const double alpha_m = 40. * (V - 75.5) / (1. - std::exp(-(V - 75.5) / 13.5));
      const double beta_m = 1.2262 / std::exp(V / 42.248);
      const double alpha_h = 0.0035 / std::exp(V / 24.186);
      const double beta_h = 0.017 * (51.25 + V) / (1. - std::exp(-(51.25 + V) / 5.2));
      const double alpha_p = (V - 95.) / (1. - std::exp(-(V - 95.) / 11.8));
      const double beta_p = 0.025 / std::exp(V / 22.222);
      const double alpha_n = 0.014 * (V + 44.) / (1. - std::exp(-(V + 44.) / 2.3));
      const double beta_n = 0.0043 / std::exp((V + 44.) / 34.);
      const double I_Na = m.g_Na[k] * mm * mm * mm * hh * (V - m.E_Na[k]);
      const double I_K = (m.g_Kv1[k] * nn * nn * nn * nn + m.g_Kv3[k] * p * p) * (V - m.E_K[k]);
      const double I_L = m.g_L[k] * (V - m.E_L[k]);
      double gap = -sum_g * V;
      if (coeff != nullptr) {
        const double t = time / m.h;
        gap += coeff[0];
        if (per == 2) gap += coeff[1] * t;
        if (per == 4) gap += coeff[1] * t + coeff[2] * t * t + coeff[3] * t * t * t;
      }
      f[0] = (-(I_Na + I_K + I_L) + m.I_stim[k] + m.I_e[k] + x[6] + x[8] + gap) / m.C_m[k];
      f[1] = alpha_m * (1 - x[1]) - beta_m * x[1];
      f[2] = alpha_h * (1 - x[2]) - beta_h * x[2];
      f[4] = alpha_p * (1 - x[4]) - beta_p * x[4];
      f[3] = alpha_n * (1 - x[3]) - beta_n * x[3];
      f[5] = -x[5] / m.tau_ex[k];
      f[6] = x[5] - (x[6] / m.tau_ex[k]);
      f[7] = -x[7] / m.tau_in[k];
      f[8] = x[7] - (x[8] / m.tau_in[k]);
    }
  };
  Rhs rhs_of(size_t i, long step) const {
    if (gap == nullptr) return {*this, i, nullptr, 0.0, 1};
    const size_t lag = size_t(step % long(gap->slice));
    return {*this, i, gap->in_of(i, lag), gap->sum_g[i], gap->per};
  }
  Rkf45Evolve<kDim> solver() const {
    Rkf45Evolve<kDim> s;
    s.eps_abs = 1e-6;
    return s;
  }

  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const Rkf45Evolve<kDim> ode = solver();
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      double* s = &y[kDim * i];
      const double u_old = s[0];
      ode.integrate(rhs_of(i, ctx.step), h, h_int[i], s);
      s[5] += ex[i] * psc_ex[i];
      s[7] += in[i] * psc_in[i];
      if (refractory[i] > 0) {
        --refractory[i];
      } else if (s[0] >= 0.0 && u_old > s[0]) {
        refractory[i] = ref_counts[i];
        emit(ctx, i);
      }
      I_stim[i] = ctx.current[i];
    }
  }

  bool wfr_update(size_t b, size_t e, size_t stride, const WfrContext& ctx) override {
    const Rkf45Evolve<kDim> ode = solver();
    bool exceeded = false;
    const size_t per = gap->per;
    double f[kDim];
    for (size_t i = b; i < e; i += stride) {
      double s[kDim];
      std::copy(&y[kDim * i], &y[kDim * i] + kDim, s);  // the state is restored after the pass
      for (size_t lag = 0; lag < gap->slice; ++lag) {
        const Rhs f_lag = rhs_of(i, ctx.t0 + long(lag));
        const double y_i = s[0];
        double hf_i = 0.0;
        if (per == 4) {
          f_lag(0.0, s, f);
          hf_i = h * f[0];
        }
        ode.integrate(f_lag, h, h_int[i], s);
        const double* input = ctx.input(long(lag)) + input_offset;
        s[5] += input[i] * psc_ex[i];
        s[7] += input[n + i] * psc_in[i];
        double& last = gap->last_y[i * gap->slice + lag];
        exceeded = exceeded || std::fabs(s[0] - last) > gap->tol;
        last = s[0];
        double* out = gap->out_of(i, lag);
        out[0] = y_i;
        if (per == 2) out[1] = s[0] - y_i;
        if (per == 4) {
          const double y_ip1 = s[0];
          f_lag(h, s, f);
          const double hf_ip1 = h * f[0];
          out[1] = hf_i;
          out[2] = -3 * y_i + 3 * y_ip1 - 2 * hf_i - hf_ip1;
          out[3] = 2 * y_i - 2 * y_ip1 + hf_i + hf_ip1;
        }
      }
    }
    return !exceeded;
  }

  void end_gap_slice(size_t b, size_t e, size_t stride) override {
    for (size_t i = b; i < e; i += stride) {
      for (size_t lag = 0; lag < gap->slice; ++lag) {
        double* out = gap->out_of(i, lag);
        std::fill(out, out + gap->per, 0.0);
        out[0] = y[kDim * i];
        gap->last_y[i * gap->slice + lag] = 0.0;
      }
    }
  }
};

SD_REGISTER_MODEL(
    hh_psc_alpha_gap,
    Define<HhPscAlphaGap>("hh_psc_alpha_gap")
        .gap_junctions()
        .param("C_m", &HhPscAlphaGap::C_m)
        .param("E_K", &HhPscAlphaGap::E_K)
        .param("E_L", &HhPscAlphaGap::E_L)
        .param("E_Na", &HhPscAlphaGap::E_Na)
        .param("I_e", &HhPscAlphaGap::I_e)
        .param("g_Kv1", &HhPscAlphaGap::g_Kv1)
        .param("g_Kv3", &HhPscAlphaGap::g_Kv3)
        .param("g_L", &HhPscAlphaGap::g_L)
        .param("g_Na", &HhPscAlphaGap::g_Na)
        .param("t_ref", &HhPscAlphaGap::t_ref)
        .param("tau_syn_ex", &HhPscAlphaGap::tau_ex)
        .param("tau_syn_in", &HhPscAlphaGap::tau_in)
        .param("V_m", &HhPscAlphaGap::V_m)
        .param("Act_m", &HhPscAlphaGap::Act_m)
        .param("Inact_h", &HhPscAlphaGap::Inact_h)
        .param("Act_n", &HhPscAlphaGap::Act_n)
        .param("Inact_p", &HhPscAlphaGap::Inact_p)
        .check("C_m", ">", 0.0)
        .check("t_ref", ">=", 0.0)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .check("g_Kv1", ">=", 0.0)
        .check("g_Kv3", ">=", 0.0)
        .check("g_Na", ">=", 0.0)
        .check("g_L", ">=", 0.0)
        .record("V_m", [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i]; })
        .record("I_syn_ex",
                [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i + 6]; })
        .record("I_syn_in",
                [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i + 8]; })
        .record("Act_m",
                [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i + 1]; })
        .record("Inact_h",
                [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i + 2]; })
        .record("Act_n",
                [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i + 3]; })
        .record("Inact_p",
                [](const HhPscAlphaGap& m, size_t i) { return m.y[HhPscAlphaGap::kDim * i + 4]; }));

}  // namespace sd
