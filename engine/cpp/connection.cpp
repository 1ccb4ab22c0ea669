// Connection rules and random draws for node parameters, weights and delays.
#include "network.h"

#include <omp.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

namespace sd {

std::vector<double> Network::draw(const Parameter& spec, uint32_t key, uint64_t first_gid,
                                  size_t n, const std::vector<double>& positions,
                                  int dims) const {
  if (!positions.empty() && positions.size() != n * size_t(dims))
    throw std::invalid_argument("draw: positions need size x dims numbers");
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    Stream s(seed_, kNodeParam, first_gid + i, key);
    Where w;
    if (!positions.empty()) {
      w.pos = positions.data() + i * size_t(dims);
      w.dims = dims;
    }
    out[i] = spec.value(s, w);
  }
  return out;
}

void Network::set_layer(size_t node, const std::vector<double>& positions, int dims,
                        const std::vector<double>& extent, bool periodic) {
  if (prepared_ || built_ || !specs_.empty())
    throw std::logic_error("set_layer: place the neurons before connecting them");
  const Node& n = nodes_.at(node);
  if (n.kind != Kind::kNeurons) throw std::invalid_argument("spatial: a layer places neurons");
  if (dims != 2 && dims != 3) throw std::invalid_argument("spatial: layers are 2D or 3D");
  if (positions.size() != n.n * size_t(dims))
    throw std::invalid_argument("spatial: needs " + std::to_string(n.n) + " positions of " +
                                std::to_string(dims) + " numbers");
  if (extent.size() != size_t(dims))
    throw std::invalid_argument("spatial: the extent needs one number per dimension");
  if (layers_.size() < nodes_.size()) layers_.resize(nodes_.size());
  Layer& l = layers_[node];
  l.dims = dims;
  l.pos = positions;
  for (int d = 0; d < dims; ++d) {
    if (!(extent[size_t(d)] > 0)) throw std::invalid_argument("spatial: the extent must be > 0");
    l.extent[d] = extent[size_t(d)];
  }
  l.periodic = periodic;
}

Where Network::pair_where(const ConnSpec& c, uint64_t s, uint64_t t) const {
  Where w;
  if (c.source >= layers_.size() || c.target >= layers_.size()) return w;
  const Layer& ls = layers_[c.source];
  const Layer& lt = layers_[c.target];
  if (ls.dims == 0 || lt.dims == 0) return w;
  w.source = ls.at(s - nodes_[c.source].first_gid);
  w.target = lt.at(t - nodes_[c.target].first_gid);
  w.dims = ls.dims;
  w.extent = ls.extent;
  w.periodic = ls.periodic;
  return w;
}

void Network::check_spatial(const ConnSpec& c) const {
  const RuleSpec& rule = c.rule;
  const std::string& r = rule.rule;
  const bool spatial_rule = rule.mask.active() || rule.has_kernel || rule.use_on_source;
  if (rule.use_on_source && r != "pairwise_bernoulli")
    throw std::invalid_argument("use_on_source applies to pairwise_bernoulli only");
  if (rule.has_kernel && r != "fixed_indegree" && r != "fixed_outdegree")
    throw std::invalid_argument("p: a kernel applies to fixed_indegree and fixed_outdegree");
  const bool pair = rule.p.needs_pair() || c.weight.needs_pair() || c.delay.needs_pair();
  if (!spatial_rule && !pair && rule.p.is_constant()) return;
  if (nodes_[c.target].kind != Kind::kNeurons || nodes_[c.source].kind != Kind::kNeurons)
    throw std::invalid_argument("spatial connections and a drawn p connect neurons to neurons");
  if (!spatial_rule && !pair) return;
  const bool placed = c.source < layers_.size() && c.target < layers_.size() &&
                      layers_[c.source].dims > 0 && layers_[c.target].dims > 0;
  if (!placed)
    throw std::invalid_argument("spatial connections need positions: give both nodes a layer");
  const Layer& ls = layers_[c.source];
  const Layer& lt = layers_[c.target];
  if (ls.dims != lt.dims)
    throw std::invalid_argument("spatial: the source layer is " + std::to_string(ls.dims) +
                                "D, the target layer " + std::to_string(lt.dims) + "D");
  if (rule.mask.active()) {
    if (r != "pairwise_bernoulli" && r != "fixed_indegree" && r != "fixed_outdegree")
      throw std::invalid_argument("mask: rule " + r + " takes no mask");
    if (rule.mask.dims() != ls.dims)
      throw std::invalid_argument("mask: a " + std::to_string(rule.mask.dims()) +
                                  "D mask on " + std::to_string(ls.dims) + "D layers");
    const bool on_targets = r == "fixed_outdegree" || (r == "pairwise_bernoulli" && !rule.use_on_source);
    rule.mask.check_fits(on_targets ? lt : ls);
  }
}

