// spike_generator: spikes at given times (spike_times, optional spike_weights and
// spike_multiplicities); a spike stamped t + 1 leaves in step t. With precise_times the
// times are kept off the grid: each spike leaves with its offset (precise targets see it,
// others only its step).
#include "../model.h"
#include "schedule.h"

namespace sd {

struct SpikeGenerator : Generator {
  std::vector<double> spike_times, spike_weights, spike_multiplicities;
  double allow_offgrid_times = 0.0, shift_now_spikes = 0.0, precise_times = 0.0;
  std::vector<long> stamps;
  std::vector<double> offsets;  // precise_times only

  void init(double h) override {
    if (precise_times != 0.0) {
      if (allow_offgrid_times != 0.0 || shift_now_spikes != 0.0)
        throw std::invalid_argument(
            "precise_times: cannot be combined with allow_offgrid_times or shift_now_spikes");
      if (!std::is_sorted(spike_times.begin(), spike_times.end()))
        throw std::invalid_argument("spike_times: must be sorted");
      stamps.clear();
      offsets.clear();
      for (double t : spike_times) {
        const PreciseTime p = precise_time(t, h);
        stamps.push_back(p.stamp);
        // an offset within rounding of zero is on the grid (as NEST's spike_generator)
        const bool zero = std::fabs(p.offset) < 2.0 * std::numeric_limits<double>::epsilon() *
                                                    std::fabs(double(p.stamp) * h + t) ||
                          std::fabs(p.offset) < std::numeric_limits<double>::min();
        offsets.push_back(zero ? 0.0 : p.offset);
      }
    } else {
      stamps = stamps_of(spike_times, h, allow_offgrid_times != 0.0, "spike_times");
    }
    if (!std::is_sorted(stamps.begin(), stamps.end()))
      throw std::invalid_argument("spike_times: must be sorted");
    if (!spike_weights.empty() && spike_weights.size() != stamps.size())
      throw std::invalid_argument("spike_weights: needs one weight per spike time");
    if (!spike_multiplicities.empty() && spike_multiplicities.size() != stamps.size())
      throw std::invalid_argument("spike_multiplicities: needs one value per spike time");
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    auto i = size_t(std::lower_bound(stamps.begin(), stamps.end(), c.t0 + 1) - stamps.begin());
    for (; i < stamps.size() && stamps[i] <= c.t0 + c.m; ++i) {
      const long t = stamps[i] - 1;
      if (!window.contains(stamps[i])) continue;
      const double w = spike_weights.empty() ? 1.0 : spike_weights[i];
      const double mult = spike_multiplicities.empty() ? 1.0 : spike_multiplicities[i];
      if (!offsets.empty()) {
        for (auto& tg : targets) c.spike(t + tg.delay, tg, tg.weight * w * mult, offsets[i]);
        continue;
      }
      for (auto& tg : targets) {
        const double v = tg.weight * w * mult;
        c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
    }
  }
};

SD_REGISTER_MODEL(spike_generator,
                  Define<SpikeGenerator>("spike_generator")
                      .list("spike_times", &SpikeGenerator::spike_times)
                      .list("spike_weights", &SpikeGenerator::spike_weights)
                      .list("spike_multiplicities", &SpikeGenerator::spike_multiplicities)
                      .param("allow_offgrid_times", &SpikeGenerator::allow_offgrid_times)
                      .param("shift_now_spikes", &SpikeGenerator::shift_now_spikes)
                      .param("precise_times", &SpikeGenerator::precise_times));

}  // namespace sd
