// poisson_generator: an independent Poisson spike train of `rate` spikes/s to each target,
// active for steps t in (origin + start, origin + stop].
#include <array>

#include "../model.h"

namespace sd {

struct PoissonGenerator : Generator {
  double rate = 0.0;

  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    const double mean = rate * c.h / 1000.0;
    if (mean <= 0.0) return;
    // the window t_min < t <= t_max as a range of lags
    const long lag_lo = std::max(0L, window.t_min + 1 - c.t0);
    const long lag_hi = window.t_max >= c.t0 + c.m ? c.m : std::max(0L, window.t_max - c.t0 + 1);
    if (lag_lo >= lag_hi) return;
    if (mean >= 10.0) {
      const double exp_minus_mean = std::exp(-mean);
      for (long t = c.t0 + lag_lo; t < c.t0 + lag_hi; ++t)
        for (auto& tg : targets) {
          Stream s(c.seed, kPoisson, (gid << 32) ^ tg.gid, uint32_t(t));
          const uint64_t k = s.poisson(mean, exp_minus_mean);
          if (k == 0) continue;
          const double v = tg.weight * double(k);
          c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
        }
      return;
    }
    // Small mean: the count for (generator, target, step t) is the inverse CDF of the 32-bit
    // number t % 4 of Philox block t / 4 of the (generator, target) stream, so one block
    // serves four steps and the draw does not depend on threads, ranks or slices.
    const PoissonTable table(mean);
    for (auto& tg : targets) {
      const uint64_t id = (gid << 32) ^ tg.gid;
      double* buffer = c.spikes + (tg.weight >= 0 ? tg.slot : tg.slot_neg);
      long row = (c.t0 + lag_lo + tg.delay) % c.ring;  // ring row, advanced without division
      long have = -1;
      std::array<uint32_t, 4> block{};
      for (long t = c.t0 + lag_lo; t < c.t0 + lag_hi; ++t) {
        if ((t >> 2) != have) {
          have = t >> 2;
          block = philox_block(c.seed, kPoisson, id, uint32_t(uint64_t(have) >> 32), uint32_t(have));
        }
        const uint64_t k = table.count(double(block[t & 3]) * 0x1.0p-32);
        // adding weight * 0 leaves the sum unchanged and avoids a mispredicted branch
        buffer[size_t(row) * c.spike_width] += tg.weight * double(k);
        row = row + 1 == c.ring ? 0 : row + 1;
      }
    }
  }
};

SD_REGISTER_MODEL(poisson_generator, Define<PoissonGenerator>("poisson_generator")
                                         .param("rate", &PoissonGenerator::rate)
                                         .check("rate", ">=", 0.0));

}  // namespace sd
