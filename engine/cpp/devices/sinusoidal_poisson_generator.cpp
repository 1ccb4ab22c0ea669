// sinusoidal_poisson_generator: Poisson spikes at the rate
//   rate + amplitude * sin(2 pi frequency t + phase)   (spikes/s, clipped at 0)
// where t is the end of the step (NEST advances its oscillator before drawing). With
// individual_spike_trains each target gets its own train, else all targets share one.
#include "../model.h"

namespace sd {

struct SinusoidalPoissonGenerator : Generator {
  double rate = 0.0, amplitude = 0.0, frequency = 0.0, phase = 0.0;
  double individual_spike_trains = 1.0;
  double omega = 0.0, phi = 0.0;

  void init(double) override {
    omega = 2.0 * M_PI * frequency / 1000.0;  // rad/ms
    phi = phase * M_PI / 180.0;
  }
  // The rate (spikes/s) during step t.
  double rate_at(const EmitContext& c, long t) const {
    return std::max(0.0, rate + amplitude * std::sin(omega * c.ms(t + 1) + phi));
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    for (long t = c.t0; t < c.t0 + c.m; ++t) {
      if (!window.contains(t)) continue;
      const double mean = rate_at(c, t) * c.h / 1000.0;
      if (mean <= 0.0) continue;
      const double exp_minus_mean = std::exp(-mean);
      uint64_t shared = 0;
      if (individual_spike_trains == 0.0) {
        Stream s(c.seed, kDevice, gid << 32, uint32_t(t));
        shared = s.poisson(mean, exp_minus_mean);
        if (shared == 0) continue;
      }
      for (auto& tg : targets) {
        uint64_t k = shared;
        if (individual_spike_trains != 0.0) {
          Stream s(c.seed, kDevice, (gid << 32) ^ tg.gid, uint32_t(t));
          k = s.poisson(mean, exp_minus_mean);
          if (k == 0) continue;
        }
        const double v = tg.weight * double(k);
        c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
    }
  }
};

SD_REGISTER_MODEL(sinusoidal_poisson_generator,
                  Define<SinusoidalPoissonGenerator>("sinusoidal_poisson_generator")
                      .param("rate", &SinusoidalPoissonGenerator::rate)
                      .param("amplitude", &SinusoidalPoissonGenerator::amplitude)
                      .param("frequency", &SinusoidalPoissonGenerator::frequency)
                      .param("phase", &SinusoidalPoissonGenerator::phase)
                      .param("individual_spike_trains",
                             &SinusoidalPoissonGenerator::individual_spike_trains)
                      .check("rate", ">=", 0.0));

}  // namespace sd
