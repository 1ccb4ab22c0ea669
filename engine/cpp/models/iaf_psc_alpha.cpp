// iaf_psc_alpha: leaky integrate-and-fire with alpha-shaped synaptic currents, exact
// integration.
#include "exact_integration.h"

namespace sd {

struct IafPscAlpha : IafMembrane {
  std::vector<double> tau_syn_ex, tau_syn_in;
  std::vector<double> dI_ex, I_ex, dI_in, I_in;
  std::vector<double> P11ex, P21ex, P31ex, P32ex, P11in, P21in, P31in, P32in, expm1_tau_m;

  void init() override {
    IafMembrane::init();
    for (auto* v : {&dI_ex, &I_ex, &dI_in, &I_in}) v->assign(n, 0.0);
    for (auto* v : {&P11ex, &P21ex, &P31ex, &P32ex, &P11in, &P21in, &P31in, &P32in, &expm1_tau_m})
      v->resize(n);
  }
  void prepare(double h) override {
    IafMembrane::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      P11ex[i] = std::exp(-h / tau_syn_ex[i]);
      P11in[i] = std::exp(-h / tau_syn_in[i]);
      P21ex[i] = h * P11ex[i];
      P21in[i] = h * P11in[i];
      P31ex[i] = Propagators::p31(tau_syn_ex[i], tau_m[i], C_m[i], h);
      P32ex[i] = Propagators::p32(tau_syn_ex[i], tau_m[i], C_m[i], h);
      P31in[i] = Propagators::p31(tau_syn_in[i], tau_m[i], C_m[i], h);
      P32in[i] = Propagators::p32(tau_syn_in[i], tau_m[i], C_m[i], h);
      expm1_tau_m[i] = std::expm1(-h / tau_m[i]);
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      if (refractory[i] == 0) {
        y3[i] = P30[i] * (y0[i] + I_e[i]) + P31ex[i] * dI_ex[i] + P32ex[i] * I_ex[i] +
                P31in[i] * dI_in[i] + P32in[i] * I_in[i] + expm1_tau_m[i] * y3[i] + y3[i];
        y3[i] = y3[i] < v_min[i] ? v_min[i] : y3[i];
      } else {
        --refractory[i];
      }
      I_ex[i] = P21ex[i] * dI_ex[i] + P11ex[i] * I_ex[i];
      dI_ex[i] = P11ex[i] * dI_ex[i] + M_E / tau_syn_ex[i] * ex[i];
      I_in[i] = P21in[i] * dI_in[i] + P11in[i] * I_in[i];
      dI_in[i] = P11in[i] * dI_in[i] + M_E / tau_syn_in[i] * in[i];
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        emit(ctx, i);
      }
      y0[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(iaf_psc_alpha,
                  define_iaf_membrane<IafPscAlpha>("iaf_psc_alpha", true)
                      .param("tau_syn_ex", &IafPscAlpha::tau_syn_ex)
                      .param("tau_syn_in", &IafPscAlpha::tau_syn_in)
                      .check("tau_syn_ex", ">", 0.0)
                      .check("tau_syn_in", ">", 0.0)
                      .record("I_syn_ex", [](const IafPscAlpha& m, size_t i) { return m.I_ex[i]; })
                      .record("I_syn_in", [](const IafPscAlpha& m, size_t i) { return m.I_in[i]; })
                      .record("V_m", [](const IafPscAlpha& m, size_t i) {
                        return IafMembrane::v_m(m, i);
                      }));

}  // namespace sd