// Spatial connections, as NEST's ConnectionCreator: the candidates of a driver neuron are the
// other node's neurons inside the mask centred on it (plus the anchor), with displacements
// in the pool's layer (periodic if it wraps). Draws are keyed like the plain rules' (by the
// target, or by the source for fixed_outdegree), so results do not depend on threads/ranks.
template <class Emit>
void Network::generate_spatial(const ConnSpec& c, int k, Emit&& emit) const {
  const Node& src = nodes_.at(c.source);
  const Node& tgt = nodes_.at(c.target);
  const RuleSpec& rule = c.rule;
  const Mask& mask = rule.mask;
  static const Layer none;
  const Layer& ls = c.source < layers_.size() ? layers_[c.source] : none;
  const Layer& lt = c.target < layers_.size() ? layers_[c.target] : none;
  const uint64_t s0 = src.first_gid, t0 = tgt.first_gid;
  auto local = [&](uint64_t tgid) {
    return owner(tgt.index, tgid - t0) == k && is_local(tgid);
  };
  double d[3];
  // whether `other` lies in the mask around `driver`, measured in the pool's layer
  auto in_mask = [&](const double* driver, const double* other, const Layer& pool) {
    for (int q = 0; q < pool.dims; ++q) d[q] = other[q] - driver[q];
    return mask.contains(d, pool);
  };
  auto source_in = [&](uint64_t s, uint64_t t) {  // the mask on the target, over sources
    return !mask.active() || in_mask(lt.at(t - t0), ls.at(s - s0), ls);
  };
  auto target_in = [&](uint64_t s, uint64_t t) {  // the mask on the source, over targets
    return !mask.active() || in_mask(ls.at(s - s0), lt.at(t - t0), lt);
  };
  // The candidates around a driver: with a mask, those in the cells its box overlaps (in
  // cell order), else all of them (in order).
  // (cells bin the candidates in their own layer; when the displacements are measured in
  // the other layer and the two wrap differently, every candidate is tested instead)
  bool same_wrap = ls.periodic == lt.periodic;
  for (int d = 0; d < ls.dims && same_wrap && ls.periodic; ++d)
    same_wrap = ls.extent[d] == lt.extent[d];
  auto cells = [&](const std::vector<uint64_t>& gids, uint64_t first, const Layer& layer,
                   bool mirrored) -> std::unique_ptr<CellIndex> {
    if (!mask.active() || (mirrored && !same_wrap)) return nullptr;
    std::vector<uint64_t> numbers(gids.size());
    for (size_t i = 0; i < gids.size(); ++i) numbers[i] = gids[i] - first;
    double lo[3], hi[3];
    mask.box(lo, hi, mirrored);
    return std::make_unique<CellIndex>(layer, numbers, lo, hi);
  };
  auto candidates = [&](const CellIndex* index, const std::vector<uint64_t>& gids,
                        const double* centre, auto&& f) {
    if (index == nullptr) {
      for (uint64_t g : gids) f(g);
    } else {
      index->visit(centre, [&](uint32_t k) { f(gids[k]); });
    }
  };
  const std::string& r = rule.rule;
  if (r == "pairwise_bernoulli") {
    const bool fixed_p = rule.p.is_constant();
    const double pc = fixed_p ? rule.p.constant_value() : 0.0;
    // NEST 3.10: by default the mask selects the targets around each source (seen from the
    // target: the sources in the mirrored box, displacements in the target layer);
    // use_on_source applies it to the source layer, the sources around each target
    const auto index = cells(c.S, s0, ls, !rule.use_on_source);
    for (uint64_t t : c.T) {
      if (!local(t)) continue;
      Stream st(seed_, kConnect, t, c.index);
      candidates(index.get(), c.S, mask.active() ? lt.at(t - t0) : nullptr, [&](uint64_t s) {
        if (!rule.allow_autapses && s == t) return;
        if (!(rule.use_on_source ? source_in(s, t) : target_in(s, t))) return;
        const double p = fixed_p ? pc : rule.p.value(st, pair_where(c, s, t));
        if (st.uniform() < p) emit(s, t);
      });
    }
    return;
  }
  const bool indegree = r == "fixed_indegree";
  if (!indegree && r != "fixed_outdegree")
    throw std::invalid_argument("rule " + r + " takes no mask or kernel (pairwise_bernoulli, "
                                "fixed_indegree and fixed_outdegree do)");
  std::vector<uint64_t> pool;
  std::vector<double> cumulative;
  std::vector<char> chosen;
  const long long n = indegree ? rule.indegree : rule.outdegree;
  // per driver: the pool inside the mask, its kernel, then n draws (NEST's lottery)
  auto draw_from = [&](uint64_t driver, Stream& st, auto&& pair_of, auto&& keep) {
    double total = 0.0;
    if (rule.has_kernel) {
      cumulative.clear();
      for (uint64_t other : pool) {
        const auto [s, t] = pair_of(other);
        const double w = rule.p.value(st, pair_where(c, s, t));
        if (!(w >= 0.0))
          throw std::invalid_argument("p: the kernel is negative (or not a number) for the pair " +
                                      std::to_string(s) + " -> " + std::to_string(t));
        total += w;
        cumulative.push_back(total);
      }
    }
    const std::string what = indegree ? "sources" : "targets";
    const std::string who = (indegree ? "target " : "source ") + std::to_string(driver);
    if (pool.empty() || (!rule.allow_autapses && pool.size() == 1 && pool[0] == driver) ||
        (!rule.allow_multapses && pool.size() < uint64_t(n)))
      throw std::invalid_argument(who + ": not enough " + what + " inside the mask (" +
                                  std::to_string(pool.size()) + " for " + std::to_string(n) + ")");
    if (rule.has_kernel && !(total > 0.0))
      throw std::invalid_argument(who + ": the kernel p is 0 for every candidate inside the mask");
    chosen.assign(pool.size(), 0);
    for (long long j = 0, tries = 0; j < n; ++tries) {
      if (tries > 1000 * (n + 10))
        throw std::invalid_argument(who + ": cannot find enough distinct " + what);
      size_t i;
      if (rule.has_kernel) {
        const double x = st.uniform() * total;
        i = size_t(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
        if (i >= pool.size()) i = pool.size() - 1;
      } else {
        i = size_t(st.below(pool.size()));
      }
      if (!rule.allow_multapses && chosen[i]) continue;
      if (!rule.allow_autapses && pool[i] == driver) continue;
      chosen[i] = 1;
      keep(pool[i]);
      ++j;
    }
  };
  if (indegree) {
    const auto index = cells(c.S, s0, ls, false);
    for (uint64_t t : c.T) {
      if (!local(t)) continue;
      Stream st(seed_, kConnect, t, c.index);
      pool.clear();
      candidates(index.get(), c.S, mask.active() ? lt.at(t - t0) : nullptr, [&](uint64_t s) {
        if (source_in(s, t)) pool.push_back(s);
      });
      draw_from(t, st, [&](uint64_t s) { return std::pair{s, t}; },
                [&](uint64_t s) { emit(s, t); });
    }
  } else {
    const auto index = cells(c.T, t0, lt, false);
    for (uint64_t s : c.S) {
      Stream st(seed_, kConnect, s, c.index | 0x80000000u);
      pool.clear();
      candidates(index.get(), c.T, mask.active() ? ls.at(s - s0) : nullptr, [&](uint64_t t) {
        if (target_in(s, t)) pool.push_back(t);
      });
      draw_from(s, st, [&](uint64_t t) { return std::pair{s, t}; },
                [&](uint64_t t) {
                  if (local(t)) emit(s, t);
                });
    }
  }
}

// Connection generation. Draws are keyed by the target (or the source for fixed_outdegree, or
// the connection for fixed_total_number), never by thread, so every thread can generate the
// synapses onto its own neurons and the network does not depend on the thread count.
template <class Emit>
void Network::generate(const ConnSpec& c, int k, Emit&& emit) const {
  const Node& tgt = nodes_.at(c.target);
  const RuleSpec& rule = c.rule;
  const std::vector<uint64_t>& S = c.S;
  const std::vector<uint64_t>& T = c.T;
  const uint64_t ns = S.size(), nt = T.size(), t0 = tgt.first_gid;
  const uint32_t conn = c.index;
  if (rule.mask.active() || rule.has_kernel || !rule.p.is_constant() ||
      (rule.use_on_source && rule.rule == "pairwise_bernoulli")) {
    generate_spatial(c, k, emit);
    return;
  }
  const double p = rule.p.constant_value();
  // devices are replicated on every rank; neurons belong to one rank
  auto local = [&](uint64_t tgid) {
    if (tgt.kind != Kind::kNeurons) return k == 0;
    return owner(tgt.index, tgid - t0) == k && is_local(tgid);
  };
  const std::string& r = rule.rule;
  if (r == "all_to_all") {
    for (uint64_t t : T) {
      if (!local(t)) continue;
      for (uint64_t s : S)
        if (rule.allow_autapses || s != t) emit(s, t);
    }
  } else if (r == "one_to_one") {
    for (uint64_t i = 0; i < nt; ++i)
      if (local(T[i]) && (rule.allow_autapses || S[i] != T[i])) emit(S[i], T[i]);
  } else if (r == "fixed_indegree") {
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
    for (uint64_t t : T) {
      if (!local(t)) continue;
      Stream st(seed_, kConnect, t, conn);
      for (uint64_t s : S) {
        const bool hit = st.uniform() < p;
        if (hit && (rule.allow_autapses || s != t)) emit(s, t);
      }
    }
  } else {
    throw std::invalid_argument("unknown connection rule " + r);
  }
}

namespace {
// The checks of a rule that need no generation.
void check_rule(const RuleSpec& rule, uint64_t ns, uint64_t nt) {
  const std::string& r = rule.rule;
  if (r == "all_to_all") return;
  if (r == "one_to_one") {
    if (ns != nt) throw std::invalid_argument("one_to_one needs source and target of equal size");
  } else if (r == "fixed_indegree") {
    if (rule.indegree < 0) throw std::invalid_argument("indegree must be >= 0");
    if (!rule.allow_multapses && uint64_t(rule.indegree) > ns)
      throw std::invalid_argument("indegree " + std::to_string(rule.indegree) +
                                  " exceeds the number of sources without multapses");
  } else if (r == "fixed_outdegree") {
    if (rule.outdegree < 0) throw std::invalid_argument("outdegree must be >= 0");
    if (!rule.allow_multapses && uint64_t(rule.outdegree) > nt)
      throw std::invalid_argument("outdegree exceeds the number of targets without multapses");
  } else if (r == "fixed_total_number") {
    if (rule.total < 0) throw std::invalid_argument("N must be >= 0");
    if (!rule.allow_multapses && uint64_t(rule.total) > ns * nt)
      throw std::invalid_argument("N exceeds the number of possible pairs without multapses");
  } else if (r == "pairwise_bernoulli") {
    if (rule.p.is_constant() && (rule.p.constant_value() < 0.0 || rule.p.constant_value() > 1.0))
      throw std::invalid_argument("p must be in [0, 1]");
  } else {
    throw std::invalid_argument("unknown connection rule " + r);
  }
}

// A parameter evaluated per synapse: random draws from one stream per target neuron, in
// generation order.
class PerTarget {
 public:
  PerTarget(const Parameter& spec, uint64_t seed, uint32_t purpose, uint32_t conn, uint64_t t0,
            uint64_t n)
      : spec_(spec), seed_(seed), purpose_(purpose), conn_(conn), t0_(t0), n_(n) {}
  double operator()(uint64_t t, const Where& w = {}) {
    if (spec_.is_constant()) return spec_.constant_value();
    if (streams_.empty())
      for (uint64_t i = 0; i < n_; ++i) streams_.emplace_back(seed_, purpose_, t0_ + i, conn_);
    return spec_.value(streams_[t - t0_], w);
  }

 private:
  const Parameter& spec_;
  uint64_t seed_;
  uint32_t purpose_, conn_;
  uint64_t t0_, n_;
  std::vector<Stream> streams_;
};
}  // namespace

void Network::connect(size_t source, size_t target, const RuleSpec& rule, const Parameter& weight,
                      const Parameter& delay, uint32_t conn,
                      const std::vector<uint64_t>& source_indices,
                      const std::vector<uint64_t>& target_indices, long receptor,
                      const std::string& synapse, const Params& synapse_params) {
  if (prepared_ || built_) throw std::logic_error("cannot connect after the network was built");
  const Node& src = nodes_.at(source);
  const Node& tgt = nodes_.at(target);
  const uint64_t s0 = src.first_gid, t0 = tgt.first_gid;

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
  ConnSpec spec{source, target, rule, weight, delay, conn, select(src, source_indices),
                select(tgt, target_indices), receptor, nullptr, {}};
  check_rule(rule, spec.S.size(), spec.T.size());
  check_spatial(spec);

  // The synapse model and its full parameter table.
  const ModelDef* def = Registry::instance().find(synapse);
  if (def == nullptr || def->kind != "synapse")
    throw std::invalid_argument("synapse: unknown synapse model " + synapse);
  spec.synapse = def;
  for (size_t i = 0; i < def->params.size(); ++i)
    if (def->params[i] != "weight" && def->params[i] != "delay")
      spec.params[def->params[i]] = {def->defaults[i]};
  for (auto& [name, value] : synapse_params) {
    if (!spec.params.count(name))
      throw std::invalid_argument(name + ": not a parameter of " + synapse);
    if (value.size() != 1) throw std::invalid_argument(name + ": needs one number");
    spec.params[name] = value;
  }
  if (weight.is_constant()) spec.params["weight"] = {weight.constant_value()};
  check_constraints(*def, spec.params, 1, h_);
  spec.params.erase("weight");
  const double wr = spec.params.at("weight_recorder")[0];
  if (wr >= 0.0) {
    const size_t n = size_t(wr);
    if (double(n) != wr || n >= nodes_.size() || nodes_[n].kind != Kind::kRecorder ||
        recorders_[nodes_[n].index].kind != RecorderKind::kWeights)
      throw std::invalid_argument("weight_recorder: node " + std::to_string(wr) +
                                  " is not a weight_recorder");
  }
  if (spec.params.count("volume_transmitter")) {
    const double vt = spec.params.at("volume_transmitter")[0];
    const size_t n = size_t(vt);
    if (vt < 0.0)
      throw std::invalid_argument("volume_transmitter: " + synapse +
                                  " needs a volume_transmitter node");
    if (double(n) != vt || n >= nodes_.size() || nodes_[n].kind != Kind::kVolume)
      throw std::invalid_argument("volume_transmitter: node " + std::to_string(vt) +
                                  " is not a volume_transmitter");
  }
  auto probe = def->make_synapses(spec.params);
  if (tgt.kind == Kind::kNeurons)
    if (auto why = probe->cannot_target(*populations_[tgt.index]); !why.empty())
      throw std::invalid_argument("synapse: " + synapse + " cannot target " + tgt.model + ": " + why);
  if (def->gap) {  // electrical coupling: no synapse group, no delay
    if (src.kind != Kind::kNeurons || tgt.kind != Kind::kNeurons ||
        !populations_[src.index]->gap_junctions || !populations_[tgt.index]->gap_junctions)
      throw std::invalid_argument("synapse: gap_junction connects neurons that take gap junctions "
                                  "(hh_psc_alpha_gap), not " + src.model + " to " + tgt.model);
    if (n_ranks_ > 1)
      throw std::invalid_argument("synapse: gap_junction runs on one MPI rank (use threads)");
    if (!weight.is_constant())
      throw std::invalid_argument("weight: gap_junction takes one weight");
    const Population& tp = *populations_[tgt.index];
    if (gap_inputs_.size() < current_slots_) gap_inputs_.resize(current_slots_);
    for (int k = 0; k < threads_; ++k)
      generate(spec, k, [&](uint64_t s, uint64_t t) {
        gap_inputs_[tp.current_offset + (t - t0)].push_back(
            {uint32_t(src.index), uint32_t(s - s0), weight.constant_value(), conn});
      });
    has_gap_ = true;
    return;
  }
  const bool plastic = probe->plastic();
  if (plastic && (src.kind != Kind::kNeurons || tgt.kind != Kind::kNeurons))
    throw std::invalid_argument("synapse: " + synapse + " connects neurons only, not " +
                                src.model + " to " + tgt.model);
  if (!plastic && wr >= 0.0 && src.kind != Kind::kNeurons)
    throw std::invalid_argument("weight_recorder: records synapses between neurons only");

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
  if (delay.is_constant()) steps_of_delay(delay.constant_value());  // fails early if too short

  if (src.kind == Kind::kNeurons && tgt.kind == Kind::kNeurons) {
    specs_.push_back(std::move(spec));
    return;
  }
  auto slot_of = [&](uint64_t t, double w) {
    const Population& p = *target_pop;
    return uint32_t(p.input_offset + p.port_of(w, receptor) * p.n + (t - t0));
  };

  // Device connections are few: generated now, on one thread.
  PerTarget w(weight, seed_, kWeight, conn, t0, tgt.n);
  PerTarget d(delay, seed_, kDelay, conn, t0, tgt.n);
  auto all_threads = [&](auto&& emit) {
    for (int k = 0; k < threads_; ++k) generate(spec, k, [&](uint64_t s, uint64_t t) { emit(k, s, t); });
  };
  auto thread_zero = [&](auto&& emit) { generate(spec, 0, emit); };
  if (src.kind == Kind::kGenerator && tgt.kind == Kind::kNeurons) {
    // a generator's targets are kept per thread of the target
    for (int k = 0; k < threads_; ++k)
      generate(spec, k, [&](uint64_t s, uint64_t t) {
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
    thread_zero([&](uint64_t s, uint64_t t) {
      const double wv = w(t);
      detector_inputs_[s].push_back({uint32_t(tgt.index), uint32_t(receptor), wv,
                                     steps_of_delay(d(t))});
    });
  } else if (src.kind == Kind::kNeurons && tgt.kind == Kind::kVolume) {
    // every rank keeps every source's input
    if (volume_inputs_.size() < next_gid_) volume_inputs_.resize(next_gid_ + 1);
    thread_zero([&](uint64_t s, uint64_t t) {
      volume_inputs_[s].push_back({uint32_t(tgt.index), steps_of_delay(d(t))});
    });
  } else if (src.kind == Kind::kRecorder && tgt.kind == Kind::kGenerator &&
             recorders_[src.index].kind == RecorderKind::kSamples) {
    // a generator's recordables (I of current generators): sampled once, on rank 0
    Recorder& r = recorders_[src.index];
    if (rank_ == 0)
      thread_zero([&](uint64_t, uint64_t t) {
        r.targets[0].push_back({tgt.index + size_t(t - t0), 0, t, true});
      });
  } else if (src.kind == Kind::kNeurons && tgt.kind == Kind::kRecorder &&
             recorders_[tgt.index].kind == RecorderKind::kSpikes) {
    if (spike_listeners_.size() < next_gid_) spike_listeners_.resize(next_gid_ + 1);
    thread_zero([&](uint64_t s, uint64_t) { spike_listeners_[s].push_back(uint32_t(tgt.index)); });
  } else if (src.kind == Kind::kRecorder && tgt.kind == Kind::kNeurons &&
             recorders_[src.index].kind == RecorderKind::kSamples) {
    Recorder& r = recorders_[src.index];
    const size_t pop = tgt.index;
    all_threads([&](int k, uint64_t, uint64_t t) { r.targets[k].push_back({pop, t - t0, t}); });
  } else {
    throw std::invalid_argument("cannot connect " + src.model + " to " + tgt.model);
  }
}

// One connection's synapses on thread k, straight into the final layout: a first pass counts
// each source's synapses, a second generates them again (the same draws: counter-based
// streams) into their places; then each row is sorted by (delay, slot), stably, so each
// input slot receives a row's synapses in generation order whatever the number of threads.
std::unique_ptr<SynapseGroup> Network::build_group(const ConnSpec& c, int k) {
  const Node& src = nodes_[c.source];
  const Node& tgt = nodes_[c.target];
  const Population& pop = *populations_[tgt.index];
  auto g = c.synapse->make_synapses(c.params);
  g->s0 = src.first_gid;
  g->connection = c.index;
  g->input_offset = pop.input_offset;
  g->target_n = pop.n;
  g->current_offset = pop.current_offset;
  g->target_first_gid = tgt.first_gid;
  g->precise = pop.precise;
  g->unit = pop.unit_weight;
  g->target_population = &pop;
  g->weight_recorder = int(c.params.at("weight_recorder")[0]);
  if (g->weight_recorder >= 0)
    g->log = &recorders_[nodes_[size_t(g->weight_recorder)].index].weights[k];
  if (c.params.count("volume_transmitter")) {
    g->volume_transmitter = int(c.params.at("volume_transmitter")[0]);
    g->set_volume(&volumes_[nodes_[size_t(g->volume_transmitter)].index].spikes);
  }
  // a unit-weight target (parrots) counts spikes; the synapses keep their weights (as NEST's)
  const bool uniform = c.weight.is_constant() && !g->plastic();
  const bool fixed_delay = c.delay.is_constant();
  const uint64_t ns = src.n, t0 = tgt.first_gid;

  // The pairs, twice: to count and to fill. A spatial rule (masks, kernels, expressions
  // of the pair: costly to generate) is generated once into a list of (source, target)
  // numbers, 8 bytes per synapse while building; the plain rules are cheap to regenerate.
  const RuleSpec& rule = c.rule;
  const bool once = rule.mask.active() || rule.has_kernel || !rule.p.is_constant();
  std::vector<std::pair<uint32_t, uint32_t>> listed;
  if (once)
    generate(c, k, [&](uint64_t s, uint64_t t) {
      listed.emplace_back(uint32_t(s - g->s0), uint32_t(t - t0));
    });
  auto pairs = [&](auto&& f) {
    if (!once) return generate(c, k, f);
    for (const auto& [s, t] : listed) f(g->s0 + s, t0 + t);
  };
  g->row.assign(ns + 1, 0);
  pairs([&](uint64_t s, uint64_t) { ++g->row[s - g->s0 + 1]; });
  std::partial_sum(g->row.begin(), g->row.end(), g->row.begin());
  const uint64_t n = g->row[ns];
  g->target.resize(n);
  if (uniform) g->uniform_weight = c.weight.constant_value();
  else g->weight.resize(n);
  std::vector<uint32_t> delay_of(fixed_delay ? 0 : n);
  const uint32_t fixed = fixed_delay ? steps_of_delay(c.delay.constant_value()) : 0;
  {
    std::vector<uint64_t> fill(g->row.begin(), g->row.end() - 1);
    PerTarget w(c.weight, seed_, kWeight, c.index, t0, tgt.n);
    PerTarget d(c.delay, seed_, kDelay, c.index, t0, tgt.n);
    const bool w_pair = c.weight.needs_pair(), d_pair = c.delay.needs_pair();
    pairs([&](uint64_t s, uint64_t t) {
      const double wv = w_pair ? w(t, pair_where(c, s, t)) : w(t);
      const uint64_t j = fill[s - g->s0]++;
      g->target[j] = uint32_t(pop.input_offset + pop.port_of(wv, c.receptor) * pop.n + (t - t0));
      if (!uniform) g->weight[j] = wv;
      if (!fixed_delay) delay_of[j] = steps_of_delay(d_pair ? d(t, pair_where(c, s, t)) : d(t));
    });
  }
  std::vector<std::pair<uint32_t, uint32_t>>().swap(listed);
  // sort rows by (delay, slot), stable; runs of one delay
  std::vector<uint64_t> perm;
  std::vector<uint32_t> tmp_target, tmp_delay;
  std::vector<double> tmp_weight;
  auto key = [&](uint64_t j) {
    return uint64_t(fixed_delay ? fixed : delay_of[j]) << 32 | g->target[j];
  };
  g->run_row.assign(ns + 1, 0);
  for (uint64_t r = 0; r < ns; ++r) {
    const uint64_t b = g->row[r], e = g->row[r + 1];
    bool sorted = true;
    for (uint64_t j = b + 1; j < e && sorted; ++j) sorted = key(j - 1) <= key(j);
    if (!sorted) {
      perm.resize(e - b);
      std::iota(perm.begin(), perm.end(), b);
      std::stable_sort(perm.begin(), perm.end(), [&](uint64_t x, uint64_t y) { return key(x) < key(y); });
      tmp_target.resize(e - b);
      for (size_t i = 0; i < perm.size(); ++i) tmp_target[i] = g->target[perm[i]];
      if (!uniform) {
        tmp_weight.resize(e - b);
        for (size_t i = 0; i < perm.size(); ++i) tmp_weight[i] = g->weight[perm[i]];
        std::copy(tmp_weight.begin(), tmp_weight.end(), g->weight.begin() + long(b));
      }
      if (!fixed_delay) {
        tmp_delay.resize(e - b);
        for (size_t i = 0; i < perm.size(); ++i) tmp_delay[i] = delay_of[perm[i]];
        std::copy(tmp_delay.begin(), tmp_delay.end(), delay_of.begin() + long(b));
      }
      std::copy(tmp_target.begin(), tmp_target.end(), g->target.begin() + long(b));
    }
    for (uint64_t j = b; j < e; ++j) {
      const uint32_t dj = fixed_delay ? fixed : delay_of[j];
      if (j == b || g->runs.back().delay != dj) g->runs.push_back({j + 1, dj});
      else g->runs.back().end = j + 1;
    }
    g->run_row[r + 1] = g->runs.size();
  }
  g->runs.shrink_to_fit();
  g->init_state();
  return g;
}

void Network::build() {
  if (built_) return;
  // gid -> node and neuron; archives if a synapse model reads them
  node_of_gid_.assign(next_gid_ + 1, UINT32_MAX);
  neuron_of_gid_.assign(next_gid_ + 1, UINT32_MAX);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    for (uint64_t g = 0; g < node.n; ++g) {
      node_of_gid_[node.first_gid + g] = uint32_t(i);
      if (node.kind == Kind::kNeurons)
        neuron_of_gid_[node.first_gid + g] =
            uint32_t(populations_[node.index]->current_offset + g);
    }
  }
  groups_.clear();
  groups_.resize(threads_);
  groups_of_node_.assign(threads_, std::vector<std::vector<uint32_t>>(nodes_.size()));
  std::vector<std::string> errors(threads_);
#pragma omp parallel num_threads(threads_)
  {
    const int k = omp_get_thread_num();
    for (const ConnSpec& c : specs_) {
      try {
        auto g = build_group(c, k);
        if (g->size() == 0) continue;
        groups_of_node_[k][c.source].push_back(uint32_t(groups_[k].size()));
        groups_[k].push_back(std::move(g));
      } catch (const std::exception& e) {
        if (errors[k].empty()) errors[k] = "connection " + std::to_string(c.index) + ": " + e.what();
      }
    }
  }
  for (auto& e : errors)
    if (!e.empty()) throw std::invalid_argument(e);
  std::vector<ConnSpec>().swap(specs_);
  bool archive = false;
  for (auto& per : groups_)
    for (auto& g : per) archive = archive || g->reads_archive();
  if (archive) {
    archives_.assign(current_slots_, Archive{});
    for (size_t i = 0; i < current_slots_; ++i) {
      archives_[i].tau_minus_inv = 1.0 / tau_minus_[i];
      archives_[i].tau_minus_triplet_inv = 1.0 / tau_minus_triplet_[i];
    }
    for (auto& per : groups_)
      for (auto& g : per)
        if (g->reads_archive())
          for (uint32_t slot : g->target) ++archives_[g->neuron_of(slot)].n_incoming;
  }
  built_ = true;
}

Network::Table Network::connections(uint32_t index) {
  build();
  struct Item {
    uint64_t source, target;
    double weight, delay;
  };
  std::vector<Item> items;
  for (auto& per : groups_)
    for (auto& g : per) {
      if (g->connection != index) continue;
      for (uint64_t r = 0; r + 1 < g->row.size(); ++r) {
        uint64_t j = g->row[r];
        for (uint64_t q = g->run_row[r]; q < g->run_row[r + 1]; ++q)
          for (; j < g->runs[q].end; ++j)
            items.push_back({g->s0 + r, g->gid_of(g->target[j]), g->weight_of(j),
                             ms(long(g->runs[q].delay))});
      }
    }
  // gap junctions (NEST lists them with the default delay, which they do not use)
  for (size_t p = 0; p < populations_.size(); ++p) {
    const Population& pop = *populations_[p];
    for (size_t i = 0; i < pop.n && pop.current_offset + i < gap_inputs_.size(); ++i)
      for (const GapInput& in : gap_inputs_[pop.current_offset + i])
        if (in.connection == index)
          items.push_back({populations_[in.pop]->first_gid + in.index, pop.first_gid + i,
                           in.weight, 1.0});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  Table t;
  for (const Item& it : items) {
    t.sources.push_back(int64_t(it.source));
    t.targets.push_back(int64_t(it.target));
    t.weights.push_back(it.weight);
    t.delays.push_back(it.delay);
  }
  return t;
}

uint64_t Network::synapse_count() const {
  uint64_t n = 0;
  for (auto& per : groups_)
    for (auto& g : per) n += g->size();
  return n;
}

}  // namespace sd
