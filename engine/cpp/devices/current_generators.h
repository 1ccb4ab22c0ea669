// The timing rule shared by current generators: NEST 3.10 tests every current generator one
// step ahead (t + 2 for the current that the target reads in step t + 1; see the reference
// traces; step_current_generator too, whose schedule is also one step ahead: the current
// recorded from it in tests/data/reference/recorder_traces.* ends at stop - h).
#pragma once
#include "../model.h"

namespace sd {

struct CurrentGenerator : Generator {
  bool emits_current() const override { return true; }
  // The current (pA) at step t, or nothing when inactive.
  virtual bool active(long t) const { return window.contains(t + 2); }
  virtual double amplitude_at(const EmitContext& c, long t) const = 0;

  void emit(const EmitContext& c, const std::vector<DeviceTarget>& targets) override {
    for (long t = c.t0; t < c.t0 + c.m; ++t) {
      if (!active(t)) continue;
      const double amp = amplitude_at(c, t);
      for (auto& tg : targets) c.current_at(t + tg.delay, tg.slot) += tg.weight * amp;
    }
  }
};

// NEST's recordable I of a current generator: the current it sends in step t (0 while
// inactive), as a multimeter samples it at the end of step t.
template <class G>
double recorded_I(const G& g, long t, double h) {
  EmitContext c{};
  c.t0 = t;
  c.m = 1;
  c.h = h;
  return g.active(t) ? g.amplitude_at(c, t) : 0.0;
}

}  // namespace sd
