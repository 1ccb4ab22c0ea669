// gif_psc_exp: generalized integrate-and-fire with escape noise, spike-frequency adaptation
// and spike-triggered currents (gif.h), exponential synaptic currents, exact integration of
// the membrane as NEST does: adaptation sums, then the currents decay and take this step's
// spikes, then (outside the refractory period) V_m with the new currents and the escape-noise
// decision.
#include "exact_integration.h"
#include "gif.h"

namespace sd {

struct GifPscExp : Gif {
  std::vector<double> tau_syn_ex, tau_syn_in;
  std::vector<double> v, i_ex, i_in, P11ex, P11in, P21ex, P21in, P30, P31, P33;

  void init() override {
    Gif::init();
    v = V_m;
    i_ex.assign(n, 0.0);
    i_in.assign(n, 0.0);
    for (auto* x : {&P11ex, &P11in, &P21ex, &P21in, &P30, &P31, &P33}) x->resize(n);
  }
  void prepare(double step) override {
    Gif::prepare(step);
    for (size_t i = 0; i < n; ++i) {
      const double tau_m = C_m[i] / g_L[i];
      P11ex[i] = std::exp(-h / tau_syn_ex[i]);
      P11in[i] = std::exp(-h / tau_syn_in[i]);
      P21ex[i] = Propagators::p32(tau_syn_ex[i], tau_m, C_m[i], h);
      P21in[i] = Propagators::p32(tau_syn_in[i], tau_m, C_m[i], h);
      P33[i] = std::exp(-h / tau_m);
      P30[i] = -1.0 / C_m[i] * std::expm1(-h / tau_m) * tau_m;
      P31[i] = -std::expm1(-h / tau_m);
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      adapt(i);
      i_ex[i] *= P11ex[i];
      i_in[i] *= P11in[i];
      i_ex[i] += ex[i];
      i_in[i] += in[i];
      if (r[i] == 0)
        v[i] = P30[i] * (I_stim[i] + I_e[i] - stc[i]) + P33[i] * v[i] + P31[i] * E_L[i] +
               i_ex[i] * P21ex[i] + i_in[i] * P21in[i];
      if (fire_or_hold(i, v[i], ctx)) v[i] = V_reset[i];
      I_stim[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(gif_psc_exp,
                  define_gif<GifPscExp>("gif_psc_exp")
                      .record("I_syn_ex", [](const GifPscExp& m, size_t i) { return m.i_ex[i]; })
                      .record("I_syn_in", [](const GifPscExp& m, size_t i) { return m.i_in[i]; })
                      .record("V_m", [](const GifPscExp& m, size_t i) { return m.v[i]; }));

}  // namespace sd
