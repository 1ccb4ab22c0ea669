// spike_train_injector: NEST's spike generator that is a neuron. Each neuron of the node emits
// its spike_times (the node's list, or its own when the neurons differ) as its own spikes: any
// synapse model connects it, a spike_recorder records it, and its spikes travel like any
// neuron's (a spike at t leaves in the step ending at t). spike_multiplicities repeat spikes;
// with precise_times the spikes keep their off-grid offsets.
#include "../devices/schedule.h"
#include "../model.h"

namespace sd {

struct SpikeTrainInjector : Population {
  std::vector<std::vector<double>> spike_times, spike_multiplicities;
  std::vector<double> origin, start, stop;
  std::vector<double> allow_offgrid_times, shift_now_spikes, precise_times;  // per neuron
  double h = 0.1;
  std::vector<std::vector<long>> stamps;
  std::vector<std::vector<double>> offsets;
  std::vector<size_t> next;  // per neuron: its next spike
  std::vector<Window> windows;

  void init() override {
    for (size_t i = 0; i < n; ++i) {
      if (precise_times[i] != 0.0 && (allow_offgrid_times[i] != 0.0 || shift_now_spikes[i] != 0.0))
        throw std::invalid_argument(
            "precise_times: cannot be combined with allow_offgrid_times or shift_now_spikes");
      const auto& times = spike_times[i];
      if (!std::is_sorted(times.begin(), times.end()))
        throw std::invalid_argument("spike_times: must be sorted (neuron " + std::to_string(i) +
                                    ")");
      if (!spike_multiplicities[i].empty() && spike_multiplicities[i].size() != times.size())
        throw std::invalid_argument("spike_multiplicities: needs one value per spike time");
    }
  }
  void prepare(double resolution) override {
    h = resolution;
    stamps.assign(n, {});
    offsets.assign(n, {});
    next.assign(n, 0);
    windows.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const auto& times = spike_times[i];
      if (precise_times[i] != 0.0) {
        for (double t : times) {
          const PreciseTime p = precise_time(t, h);
          stamps[i].push_back(p.stamp);
          offsets[i].push_back(std::fabs(p.offset) < 1e-12 ? 0.0 : p.offset);
        }
      } else {
        stamps[i] = stamps_of(times, h, allow_offgrid_times[i] != 0.0, "spike_times");
      }
      windows[i] = Window::from(origin[i], start[i], stop[i], h);
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const long stamp = ctx.step + 1;  // spikes at the end of this step
    for (size_t i = b; i < e; i += stride) {
      const auto& s = stamps[i];
      size_t& k = next[i];
      while (k < s.size() && s[k] < stamp) ++k;
      for (; k < s.size() && s[k] == stamp; ++k) {
        if (!windows[i].contains(stamp)) continue;
        const auto& mult = spike_multiplicities[i];
        const long m = mult.empty() ? 1 : std::lround(mult[k]);
        if (m <= 0) continue;
        emit(ctx, i, offsets[i].empty() ? 0.0 : offsets[i][k], uint32_t(m));
      }
    }
  }
};

SD_REGISTER_MODEL(spike_train_injector,
                  Define<SpikeTrainInjector>("spike_train_injector")
                      .no_archive()
                      .routing(Routing::kSingle)
                      .lists("spike_times", &SpikeTrainInjector::spike_times)
                      .lists("spike_multiplicities", &SpikeTrainInjector::spike_multiplicities)
                      .param("origin", &SpikeTrainInjector::origin)
                      .param("start", &SpikeTrainInjector::start)
                      .param("stop", &SpikeTrainInjector::stop)
                      .param("allow_offgrid_times", &SpikeTrainInjector::allow_offgrid_times)
                      .param("shift_now_spikes", &SpikeTrainInjector::shift_now_spikes)
                      .param("precise_times", &SpikeTrainInjector::precise_times)
                      .check("stop", ">=", "start"));

}  // namespace sd
