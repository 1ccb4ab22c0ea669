// sinusoidal_gamma_generator: an inhomogeneous gamma process of order `order` whose rate is
//   lambda(t) = rate + amplitude * sin(2 pi frequency t + phase)   (spikes/s, 0 <= amplitude <= rate)
// built by time rescaling (Barbieri et al. 2001, as NEST's hazard): a spike comes when
// Lambda = order * integral of lambda since the last spike reaches a Gamma(order, 1) threshold,
// tested at the end of each step; every train starts at time 0 as if a spike had just been sent.
// With individual_spike_trains each target has its own train, else all share one. Threshold n
// of a train comes from the stream (device, target, n): independent of threads and ranks.
#include "../model.h"
#include "draws.h"

namespace sd {

struct SinusoidalGammaGenerator : Generator {
  double rate = 0.0, amplitude = 0.0, frequency = 0.0, phase = 0.0, order = 1.0;
  double individual_spike_trains = 1.0;
  double omega = 0.0, phi = 0.0;
  struct Train {
    long last = -1;        // the last step whose end was integrated
    double lambda = 0.0;   // Lambda since the last spike
    double threshold = 0.0;
    uint32_t spikes = 0;
  };
  std::vector<std::vector<Train>> trains;  // [thread][target]

  void init(double) override {
    omega = 2.0 * M_PI * frequency / 1000.0;
    phi = phase * M_PI / 180.0;
  }
  void prepare() override {
    trains.resize(targets.size());
    for (size_t k = 0; k < targets.size(); ++k) trains[k].assign(targets[k].size(), {});
  }
  // order * integral of lambda (1/ms) from a to b (ms)
  double integral(double a, double b) const {
    double v = rate * (b - a);
    if (omega != 0.0) v -= amplitude / omega * (std::cos(omega * b + phi) - std::cos(omega * a + phi));
    else v += amplitude * std::sin(phi) * (b - a);
    return order * v / 1000.0;
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    if (rate <= 0.0) return;
    auto& mine = trains[size_t(c.thread)];
    const bool shared = individual_spike_trains == 0.0;
    for (size_t j = 0; j < targets.size(); ++j) {
      const DeviceTarget& tg = targets[j];
      Train& x = mine[j];
      const uint64_t key = shared ? gid << 32 : (gid << 32) ^ tg.gid;
      if (x.last < 0 && x.spikes == 0 && x.threshold == 0.0) {
        Stream s(c.seed, kDevice, key, 0);
        x.threshold = gamma_variate(s, order);
      }
      for (long t = c.t0; t < c.t0 + c.m; ++t) {
        x.lambda += integral(c.ms(t), c.ms(t + 1));
        x.last = t;
        if (x.lambda < x.threshold) continue;
        x.lambda = 0.0;
        Stream s(c.seed, kDevice, key, ++x.spikes);
        x.threshold = gamma_variate(s, order);
        if (!window.contains(t)) continue;
        c.spike_at(t + tg.delay, tg.weight >= 0 ? tg.slot : tg.slot_neg) += tg.weight;
      }
    }
  }
};

SD_REGISTER_MODEL(sinusoidal_gamma_generator,
                  Define<SinusoidalGammaGenerator>("sinusoidal_gamma_generator")
                      .param("rate", &SinusoidalGammaGenerator::rate)
                      .param("amplitude", &SinusoidalGammaGenerator::amplitude)
                      .param("frequency", &SinusoidalGammaGenerator::frequency)
                      .param("phase", &SinusoidalGammaGenerator::phase)
                      .param("order", &SinusoidalGammaGenerator::order)
                      .param("individual_spike_trains",
                             &SinusoidalGammaGenerator::individual_spike_trains)
                      .check("order", ">=", 1.0)
                      .check("amplitude", ">=", 0.0)
                      .check("amplitude", "<=", "rate"));

}  // namespace sd
