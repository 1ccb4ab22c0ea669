// iaf_psc_exp: leaky integrate-and-fire with exponential synaptic currents, exact integration.
#include "exact_integration.h"

namespace sd {

struct IafPscExp : IafMembrane {
  std::vector<double> tau_syn_ex, tau_syn_in;
  std::vector<double> i_ex, i_in, P11ex, P11in, P21ex, P21in;

  void init() override {
    IafMembrane::init();
    i_ex.assign(n, 0.0);
    i_in.assign(n, 0.0);
    P11ex.resize(n);
    P11in.resize(n);
    P21ex.resize(n);
    P21in.resize(n);
  }
  void prepare(double h) override {
    IafMembrane::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      P11ex[i] = std::exp(-h / tau_syn_ex[i]);
      P11in[i] = std::exp(-h / tau_syn_in[i]);
      P21ex[i] = Propagators::p32(tau_syn_ex[i], tau_m[i], C_m[i], h);
      P21in[i] = Propagators::p32(tau_syn_in[i], tau_m[i], C_m[i], h);
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      if (refractory[i] == 0)
        y3[i] = y3[i] * P33[i] + i_ex[i] * P21ex[i] + i_in[i] * P21in[i] + (I_e[i] + y0[i]) * P30[i];
      else
        --refractory[i];
      i_ex[i] = i_ex[i] * P11ex[i] + ex[i];
      i_in[i] = i_in[i] * P11in[i] + in[i];
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        emit(ctx, i);
      }
      y0[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(iaf_psc_exp,
                  define_iaf_membrane<IafPscExp>("iaf_psc_exp", false)
                      .param("tau_syn_ex", &IafPscExp::tau_syn_ex)
                      .param("tau_syn_in", &IafPscExp::tau_syn_in)
                      .check("tau_syn_ex", ">", 0.0)
                      .check("tau_syn_in", ">", 0.0)
                      .record("I_syn_ex", [](const IafPscExp& m, size_t i) { return m.i_ex[i]; })
                      .record("I_syn_in", [](const IafPscExp& m, size_t i) { return m.i_in[i]; })
                      .record("V_m", [](const IafPscExp& m, size_t i) {
                        return IafMembrane::v_m(m, i);
                      }));

}  // namespace sd
