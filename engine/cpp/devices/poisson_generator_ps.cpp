// poisson_generator_ps: an independent Poisson train of `rate` spikes/s with an optional dead
// time to each target, at precise (off-grid) times (NEST's poisson_generator_ps). Intervals
// are dead_time plus an exponential of mean 1000 / rate - dead_time; each train starts in
// equilibrium at the start of the activity window (the first spike from the backward
// recurrence time). Draws come from one stream per (generator, target), so trains do not
// depend on threads, ranks or slices.
#include "../model.h"
#include "schedule.h"

namespace sd {

struct PoissonGeneratorPs : Generator {
  double rate = 0.0, dead_time = 0.0;
  double h = 0.1;
  struct Train {
    Stream stream{0, kDevice, 0};
    bool started = false;
    long stamp = 0;  // the next spike: its step end and offset
    double offset = 0.0;
  };
  std::vector<std::vector<Train>> trains;  // [thread][target]

  void init(double resolution) override {
    h = resolution;
    if (rate > 0.0 && 1000.0 / rate < dead_time)
      throw std::invalid_argument("dead_time: must be <= 1000 / rate (" +
                                  std::to_string(1000.0 / rate) + " ms), got " +
                                  std::to_string(dead_time));
  }
  void prepare() override {
    trains.resize(targets.size());
    for (size_t k = 0; k < targets.size(); ++k) trains[k].resize(targets[k].size());
  }
  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    if (rate <= 0.0) return;
    // active in (t_min, t_max] of this slice, in steps
    const long t_min = std::max(c.t0, window.t_min);
    const long t_max = std::min(c.t0 + c.m, window.t_max);
    if (t_min >= t_max) return;
    const double mean_interval = 1000.0 / rate - dead_time;
    auto& mine = trains[size_t(c.thread)];
    for (size_t j = 0; j < targets.size(); ++j) {
      const DeviceTarget& tg = targets[j];
      Train& x = mine[j];
      if (!x.started) {
        x.stream = Stream(c.seed, kDevice, (gid << 32) ^ tg.gid, 0);
        // the backward recurrence time: uniform within the dead time with probability
        // dead_time * rate, else dead_time plus an exponential
        double first;
        if (dead_time > 0.0 && x.stream.uniform() < dead_time * rate / 1000.0)
          first = x.stream.uniform() * dead_time;
        else
          first = mean_interval * x.stream.exponential(1.0) + dead_time;
        const PreciseTime p = precise_time(first, h);
        x.stamp = p.stamp + t_min;
        x.offset = p.offset;
        x.started = true;
      }
      while (x.stamp <= t_max) {
        c.spike(x.stamp - 1 + tg.delay, tg, tg.weight, x.offset);
        // the next interval, from the time of this spike
        const double next = -x.offset + mean_interval * x.stream.exponential(1.0) + dead_time;
        if (next < 0.0) {
          x.offset = -next;  // still within the same step
        } else {
          const PreciseTime p = precise_time(next, h);
          x.stamp += p.stamp;
          x.offset = p.offset;
        }
      }
    }
  }
};

SD_REGISTER_MODEL(poisson_generator_ps, Define<PoissonGeneratorPs>("poisson_generator_ps")
                                            .param("rate", &PoissonGeneratorPs::rate)
                                            .param("dead_time", &PoissonGeneratorPs::dead_time)
                                            .check("rate", ">=", 0.0)
                                            .check("dead_time", ">=", 0.0));

}  // namespace sd
