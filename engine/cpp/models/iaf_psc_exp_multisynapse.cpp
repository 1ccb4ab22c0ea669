// iaf_psc_exp_multisynapse: leaky integrate-and-fire with one exponential synaptic current per
// receptor (tau_syn: one time constant per receptor), exact integration in NEST's update
// order: membrane with the currents of the previous step, decay the currents and add this
// step's spikes, threshold, read the current input.
#include "iaf_multisynapse.h"

namespace sd {

struct IafPscExpMultisynapse : IafMultisynapse {
  std::vector<double> i_syn;     // [i * receptors + k]
  std::vector<double> P11, P21;  // P11 per receptor, P21 per neuron and receptor

  void init() override {
    IafMultisynapse::init();
    i_syn.assign(n * receptors, 0.0);
  }
  void prepare(double h) override {
    IafMultisynapse::prepare(h);
    P11.resize(receptors);
    P21.resize(n * receptors);
    for (size_t k = 0; k < receptors; ++k) P11[k] = std::exp(-h / tau_syn[k]);
    for (size_t i = 0; i < n; ++i)
      for (size_t k = 0; k < receptors; ++k)
        P21[i * receptors + k] = Propagators::p32(tau_syn[k], tau_m[i], C_m[i], h);
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const size_t r = receptors;
    for (size_t i = b; i < e; i += stride) {
      double* cur = &i_syn[i * r];
      if (refractory[i] == 0) {
        y3[i] = y3[i] * P33[i] + (I_e[i] + y0[i]) * P30[i];
        for (size_t k = 0; k < r; ++k) y3[i] += P21[i * r + k] * cur[k];
      } else {
        --refractory[i];
      }
      for (size_t k = 0; k < r; ++k) {
        cur[k] *= P11[k];
        cur[k] += ctx.input[k * n + i];
      }
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        emit(ctx, i);
      }
      y0[i] = ctx.current[i];
    }
  }
  double current(size_t i, size_t k) const { return i_syn[i * receptors + k]; }
};

SD_REGISTER_MODEL(iaf_psc_exp_multisynapse,
                  define_multisynapse<IafPscExpMultisynapse>("iaf_psc_exp_multisynapse", false)
                      .check("tau_syn", "!=", "tau_m"));

}  // namespace sd
