// correlation_detector and correlomatrix_detector: histograms of spike-time differences
// between the channels of their incoming spikes (a connection's receptor_type is its
// channel), as NEST 3.10 computes them. Times are spike stamps in steps; a spike counts
// only while the device is active (origin + start, origin + stop] and enters a histogram
// only if Tstart <= its time <= Tstop. Both are device state: the kernel feeds every spike
// of the sources once, in a fixed order, on every rank.
#include <cmath>
#include <deque>

#include "../model.h"

namespace sd {

namespace {
// `ms` as whole steps of h, or an error naming the parameter.
long whole_steps(double ms, double h, const char* param, const char* of) {
  const double steps = ms / h;
  const long s = std::lround(steps);
  if (std::fabs(steps - double(s)) > 1e-9 * std::max(1.0, std::fabs(steps)))
    throw std::invalid_argument(std::string(param) + ": must be a multiple of " + of + ", got " +
                                std::to_string(ms));
  return s;
}
long stamp_of(double ms, double h) {
  return ms > 9.0e18 * h ? std::numeric_limits<long>::max() : long(std::llround(ms / h));
}
}  // namespace

struct CorrelationDetector : Detector {
  double delta_tau = 0.5, tau_max = 5.0, Tstart = 0.0, Tstop = 0.0;
  long dt = 5, tmax = 50, t_start = 0, t_stop = 0;
  struct Seen {
    long step;
    double weight;
  };
  std::deque<Seen> incoming[2];
  std::vector<double> histogram, correction, count;
  long n_events[2] = {0, 0};

  void init(double h) override {
    dt = whole_steps(delta_tau, h, "delta_tau", "the resolution");
    if (dt < 1)
      throw std::invalid_argument("delta_tau: must be > 0, got " + std::to_string(delta_tau));
    tmax = whole_steps(tau_max, h, "tau_max", "delta_tau");
    if (tmax % dt != 0)
      throw std::invalid_argument("tau_max: must be a multiple of delta_tau, got " +
                                  std::to_string(tau_max));
    t_start = stamp_of(Tstart, h);
    t_stop = stamp_of(Tstop, h);
    const size_t bins = size_t(1 + 2 * tmax / dt);
    histogram.assign(bins, 0.0);
    correction.assign(bins, 0.0);
    count.assign(bins, 0.0);
  }
  size_t channels() const override { return 2; }
  void handle(long stamp, size_t sender, double weight, uint32_t multiplicity) override {
    if (!window.contains(stamp)) return;
    const size_t other = 1 - sender;
    auto& others = incoming[other];
    const double tau_edge = double(tmax) + 0.5 * double(dt);
    // drop spikes too old for the window: left edge closed for channel 0, open for 1
    while (!others.empty() && double(stamp - others.front().step) - 0.5 * double(other) >= tau_edge)
      others.pop_front();
    if (t_start <= stamp && stamp <= t_stop) {
      ++n_events[sender];
      const long sign = 2 * long(sender) - 1;
      for (const Seen& s : others) {
        const double lag = double(sign * (stamp - s.step));
        const size_t bin = size_t(std::floor((tau_edge + lag) / double(dt)));
        if (bin >= histogram.size()) continue;
        // Kahan summation of the weighted histogram, as NEST
        const double y = weight * s.weight - correction[bin];
        const double t = histogram[bin] + y;
        correction[bin] = (t - histogram[bin]) - y;
        histogram[bin] = t;
        count[bin] += multiplicity;
      }
    }
    // keep the channel's spikes in time order (after equal times)
    auto& mine = incoming[sender];
    auto at = mine.end();
    while (at != mine.begin() && (at - 1)->step > stamp) --at;
    mine.insert(at, {stamp, weight});
  }
  std::vector<Result> results() const override {
    const size_t bins = histogram.size();
    return {{"histogram", histogram, {bins}},
            {"histogram_correction", correction, {bins}},
            {"count_histogram", count, {bins}},
            {"n_events", {double(n_events[0]), double(n_events[1])}, {2}, true}};
  }
};

SD_REGISTER_MODEL(correlation_detector,
                  Define<CorrelationDetector>("correlation_detector")
                      .param("delta_tau", &CorrelationDetector::delta_tau)
                      .param("tau_max", &CorrelationDetector::tau_max)
                      .param("Tstart", &CorrelationDetector::Tstart)
                      .param("Tstop", &CorrelationDetector::Tstop)
                      .check("delta_tau", ">", 0.0)
                      .check("tau_max", ">=", 0.0));

struct CorrelomatrixDetector : Detector {
  double delta_tau = 0.5, tau_max = 5.0, Tstart = 0.0, Tstop = 0.0, N_channels = 1.0;
  long dt = 5, tmax = 50, t_start = 0, t_stop = 0;
  size_t n = 1, bins = 11;
  struct Seen {
    long step;
    double weight;
    size_t channel;
  };
  std::deque<Seen> incoming;
  std::vector<double> covariance, count;  // [i][j][bin], C order
  std::vector<long> n_events;

