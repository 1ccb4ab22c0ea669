// iaf_psc_delta: leaky integrate-and-fire with delta-shaped synaptic input (a spike of weight
// w mV moves V_m by w), exact integration, NEST's update order: integrate with the current of
// the previous step, add this step's spikes, clamp at V_min, threshold, read the current.
#include "exact_integration.h"

namespace sd {

struct IafPscDelta : IafMembrane {
  std::vector<double> refractory_input, refr_spikes;
  double h = 0.1;

  void init() override {
    IafMembrane::init();
    refr_spikes.assign(n, 0.0);
  }
  void prepare(double step) override {
    IafMembrane::prepare(step);
    h = step;
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    for (size_t i = b; i < e; i += stride) {
      const double psp = ctx.input[i];
      if (refractory[i] == 0) {
        y3[i] = P30[i] * (y0[i] + I_e[i]) + P33[i] * y3[i] + psp;
        if (refractory_input[i] != 0.0) {
          y3[i] += refr_spikes[i];
          refr_spikes[i] = 0.0;
        }
        y3[i] = y3[i] < v_min[i] ? v_min[i] : y3[i];
      } else {
        // with refractory_input, spikes during refractoriness arrive decayed afterwards
        if (refractory_input[i] != 0.0)
          refr_spikes[i] += psp * std::exp(-double(refractory[i]) * h / tau_m[i]);
        --refractory[i];
      }
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        emit(ctx, i);
      }
      y0[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(iaf_psc_delta, define_iaf_membrane<IafPscDelta>("iaf_psc_delta", true)
                                     .param("refractory_input", &IafPscDelta::refractory_input)
                                     .routing(Routing::kSingle)
                                     .record("V_m", [](const IafPscDelta& m, size_t i) {
                                       return IafMembrane::v_m(m, i);
                                     }));

}  // namespace sd
