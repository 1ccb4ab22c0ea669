// mip_generator: a mother Poisson train of `rate` spikes/s; each target receives each mother
// spike with probability p_copy (NEST's multiple interaction process), so any two targets share
// spikes at rate p_copy^2 * rate and their count correlation is p_copy. The mother train is
// keyed by (device, step), the copies by (device, target, step).
#include "../model.h"
#include "draws.h"

namespace sd {

struct MipGenerator : Generator {
  double rate = 0.0, p_copy = 1.0;

  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    const double mean = rate * c.h / 1000.0;
    if (mean <= 0.0) return;
    const double exp_minus_mean = std::exp(-mean);
    for (long t = c.t0; t < c.t0 + c.m; ++t) {
      if (!window.contains(t)) continue;
      Stream mother(c.seed, kDevice, gid << 32, uint32_t(t));
      const uint64_t n = mother.poisson(mean, exp_minus_mean);
      if (n == 0) continue;
      for (auto& tg : targets) {
        Stream s(c.seed, kDevice, (gid << 32) ^ tg.gid, uint32_t(t));
        const uint64_t k = binomial(s, n, p_copy);
        if (k == 0) continue;
        const double v = tg.weight * double(k);
        c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
    }
  }
};

SD_REGISTER_MODEL(mip_generator, Define<MipGenerator>("mip_generator")
                                     .param("rate", &MipGenerator::rate)
                                     .param("p_copy", &MipGenerator::p_copy)
                                     .check("rate", ">=", 0.0)
                                     .check("p_copy", ">=", 0.0)
                                     .check("p_copy", "<=", 1.0));

}  // namespace sd
