// iaf_psc_alpha_multisynapse: leaky integrate-and-fire with one alpha-shaped synaptic current
// per receptor (tau_syn: one time constant per receptor), exact integration in NEST's update
// order: membrane with the currents of the previous step (clamped at V_min), propagate the
// alpha currents and add this step's spikes (e / tau_syn per pA), threshold, read the current.
#include "iaf_multisynapse.h"

namespace sd {

struct IafPscAlphaMultisynapse : IafMultisynapse {
  std::vector<double> y1, y2;              // dI and I, [i * receptors + k]
  std::vector<double> P11, P21, psc_init;  // per receptor
  std::vector<double> P31, P32;            // per neuron and receptor

  void init() override {
    IafMultisynapse::init();
    y1.assign(n * receptors, 0.0);
    y2.assign(n * receptors, 0.0);
  }
  void prepare(double h) override {
    IafMultisynapse::prepare(h);
    P11.resize(receptors);
    P21.resize(receptors);
    psc_init.resize(receptors);
    P31.resize(n * receptors);
    P32.resize(n * receptors);
    for (size_t k = 0; k < receptors; ++k) {
      P11[k] = std::exp(-h / tau_syn[k]);
      P21[k] = h * P11[k];
      psc_init[k] = 1.0 * M_E / tau_syn[k];
    }
    for (size_t i = 0; i < n; ++i)
      for (size_t k = 0; k < receptors; ++k) {
        P31[i * receptors + k] = Propagators::p31(tau_syn[k], tau_m[i], C_m[i], h);
        P32[i * receptors + k] = Propagators::p32(tau_syn[k], tau_m[i], C_m[i], h);
      }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const size_t r = receptors;
    for (size_t i = b; i < e; i += stride) {
      double* d1 = &y1[i * r];
      double* d2 = &y2[i * r];
      if (refractory[i] == 0) {
        y3[i] = P30[i] * (y0[i] + I_e[i]) + P33[i] * y3[i];
        for (size_t k = 0; k < r; ++k) y3[i] += P31[i * r + k] * d1[k] + P32[i * r + k] * d2[k];
        y3[i] = y3[i] < v_min[i] ? v_min[i] : y3[i];
      } else {
        --refractory[i];
      }
      for (size_t k = 0; k < r; ++k) {
        d2[k] = P21[k] * d1[k] + P11[k] * d2[k];
        d1[k] *= P11[k];
        d1[k] += psc_init[k] * ctx.input[k * n + i];
      }
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        emit(ctx, i);
      }
      y0[i] = ctx.current[i];
    }
  }
  double current(size_t i, size_t k) const { return y2[i * receptors + k]; }
};

SD_REGISTER_MODEL(iaf_psc_alpha_multisynapse,
                  define_multisynapse<IafPscAlphaMultisynapse>("iaf_psc_alpha_multisynapse",
                                                               true));

}  // namespace sd
