// pulsepacket_generator: around each of pulse_times, `activity` spikes at times drawn from a
// Gaussian of standard deviation sdev (ms), rounded up to the grid; every target receives the
// same spikes (several in one step as one spike of that multiplicity). The draws of pulse j
// come from the stream (device, j), so they do not depend on threads, ranks or slices: each
// slice redraws the pulses whose spikes can fall into it (within 10 sdev, as NEST).
#include <algorithm>

#include "../model.h"

namespace sd {

struct PulsepacketGenerator : Generator {
  std::vector<double> pulse_times;
  double activity = 0.0, sdev = 0.0;
  double h = 0.1;
  std::vector<double> sorted;

  void init(double resolution) override {
    h = resolution;
    if (activity != std::floor(activity))
      throw std::invalid_argument("activity: must be a whole number of spikes, got " +
                                  std::to_string(activity));
    sorted = pulse_times;
    std::sort(sorted.begin(), sorted.end());
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    if (activity <= 0.0 || sorted.empty()) return;
    const double tolerance = sdev > 0.0 ? 10.0 * sdev : 1.0;  // ms
    const double lo = c.ms(c.t0) - tolerance - h, hi = c.ms(c.t0 + c.m) + tolerance + h;
    std::vector<long> steps;
    auto j = size_t(std::lower_bound(sorted.begin(), sorted.end(), lo) - sorted.begin());
    for (; j < sorted.size() && sorted[j] <= hi; ++j) {
      // pulse j of the sorted times, drawn the same whichever slice asks
      Stream s(c.seed, kDevice, gid << 32, uint32_t(j));
      for (long a = 0; a < long(activity); ++a) {
        const double x = sorted[j] + (sdev > 0.0 ? sdev * s.normal() : 0.0);
        // NEST's Time(Time::ms(x)): whole tics of 1 us, then the first step end at or after
        const long per_step = std::llround(h * 1000.0);
        const long tics = std::llround(x * 1000.0);
        const long step = tics >= 0 ? (tics + per_step - 1) / per_step : -1;
        if (step < c.t0 || step >= c.t0 + c.m || step < 0) continue;
        if (!window.contains(step)) continue;
        steps.push_back(step);
      }
    }
    std::sort(steps.begin(), steps.end());
    for (size_t i = 0; i < steps.size();) {
      size_t k = i;
      while (k < steps.size() && steps[k] == steps[i]) ++k;
      const double count = double(k - i);
      for (auto& tg : targets) {
        const double v = tg.weight * count;
        c.spike_at(steps[i] + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
      i = k;
    }
  }
};

SD_REGISTER_MODEL(pulsepacket_generator,
                  Define<PulsepacketGenerator>("pulsepacket_generator")
                      .list("pulse_times", &PulsepacketGenerator::pulse_times)
                      .param("activity", &PulsepacketGenerator::activity)
                      .param("sdev", &PulsepacketGenerator::sdev)
                      .check("activity", ">=", 0.0)
                      .check("sdev", ">=", 0.0));

}  // namespace sd
