// mat2_psc_exp: non-resetting leaky integrate-and-fire with exponential synaptic currents and a
// multi-timescale adaptive threshold (Kobayashi et al. 2009), exact integration in NEST's update
// order: V_m with the currents of the previous step, decay the two threshold components,
// decay the currents and add this step's spikes; outside the refractory period a spike when
// V_m >= omega + V_th_1 + V_th_2, which raises V_th_1 by alpha_1 and V_th_2 by alpha_2. V_m is
// not reset. Voltages are kept relative to E_L as NEST does.
#include "../model.h"

namespace sd {

struct Mat2PscExp : Population {
  std::vector<double> C_m, E_L, I_e, V_m, alpha_1, alpha_2, omega, t_ref, tau_1, tau_2, tau_m,
      tau_syn_ex, tau_syn_in;
  std::vector<double> v, th1, th2, i_ex, i_in, i0, omega_rel;  // state (v, omega_rel from E_L)
  std::vector<double> P11ex, P11in, P22_expm1, P21ex, P21in, P20, P11th, P22th;
  std::vector<long> r, ref_counts;

  void init() override {
    v.resize(n);
    omega_rel.resize(n);
    for (size_t i = 0; i < n; ++i) {
      v[i] = V_m[i] - E_L[i];
      omega_rel[i] = omega[i] - E_L[i];
    }
    for (auto* x : {&th1, &th2, &i_ex, &i_in, &i0}) x->assign(n, 0.0);
    for (auto* x : {&P11ex, &P11in, &P22_expm1, &P21ex, &P21in, &P20, &P11th, &P22th})
      x->resize(n);
    r.assign(n, 0);
    ref_counts.resize(n);
  }
  void prepare(double h) override {
    for (size_t i = 0; i < n; ++i) {
      const double tm = tau_m[i], c = C_m[i], te = tau_syn_ex[i], ti = tau_syn_in[i];
      P11ex[i] = std::exp(-h / te);
      P11in[i] = std::exp(-h / ti);
      P22_expm1[i] = std::expm1(-h / tm);
      P21ex[i] = -tm / (c * (1.0 - tm / te)) * P11ex[i] * std::expm1(h * (1.0 / te - 1.0 / tm));
      P21in[i] = -tm / (c * (1.0 - tm / ti)) * P11in[i] * std::expm1(h * (1.0 / ti - 1.0 / tm));
      P20[i] = -tm / c * P22_expm1[i];
      P11th[i] = std::exp(-h / tau_1[i]);
      P22th[i] = std::exp(-h / tau_2[i]);
      ref_counts[i] = steps(t_ref[i], h);
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      v[i] = v[i] * P22_expm1[i] + v[i] + i_ex[i] * P21ex[i] + i_in[i] * P21in[i] +
             (I_e[i] + i0[i]) * P20[i];
      th1[i] *= P11th[i];
      th2[i] *= P22th[i];
      i_ex[i] *= P11ex[i];
      i_in[i] *= P11in[i];
      i_ex[i] += ex[i];
      i_in[i] += in[i];
      if (r[i] == 0) {
        if (v[i] >= omega_rel[i] + th2[i] + th1[i]) {
          r[i] = ref_counts[i];
          th1[i] += alpha_1[i];
          th2[i] += alpha_2[i];
          emit(ctx, i);
        }
      } else {
        --r[i];
      }
      i0[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(
    mat2_psc_exp,
    Define<Mat2PscExp>("mat2_psc_exp")
        .param("C_m", &Mat2PscExp::C_m)
        .param("E_L", &Mat2PscExp::E_L)
        .param("I_e", &Mat2PscExp::I_e)
        .param("V_m", &Mat2PscExp::V_m)
        .param("alpha_1", &Mat2PscExp::alpha_1)
        .param("alpha_2", &Mat2PscExp::alpha_2)
        .param("omega", &Mat2PscExp::omega)
        .param("t_ref", &Mat2PscExp::t_ref)
        .param("tau_1", &Mat2PscExp::tau_1)
        .param("tau_2", &Mat2PscExp::tau_2)
        .param("tau_m", &Mat2PscExp::tau_m)
        .param("tau_syn_ex", &Mat2PscExp::tau_syn_ex)
        .param("tau_syn_in", &Mat2PscExp::tau_syn_in)
        .check("C_m", ">", 0.0)
        .check("tau_m", ">", 0.0)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .check("tau_1", ">", 0.0)
        .check("tau_2", ">", 0.0)
        .check("t_ref", ">", 0.0)
        .check("t_ref", ">=", "resolution")
        .check("tau_m", "!=", "tau_syn_ex")
        .check("tau_m", "!=", "tau_syn_in")
        .record("V_m", [](const Mat2PscExp& m, size_t i) { return m.v[i] + m.E_L[i]; })
        .record("V_th", [](const Mat2PscExp& m, size_t i) {
          return m.E_L[i] + m.omega_rel[i] + m.th1[i] + m.th2[i];
        }));

}  // namespace sd