  void init(double h) override {
    if (N_channels != std::floor(N_channels))
      throw std::invalid_argument("N_channels: must be a whole number, got " +
                                  std::to_string(N_channels));
    n = size_t(N_channels);
    dt = whole_steps(delta_tau, h, "delta_tau", "the resolution");
    if (dt % 2 != 1)
      throw std::invalid_argument("delta_tau: must be an odd multiple of the resolution, got " +
                                  std::to_string(delta_tau));
    tmax = whole_steps(tau_max, h, "tau_max", "delta_tau");
    if (tmax % dt != 0)
      throw std::invalid_argument("tau_max: must be a multiple of delta_tau, got " +
                                  std::to_string(tau_max));
    t_start = stamp_of(Tstart, h);
    t_stop = stamp_of(Tstop, h);
    bins = size_t(1 + tmax / dt);
    covariance.assign(n * n * bins, 0.0);
    count.assign(n * n * bins, 0.0);
    n_events.assign(n, 0);
  }
  size_t channels() const override { return n; }
  void handle(long stamp, size_t sender, double weight, uint32_t multiplicity) override {
    if (!window.contains(stamp)) return;
    auto at = incoming.end();
    while (at != incoming.begin() && (at - 1)->step > stamp) --at;
    incoming.insert(at, {stamp, weight, sender});
    const double tau_edge = double(tmax) + 0.5 * double(dt);
    // a slice's spikes come by sender, not in time order: keep min_delay more, as NEST
    while (!incoming.empty() &&
           double(stamp - incoming.front().step) >= tau_edge + double(min_delay))
      incoming.pop_front();
    if (!(t_start <= stamp && stamp <= t_stop)) return;
    ++n_events[sender];
    const double half = 0.5 * double(dt);
    for (const Seen& s : incoming) {
      const size_t other = s.channel;
      size_t a = sender, b = other;
      if (stamp < s.step) std::swap(a, b);
      const double d = std::fabs(double(stamp - s.step));
      const size_t bin = a <= b ? size_t(-1.0 * std::floor((half - d) / double(dt)))
                                : size_t(std::floor((half + d) / double(dt)));
      if (bin >= bins) continue;
      const bool mirror = bin == 0 && (stamp != s.step || other != sender);
      covariance[(a * n + b) * bins + bin] += weight * s.weight;
      count[(a * n + b) * bins + bin] += multiplicity;
      if (mirror) {
        covariance[(b * n + a) * bins + bin] += weight * s.weight;
        count[(b * n + a) * bins + bin] += multiplicity;
      }
    }
  }
  std::vector<Result> results() const override {
    std::vector<double> events(n_events.begin(), n_events.end());
    return {{"covariance", covariance, {n, n, bins}},
            {"count_covariance", count, {n, n, bins}},
            {"n_events", events, {n}, true}};
  }
};

SD_REGISTER_MODEL(correlomatrix_detector,
                  Define<CorrelomatrixDetector>("correlomatrix_detector")
                      .param("delta_tau", &CorrelomatrixDetector::delta_tau)
                      .param("tau_max", &CorrelomatrixDetector::tau_max)
                      .param("Tstart", &CorrelomatrixDetector::Tstart)
                      .param("Tstop", &CorrelomatrixDetector::Tstop)
                      .param("N_channels", &CorrelomatrixDetector::N_channels)
                      .check("N_channels", ">=", 1.0)
                      .check("delta_tau", ">", 0.0)
                      .check("tau_max", ">=", 0.0));

}  // namespace sd
