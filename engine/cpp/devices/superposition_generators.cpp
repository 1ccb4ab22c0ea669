// Superpositions of n_proc renewal processes per target, each target with its own (NEST's
// gamma_sup_generator and ppd_sup_generator). Each keeps the occupation of the processes'
// states and draws binomial transition counts per step from the stream (device, target, step),
// so trains do not depend on threads, ranks or slices.
//
// gamma_sup_generator: gamma processes of shape k = gamma_shape and rate `rate` each, as k
// exponential phases of rate k * rate; a process spikes on leaving its last phase.
// ppd_sup_generator: Poisson processes with dead time (each process is silent for dead_time
// after its spike, then fires with hazard 1 / (1 / rate - dead_time)); the rate may be
// modulated, rate * (1 + relative_amplitude * sin(2 pi frequency t)).
#include "../model.h"
#include "draws.h"

namespace sd {

// Occupations of one target's processes, per thread and target.
struct Occupations {
  std::vector<std::vector<std::vector<uint64_t>>> of;  // [thread][target][state]
  void resize(const std::vector<std::vector<DeviceTarget>>& targets) {
    of.resize(targets.size());
    for (size_t k = 0; k < targets.size(); ++k) of[k].assign(targets[k].size(), {});
  }
};

struct GammaSupGenerator : Generator {
  double rate = 0.0, gamma_shape = 1.0, n_proc = 1.0;
  Occupations occ;

  void init(double) override {
    if (gamma_shape != std::floor(gamma_shape))
      throw std::invalid_argument("gamma_shape: must be a whole number, got " +
                                  std::to_string(gamma_shape));
    if (n_proc != std::floor(n_proc))
      throw std::invalid_argument("n_proc: must be a whole number, got " + std::to_string(n_proc));
  }
  void prepare() override { occ.resize(targets); }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    const size_t k = size_t(gamma_shape);
    const auto n = uint64_t(n_proc);
    const double p = -std::expm1(-double(k) * rate * c.h / 1000.0);  // leaving a phase
    auto& mine = occ.of[size_t(c.thread)];
    for (size_t j = 0; j < targets.size(); ++j) {
      const DeviceTarget& tg = targets[j];
      auto& o = mine[j];
      if (o.empty()) {  // in equilibrium: the processes spread evenly over the phases
        o.assign(k, n / k);
        for (uint64_t r = 0; r < n % k; ++r) o[r] += 1;
      }
      for (long t = c.t0; t < c.t0 + c.m; ++t) {
        if (!window.contains(t) || p <= 0.0) continue;
        Stream s(c.seed, kDevice, (gid << 32) ^ tg.gid, uint32_t(t));
        std::vector<uint64_t> moved(k);
        for (size_t i = 0; i < k; ++i) moved[i] = binomial(s, o[i], p);
        for (size_t i = 0; i < k; ++i) {
          o[i] -= moved[i];
          o[(i + 1) % k] += moved[i];
        }
        const uint64_t spikes = moved[k - 1];
        if (spikes == 0) continue;
        const double v = tg.weight * double(spikes);
        c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
    }
  }
};

SD_REGISTER_MODEL(gamma_sup_generator, Define<GammaSupGenerator>("gamma_sup_generator")
                                           .param("rate", &GammaSupGenerator::rate)
                                           .param("gamma_shape", &GammaSupGenerator::gamma_shape)
                                           .param("n_proc", &GammaSupGenerator::n_proc)
                                           .check("rate", ">=", 0.0)
                                           .check("gamma_shape", ">=", 1.0)
                                           .check("n_proc", ">=", 1.0));

struct PpdSupGenerator : Generator {
  double rate = 0.0, dead_time = 0.0, n_proc = 1.0, frequency = 0.0, relative_amplitude = 0.0;
  long dead_steps = 0;
  double omega = 0.0;
  // state per target: [0, dead_steps) processes in their dead time by age (a ring), then the
  // active ones
  struct Ages {
    std::vector<uint64_t> dead;
    size_t head = 0;
    uint64_t active = 0;
    bool ready = false;
  };
  std::vector<std::vector<Ages>> ages;  // [thread][target]

  void init(double h) override {
    if (n_proc != std::floor(n_proc))
      throw std::invalid_argument("n_proc: must be a whole number, got " + std::to_string(n_proc));
    if (rate > 0.0 && 1000.0 / rate <= dead_time)
      throw std::invalid_argument("dead_time: must be < 1000 / rate (" +
                                  std::to_string(1000.0 / rate) + " ms), got " +
                                  std::to_string(dead_time));
    dead_steps = std::lround(dead_time / h);
    omega = 2.0 * M_PI * frequency / 1000.0;
  }
  void prepare() override {
    ages.resize(targets.size());
    for (size_t k = 0; k < targets.size(); ++k) ages[k].assign(targets[k].size(), {});
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    if (rate <= 0.0) return;
    const auto n = uint64_t(n_proc);
    auto& mine = ages[size_t(c.thread)];
    for (size_t j = 0; j < targets.size(); ++j) {
      const DeviceTarget& tg = targets[j];
      Ages& a = mine[j];
      if (!a.ready) {  // equilibrium of the unmodulated rate: rate * h of them per dead step
        a.dead.assign(size_t(dead_steps), 0);
        const auto per = uint64_t(std::floor(double(n) * rate * c.h / 1000.0));
        uint64_t left = n;
        for (auto& d : a.dead) left -= (d = std::min(per, left));
        a.active = left;
        a.ready = true;
      }
      for (long t = c.t0; t < c.t0 + c.m; ++t) {
        if (!window.contains(t)) continue;
        const double r =
            rate * (1.0 + relative_amplitude * std::sin(omega * c.ms(t + 1))) / 1000.0;  // 1/ms
        const double hazard = r > 0.0 ? 1.0 / (1.0 / r - dead_time) : 0.0;
        // the oldest dead bin (dead_time ago) wakes up before this step's draw
        if (dead_steps > 0) a.active += a.dead[a.head];
        Stream s(c.seed, kDevice, (gid << 32) ^ tg.gid, uint32_t(t));
        const uint64_t spikes = binomial(s, a.active, -std::expm1(-hazard * c.h));
        if (dead_steps > 0) {  // this step's spikers take its place
          a.active -= spikes;
          a.dead[a.head] = spikes;
          a.head = (a.head + 1) % a.dead.size();
        }
        if (spikes == 0) continue;
        const double v = tg.weight * double(spikes);
        c.spike_at(t + tg.delay, v >= 0 ? tg.slot : tg.slot_neg) += v;
      }
    }
  }
};

SD_REGISTER_MODEL(ppd_sup_generator,
                  Define<PpdSupGenerator>("ppd_sup_generator")
                      .param("rate", &PpdSupGenerator::rate)
                      .param("dead_time", &PpdSupGenerator::dead_time)
                      .param("n_proc", &PpdSupGenerator::n_proc)
                      .param("frequency", &PpdSupGenerator::frequency)
                      .param("relative_amplitude", &PpdSupGenerator::relative_amplitude)
                      .check("rate", ">=", 0.0)
                      .check("dead_time", ">=", 0.0)
                      .check("n_proc", ">=", 1.0)
                      .check("relative_amplitude", ">=", 0.0)
                      .check("relative_amplitude", "<=", 1.0));

}  // namespace sd
