// Recorders: samples at the end of each step, spikes per slice, events sorted by (time, sender).
#include "network.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace sd {

void Network::set_record_from(size_t node, const std::vector<std::string>& names) {
  const Node& n = nodes_.at(node);
  if (n.kind != Kind::kRecorder || recorders_[n.index].kind != RecorderKind::kSamples)
    throw std::invalid_argument("record_from applies to voltmeter and multimeter only");
  recorders_[n.index].record_from = names;
}

void Network::record_samples(int k, long stamp) {
  for (auto& r : recorders_) {
    if (r.kind != RecorderKind::kSamples || r.targets[k].empty()) continue;
    if (stamp % r.interval != 0 || !r.window.contains(stamp)) continue;
    auto& values = r.values[k];
    values.resize(r.record_from.size());
    for (auto& s : r.targets[k]) {
      r.times[k].push_back(ms(stamp));
      r.senders[k].push_back(double(s.gid));
      if (s.device) {  // a generator: its state after step stamp - 1
        const Generator& g = *generators_[s.pop];
        const auto& vars = r.device_vars[s.pop];
        for (size_t v = 0; v < vars.size(); ++v)
          values[v].push_back(g.value(vars[v], stamp - 1, h_));
        continue;
      }
      const Population& pop = *populations_[s.pop];
      const auto& vars = r.vars[s.pop];
      for (size_t v = 0; v < vars.size(); ++v) values[v].push_back(pop.value(vars[v], s.index));
    }
  }
}

void Network::record_spikes(long t0, const std::vector<Spike>& spikes) {
  for (const Spike& sp : spikes) {
    if (!is_local(sp.gid)) continue;  // every rank records only its own neurons
    const long stamp = t0 + sp.lag + 1;
    for (uint32_t ri : spike_listeners_[sp.gid]) {
      Recorder& r = recorders_[ri];
      if (!r.window.contains(stamp)) continue;
      for (uint32_t m = 0; m < sp.multiplicity; ++m) {
        r.times[0].push_back(ms(stamp) - sp.offset);
        r.senders[0].push_back(double(sp.gid));
      }
    }
  }
}

// Detectors see every spike of their sources, local or not: the spike list of a slice is the
// same on every rank (deliver() gets all ranks' spikes). NEST hands a detector the spikes of
// a slice by sender, then time (the reference histograms depend on it where a spike comes
// before an earlier one of the other channel), so they are fed in (gid, lag, offset) order.
void Network::feed_detectors(long t0, const std::vector<Spike>& spikes) {
  if (detector_inputs_.empty()) return;
  std::vector<const Spike*> order;
  for (const Spike& sp : spikes)
    if (sp.gid < detector_inputs_.size() && !detector_inputs_[sp.gid].empty())
      order.push_back(&sp);
  std::stable_sort(order.begin(), order.end(),
                   [](const Spike* a, const Spike* b) { return a->gid < b->gid; });
  for (const Spike* p : order) {
    const Spike& sp = *p;
    for (const DetectorInput& in : detector_inputs_[sp.gid])
      recorders_[in.recorder].detector->handle(t0 + sp.lag + 1, in.channel,
                                               in.weight * sp.multiplicity, sp.multiplicity);
  }
}

Network::Events Network::take_events(size_t node) {
  const Node& n = nodes_.at(node);
  if (n.kind != Kind::kRecorder) throw std::invalid_argument("node is not a recorder");
  Recorder& r = recorders_[n.index];
  Events ev;
  if (r.detector) {  // device state, not consumed
    ev.state = true;
    for (auto& res : r.detector->results()) {
      ev.names.push_back(res.name);
      ev.values.push_back(res.values);
      ev.shapes.push_back(res.shape);
      ev.integer.push_back(res.integer);
    }
    return ev;
  }
  if (r.kind == RecorderKind::kWeights) {  // by (time, sender, target), stable
    ev.weights = true;
    ev.names = {"weights"};
    ev.values.resize(1);
    std::vector<std::tuple<double, int64_t, int64_t, int, size_t>> order;
    for (int k = 0; k < threads_; ++k) {
      const WeightLog& log = r.weights[k];
      for (size_t i = 0; i < log.times.size(); ++i)
        order.emplace_back(log.times[i], log.senders[i], log.targets[i], k, i);
    }
    std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
             std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
    });
    for (auto& [t, s, tg, k, i] : order) {
      ev.times.push_back(t);
      ev.senders.push_back(s);
      ev.targets.push_back(tg);
      ev.values[0].push_back(r.weights[k].weights[i]);
    }
    for (auto& log : r.weights) {
      log.times.clear();
      log.senders.clear();
      log.targets.clear();
      log.weights.clear();
    }
    return ev;
  }
  ev.names = r.kind == RecorderKind::kSamples ? r.record_from : std::vector<std::string>{};
  std::vector<std::tuple<double, double, int, size_t>> order;
  for (int k = 0; k < threads_; ++k)
    for (size_t i = 0; i < r.times[k].size(); ++i)
      order.emplace_back(r.times[k][i], r.senders[k][i], k, i);
  std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                            : std::get<1>(a) < std::get<1>(b);
  });
  ev.values.resize(ev.names.size());
  for (auto& [t, s, k, i] : order) {
    ev.times.push_back(t);
    ev.senders.push_back(int64_t(s));
    for (size_t v = 0; v < ev.names.size(); ++v) ev.values[v].push_back(r.values[k][v][i]);
  }
  for (int k = 0; k < threads_; ++k) {
    r.times[k].clear();
    r.senders[k].clear();
    for (auto& v : r.values[k]) v.clear();
  }
  return ev;
}

}  // namespace sd
