// inhomogeneous_poisson_generator: Poisson trains whose rate follows a piecewise-constant
// schedule (rate_times, rate_values).
#include "../model.h"
#include "schedule.h"

namespace sd {

struct InhomogeneousPoissonGenerator : Generator {
  std::vector<double> rate_times, rate_values;
  double allow_offgrid_times = 0.0;
  Schedule schedule;

  void init(double h) override {
    schedule.set(stamps_of(rate_times, h, allow_offgrid_times != 0.0, "rate_times"), rate_values,
                 "rate_values");
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    for (long t = c.t0; t < c.t0 + c.m; ++t) {
      if (!window.contains(t)) continue;
      const double mean = schedule.at(t) * c.h / 1000.0;
      if (mean <= 0.0) continue;
      const double exp_minus_mean = std::exp(-mean);
      for (auto& tg : targets) {
        Stream s(c.seed, kPoisson, (gid << 32) ^ tg.gid, uint32_t(t));
        const uint64_t k = s.poisson(mean, exp_minus_mean);
        if (k == 0) continue;
        const double v = tg.weight * double(k);
        c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
    }
  }
};

SD_REGISTER_MODEL(inhomogeneous_poisson_generator,
                  Define<InhomogeneousPoissonGenerator>("inhomogeneous_poisson_generator")
                      .list("rate_times", &InhomogeneousPoissonGenerator::rate_times)
                      .list("rate_values", &InhomogeneousPoissonGenerator::rate_values)
                      .param("allow_offgrid_times",
                             &InhomogeneousPoissonGenerator::allow_offgrid_times));

}  // namespace sd
