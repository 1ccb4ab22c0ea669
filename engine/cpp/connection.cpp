// Connection rules and random draws for node parameters, weights and delays.
#include "network.h"

#include <omp.h>

#include <set>
#include <stdexcept>

namespace sd {

std::vector<double> Network::draw(const RandomSpec& spec, uint32_t key, uint64_t first_gid,
                                  size_t n) const {
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    Stream s(seed_, kNodeParam, first_gid + i, key);
    out[i] = spec.draw(s);
  }
  return out;
}

// Connection generation. Draws are keyed by the target (or the source for fixed_outdegree, or
// the connection for fixed_total_number), never by thread, so every thread can generate the
// synapses onto its own neurons and the network does not depend on the thread count.
void Network::connect(size_t source, size_t target, const RuleSpec& rule, const RandomSpec& weight,
                      const RandomSpec& delay, uint32_t conn,
                      const std::vector<uint64_t>& source_indices,
                      const std::vector<uint64_t>& target_indices, long receptor) {
  if (prepared_) throw std::logic_error("cannot connect after the simulation started");
  const Node& src = nodes_.at(source);
  const Node& tgt = nodes_.at(target);
  const uint64_t s0 = src.first_gid, t0 = tgt.first_gid;

  // Which thread owns a target gid (-1: not a neuron population target).
  auto thread_of = [&](uint64_t tgid) {
    return tgt.kind == Kind::kNeurons ? owner(tgt.index, tgid - t0) : 0;
  };

  // The neurons the rule applies to: the whole node, or the chosen indices.
  auto select = [](const Node& node, const std::vector<uint64_t>& indices) {
    std::vector<uint64_t> gids;
    if (indices.empty()) {
      for (uint64_t i = 0; i < node.n; ++i) gids.push_back(node.first_gid + i);
    } else {
      for (uint64_t i : indices) {
        if (i >= node.n)
          throw std::invalid_argument("index " + std::to_string(i) + " is outside a node of size " +
                                      std::to_string(node.n));
        gids.push_back(node.first_gid + i);
      }
    }
    return gids;
  };
  const std::vector<uint64_t> S = select(src, source_indices), T = select(tgt, target_indices);
  const uint64_t ns = S.size(), nt = T.size();

  // Collect (source gid, target gid) pairs that thread k keeps, in a thread-independent order.
  auto generate = [&](int k, auto&& emit) {
    // devices are replicated on every rank; neurons belong to one rank
    auto local = [&](uint64_t tgid) {
      return thread_of(tgid) == k && (tgt.kind != Kind::kNeurons || is_local(tgid));
    };
    const std::string& r = rule.rule;
    if (r == "all_to_all") {
      for (uint64_t t : T) {
        if (!local(t)) continue;
        for (uint64_t s : S)
          if (rule.allow_autapses || s != t) emit(s, t);
      }
    } else if (r == "one_to_one") {
      if (ns != nt) throw std::invalid_argument("one_to_one needs source and target of equal size");
      for (uint64_t i = 0; i < nt; ++i)
        if (local(T[i]) && (rule.allow_autapses || S[i] != T[i])) emit(S[i], T[i]);
    } else if (r == "fixed_indegree") {
      if (rule.indegree < 0) throw std::invalid_argument("indegree must be >= 0");
      if (!rule.allow_multapses && uint64_t(rule.indegree) > ns)
        throw std::invalid_argument("indegree " + std::to_string(rule.indegree) +
                                    " exceeds the number of sources without multapses");
      for (uint64_t t : T) {
        if (!local(t)) continue;
        Stream st(seed_, kConnect, t, conn);
        std::set<uint64_t> chosen;
        for (long long j = 0, tries = 0; j < rule.indegree; ++tries) {
          if (tries > 1000 * (rule.indegree + 10))
            throw std::invalid_argument("fixed_indegree cannot find enough distinct sources");
          const uint64_t s = S[st.below(ns)];
          if (!rule.allow_autapses && s == t) continue;
          if (!rule.allow_multapses && !chosen.insert(s).second) continue;
          emit(s, t);
          ++j;
        }
      }
    } else if (r == "fixed_outdegree") {
      if (rule.outdegree < 0) throw std::invalid_argument("outdegree must be >= 0");
      if (!rule.allow_multapses && uint64_t(rule.outdegree) > nt)
        throw std::invalid_argument("outdegree exceeds the number of targets without multapses");
      for (uint64_t s : S) {
        Stream st(seed_, kConnect, s, conn | 0x80000000u);
        std::set<uint64_t> chosen;
        for (long long j = 0, tries = 0; j < rule.outdegree; ++tries) {
          if (tries > 1000 * (rule.outdegree + 10))
            throw std::invalid_argument("fixed_outdegree cannot find enough distinct targets");
          const uint64_t t = T[st.below(nt)];
          if (!rule.allow_autapses && s == t) continue;
          if (!rule.allow_multapses && !chosen.insert(t).second) continue;
          if (local(t)) emit(s, t);
          ++j;
        }
      }
    } else if (r == "fixed_total_number") {
      if (rule.total < 0) throw std::invalid_argument("N must be >= 0");
      if (!rule.allow_multapses && uint64_t(rule.total) > ns * nt)
        throw std::invalid_argument("N exceeds the number of possible pairs without multapses");
      Stream st(seed_, kConnect, 0, conn | 0x40000000u);
      std::set<std::pair<uint64_t, uint64_t>> chosen;
      for (long long j = 0, tries = 0; j < rule.total; ++tries) {
        if (tries > 1000 * (rule.total + 10))
          throw std::invalid_argument("fixed_total_number cannot find enough distinct pairs");
        const uint64_t s = S[st.below(ns)], t = T[st.below(nt)];
        if (!rule.allow_autapses && s == t) continue;
        if (!rule.allow_multapses && !chosen.insert({s, t}).second) continue;
        if (local(t)) emit(s, t);
        ++j;
      }
    } else if (r == "pairwise_bernoulli") {
      if (rule.p < 0.0 || rule.p > 1.0) throw std::invalid_argument("p must be in [0, 1]");
      for (uint64_t t : T) {
        if (!local(t)) continue;
        Stream st(seed_, kConnect, t, conn);
        for (uint64_t s : S) {
          const bool hit = st.uniform() < rule.p;
          if (hit && (rule.allow_autapses || s != t)) emit(s, t);
        }
      }
    } else {
      throw std::invalid_argument("unknown connection rule " + r);
    }
  };

  // Weights and delays: one stream per target, drawn in generation order.
  const Population* target_pop = tgt.kind == Kind::kNeurons ? populations_[tgt.index].get() : nullptr;
  const bool forced_unit = target_pop != nullptr && target_pop->unit_weight;
  // Receptor ports take spikes; currents and recording requests use receptor 0 (as NEST).
  const bool carries_current =
      src.kind == Kind::kGenerator && generators_[src.index]->emits_current();
  const bool carries_spikes =
      target_pop != nullptr && src.kind != Kind::kRecorder && !carries_current;
  const Detector* detector =
      tgt.kind == Kind::kRecorder ? recorders_[tgt.index].detector.get() : nullptr;
  if (detector != nullptr) {
    if (src.kind != Kind::kNeurons)
      throw std::invalid_argument("cannot connect " + src.model + " to " + tgt.model);
    if (receptor < 0 || size_t(receptor) >= detector->channels())
      throw std::invalid_argument("receptor_type " + std::to_string(receptor) + " is not one of " +
                                  tgt.model + "'s channels 0.." +
                                  std::to_string(detector->channels() - 1));
  } else if (carries_spikes) target_pop->port_of(1.0, receptor);  // an unknown receptor fails here
  else if (receptor != 0)
    throw std::invalid_argument(target_pop != nullptr
                                    ? "receptor_type applies to spike connections only"
                                    : "receptor_type applies to connections onto neurons");
  // The spike-input slot of target gid t for weight w: the port chosen by the model's routing.
  auto slot_of = [&](uint64_t t, double w) {
    const Population& p = *target_pop;
    return uint32_t(p.input_offset + p.port_of(w, receptor) * p.n + (t - t0));
  };
  auto make_draw = [&](const RandomSpec& spec, uint32_t purpose) {
    const uint64_t node_n = tgt.n;
    return [&spec, purpose, this, conn, t0, node_n, streams = std::vector<Stream>()](uint64_t t) mutable {
      if (spec.kind == RandomSpec::kConstant) return spec.a;
      if (streams.empty())
        for (uint64_t i = 0; i < node_n; ++i) streams.emplace_back(seed_, purpose, t0 + i, conn);
      return spec.draw(streams[t - t0]);
    };
  };

  if (src.kind == Kind::kNeurons && tgt.kind == Kind::kNeurons) {
    std::vector<std::string> errors(threads_);
#pragma omp parallel num_threads(threads_)
    {
      const int k = omp_get_thread_num();
      try {
        auto w = make_draw(weight, kWeight);
        auto d = make_draw(delay, kDelay);
        generate(k, [&](uint64_t s, uint64_t t) {
          const double wv = forced_unit ? 1.0 : w(t);
          const uint32_t dv = steps_of_delay(d(t));
          pending_[k].push_back({s, slot_of(t, wv), dv, wv});
        });
      } catch (const std::exception& e) {
        errors[k] = e.what();
      }
    }
    for (auto& e : errors)
      if (!e.empty()) throw std::invalid_argument(e);
    return;
  }

  // Device connections are few; generate them on one thread.
  auto w = make_draw(weight, kWeight);
  auto d = make_draw(delay, kDelay);
  if (src.kind == Kind::kGenerator && tgt.kind == Kind::kNeurons) {
    for (int k = 0; k < threads_; ++k)
      generate(k, [&](uint64_t s, uint64_t t) {
        const double wv = forced_unit ? 1.0 : w(t);
        const uint32_t dv = steps_of_delay(d(t));
        Generator& g = *generators_[src.index + (s - s0)];
        DeviceTarget target{0, 0, t, wv, dv};
        if (g.emits_current()) {
          target.slot = target.slot_neg = uint32_t(target_pop->current_offset + (t - t0));
        } else {
          target.slot = slot_of(t, 1.0);
          target.slot_neg = slot_of(t, -1.0);
          if (target_pop->precise) {
            target.precise = true;
            target.neuron = uint32_t(target_pop->current_offset + (t - t0));
            target.port = uint32_t(target_pop->port_of(1.0, receptor));
            target.port_neg = uint32_t(target_pop->port_of(-1.0, receptor));
          }
        }
        g.targets[k].push_back(target);
      });
  } else if (detector != nullptr) {
    // every rank keeps every source's input, in generation order
    if (detector_inputs_.size() < next_gid_) detector_inputs_.resize(next_gid_ + 1);
    generate(0, [&](uint64_t s, uint64_t t) {
      const double wv = w(t);
      detector_inputs_[s].push_back({uint32_t(tgt.index), uint32_t(receptor), wv,
                                     steps_of_delay(d(t))});
    });
  } else if (src.kind == Kind::kRecorder && tgt.kind == Kind::kGenerator &&
             recorders_[src.index].kind == RecorderKind::kSamples) {
    // a generator's recordables (I of current generators): sampled once, on rank 0
    Recorder& r = recorders_[src.index];
    if (rank_ == 0)
      generate(0, [&](uint64_t, uint64_t t) {
        r.targets[0].push_back({tgt.index + size_t(t - t0), 0, t, true});
      });
  } else if (src.kind == Kind::kNeurons && tgt.kind == Kind::kRecorder &&
             recorders_[tgt.index].kind == RecorderKind::kSpikes) {
    if (spike_listeners_.size() < next_gid_) spike_listeners_.resize(next_gid_ + 1);
    generate(0, [&](uint64_t s, uint64_t) { spike_listeners_[s].push_back(uint32_t(tgt.index)); });
  } else if (src.kind == Kind::kRecorder && tgt.kind == Kind::kNeurons &&
             recorders_[src.index].kind == RecorderKind::kSamples) {
    Recorder& r = recorders_[src.index];
    const size_t pop = tgt.index;
    for (int k = 0; k < threads_; ++k)
      generate(k, [&](uint64_t, uint64_t t) { r.targets[k].push_back({pop, t - t0, t}); });
  } else {
    throw std::invalid_argument("cannot connect " + src.model + " to " + tgt.model);
  }
}

uint64_t Network::synapse_count() const {
  uint64_t n = 0;
  for (auto& p : pending_) n += p.size();
  for (auto& c : csr_) n += c.target.size();
  for (auto& c : precise_csr_) n += c.target.size();
  return n;
}

}  // namespace sd
