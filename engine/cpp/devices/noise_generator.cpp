// noise_generator: Gaussian current noise, a new value per target every dt, held in between;
// each target draws from its own stream keyed by the interval number.
#include "current_generators.h"

namespace sd {

struct NoiseGenerator : CurrentGenerator {
  double mean = 0.0, std = 0.0, std_mod = 0.0, dt = 1.0, frequency = 0.0, phase = 0.0;
  long dt_steps = 10;
  double omega = 0.0, phi = 0.0;

  void init(double h) override {
    dt_steps = std::lround(dt / h);
    omega = 2.0 * M_PI * frequency / 1000.0;
    phi = phase * M_PI / 180.0;
  }
  double amplitude_at(const EmitContext&, long) const override { return mean; }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    for (long t = c.t0; t < c.t0 + c.m; ++t) {
      if (!active(t)) continue;
      const long block = (t - window.t_min) / dt_steps;
      const double mod = std_mod * std_mod * std::sin(omega * c.ms(block * dt_steps) + phi);
      const double sd = std::sqrt(std::max(0.0, std * std + mod));
      for (auto& tg : targets) {
        Stream s(c.seed, kNoise, (gid << 32) ^ tg.gid, uint32_t(block));
        const double amp = mean + sd * s.normal();
        c.current_at(t + tg.delay, tg.slot) += tg.weight * amp;
      }
    }
  }
};

SD_REGISTER_MODEL(noise_generator, Define<NoiseGenerator>("noise_generator")
                                       .param("mean", &NoiseGenerator::mean)
                                       .param("std", &NoiseGenerator::std)
                                       .param("std_mod", &NoiseGenerator::std_mod)
                                       .param("dt", &NoiseGenerator::dt)
                                       .param("frequency", &NoiseGenerator::frequency)
                                       .param("phase", &NoiseGenerator::phase)
                                       .check("std", ">=", 0.0)
                                       .check("std_mod", ">=", 0.0)
                                       .check("dt", ">=", "resolution")
                                       .check("frequency", ">=", 0.0));

}  // namespace sd
