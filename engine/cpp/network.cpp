// The kernel: nodes, ring buffers, and the slice loop (update, gather, deliver).
#include "network.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>
#include <tuple>

namespace sd {

namespace {
double scalar(const Params& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty())
    throw std::invalid_argument(std::string("missing parameter ") + name);
  return it->second[0];
}
}  // namespace

Network::Network(double resolution, uint64_t seed, int threads, int rank, int n_ranks)
    : h_(resolution), seed_(seed), threads_(threads), rank_(rank), n_ranks_(n_ranks) {
  if (!(resolution > 0.0)) throw std::invalid_argument("resolution must be > 0");
  if (threads < 1) throw std::invalid_argument("threads must be >= 1");
  if (n_ranks < 1 || rank < 0 || rank >= n_ranks)
    throw std::invalid_argument("rank must be in [0, n_ranks)");
  local_spikes_.resize(threads_);
  thread_errors_.resize(threads_);
}

uint32_t Network::steps_of_delay(double ms) const {
  const long d = std::lround(ms / h_);
  if (d < 1)
    throw std::invalid_argument("delay " + std::to_string(ms) +
                                " ms is shorter than the resolution");
  if (d > 100000000) throw std::invalid_argument("delay too long");
  return uint32_t(d);
}

size_t Network::add_node(const std::string& model, size_t n, const Params& p,
                         const std::vector<Params>& each) {
  if (!each.empty() && each.size() != n)
    throw std::invalid_argument("params: needs one set of values per device (" +
                                std::to_string(n) + "), got " + std::to_string(each.size()));
  if (prepared_) throw std::logic_error("cannot add nodes after the simulation started");
  if (n < 1) throw std::invalid_argument("size must be >= 1");
  const ModelDef* def = Registry::instance().find(model);
  if (def == nullptr) throw std::invalid_argument("unknown model " + model);
  Node node{Kind::kNeurons, model, next_gid_, n, 0};
  if (def->make_population) {
    node.index = populations_.size();
    auto pop = def->make_population(next_gid_, n, p, each, h_);
    pop->input_offset = spike_slots_;
    pop->current_offset = current_slots_;
    spike_slots_ += pop->ports() * n;
    current_slots_ += n;
    // the postsynaptic traces every neuron keeps for STDP (NEST's ArchivingNode)
    for (auto [name, fallback, out] : {std::tuple{"tau_minus", 20.0, &tau_minus_},
                                       std::tuple{"tau_minus_triplet", 110.0, &tau_minus_triplet_}}) {
      auto it = p.find(name);
      std::vector<double> v = it == p.end() ? std::vector<double>{fallback} : it->second;
      if (v.size() != 1 && v.size() != n)
        throw std::invalid_argument(std::string(name) + ": needs one value per neuron");
      for (double x : v)
        if (!(x > 0.0)) throw std::invalid_argument(std::string(name) + ": must be > 0");
      for (size_t i = 0; i < n; ++i) out->push_back(v.size() == 1 ? v[0] : v[i]);
    }
    has_precise_ = has_precise_ || pop->precise;
    populations_.push_back(std::move(pop));
  } else if (def->volume) {
    if (n != 1) throw std::invalid_argument(model + " must have size 1");
    check_constraints(*def, p, 1, h_);
    node.kind = Kind::kVolume;
    node.index = volumes_.size();
    Volume v;
    v.node = uint32_t(nodes_.size());
    v.deliver_interval = std::lround(scalar(p, "deliver_interval"));
    volumes_.push_back(std::move(v));
  } else if (def->kind == "recorder") {
    if (n != 1) throw std::invalid_argument(model + " must have size 1");
    if (!def->make_detector) check_constraints(*def, p, 1, h_);
    node.kind = Kind::kRecorder;
    node.index = recorders_.size();
    Recorder r;
    r.kind = def->recorder;
    r.gid = next_gid_;
    if (def->make_detector) r.detector = def->make_detector(p, h_);
    r.window = Window::from(scalar(p, "origin"), scalar(p, "start"), scalar(p, "stop"), h_);
    if (r.kind == RecorderKind::kSamples) r.interval = std::lround(scalar(p, "interval") / h_);
    r.targets.resize(threads_);
    r.times.resize(threads_);
    r.senders.resize(threads_);
    r.values.resize(threads_);
    r.weights.resize(threads_);
    for (auto& log : r.weights) log.window = r.window;
    recorders_.push_back(std::move(r));
  } else if (def->make_generator) {
    node.kind = Kind::kGenerator;
    node.index = generators_.size();
    for (size_t i = 0; i < n; ++i) {
      Params mine = p;
      if (!each.empty())
        for (auto& [name, value] : each[i]) mine[name] = value;
      std::unique_ptr<Generator> g;
      try {
        g = def->make_generator(next_gid_ + i, mine, h_);
      } catch (const std::invalid_argument& e) {
        if (n == 1) throw;
        throw std::invalid_argument(std::string(e.what()) + " [device " + std::to_string(i) + "]");
      }
      g->targets.resize(threads_);
      generators_.push_back(std::move(g));
    }
  } else {
    throw std::invalid_argument("model " + model + " cannot be created");
  }
  next_gid_ += n;
  nodes_.push_back(node);
  return nodes_.size() - 1;
}

std::pair<size_t, size_t> Network::range(size_t pop, int thread) const {
  const size_t n = populations_[pop]->n;
  return {n * thread / threads_, n * (thread + 1) / threads_};
}

int Network::owner(size_t pop, size_t i) const {
  const size_t n = populations_[pop]->n;
  int k = int(i * threads_ / n);
  while (k + 1 < threads_ && range(pop, k + 1).first <= i) ++k;
  while (range(pop, k).first > i) --k;
  return k;
}

std::pair<long, long> Network::local_delay_extrema() {
  build();
  long lo = std::numeric_limits<long>::max(), hi = 0;
  for (auto& per : groups_)
    for (auto& g : per)
      for (const SynapseGroup::Run& r : g->runs)
        lo = std::min<long>(lo, r.delay), hi = std::max<long>(hi, r.delay);
  for (auto& g : generators_)
    for (auto& per : g->targets)
      for (auto& t : per) lo = std::min<long>(lo, t.delay), hi = std::max<long>(hi, t.delay);
  for (auto& per : detector_inputs_)
    for (auto& in : per) lo = std::min<long>(lo, in.delay), hi = std::max<long>(hi, in.delay);
  for (auto& per : volume_inputs_)
    for (auto& in : per) lo = std::min<long>(lo, in.delay), hi = std::max<long>(hi, in.delay);
  if (has_gap_) {  // gap junctions count with the relaxation's communication interval
    const long comm = wfr_.use ? std::max(1L, std::lround(wfr_.comm_interval / h_)) : 1;
    lo = std::min(lo, comm), hi = std::max(hi, comm);
  }
  if (lo == std::numeric_limits<long>::max()) return {0, 0};
  return {lo, hi};
}

std::vector<int64_t> Network::local_gids() const {
  std::vector<int64_t> out;
  for (auto& p : populations_)
    for (size_t i = first_local(&p - populations_.data(), 0); i < p->n; i += n_ranks_)
      out.push_back(int64_t(p->first_gid + i));
  return out;
}

size_t Network::first_local(size_t pop, size_t b) const {
  if (n_ranks_ == 1) return b;
  const uint64_t g = populations_[pop]->first_gid + b;
  return b + size_t((uint64_t(rank_) + n_ranks_ - g % n_ranks_) % n_ranks_);
}

void Network::prepare(long steps, long min_delay, long max_delay) {
  if (steps < 0) throw std::invalid_argument("steps must be >= 0");
  if (slice_t0_ >= 0) throw std::logic_error("deliver() the last slice before preparing a run");
  remaining_ = steps;
  if (prepared_) return;
  build();
  auto [lo, hi] = local_delay_extrema();
  if (lo == 0) lo = hi = std::max<long>(1, std::lround(1.0 / h_));  // no connections
  if (min_delay > 0) lo = min_delay;
  if (max_delay > 0) hi = max_delay;
  if (lo > hi) throw std::invalid_argument("min_delay exceeds max_delay");
  prepare_buffers(lo, hi);
}

void Network::prepare_buffers(long lo, long hi) {
  for (auto& p : populations_) {
    p->max_delay = hi;
    p->archive = archives_.empty() ? nullptr : archives_.data() + p->current_offset;
    p->prepare(h_);
  }
  // recordables by index, resolved once per (recorder, population)
  for (auto& r : recorders_) {
    if (r.kind != RecorderKind::kSamples) continue;
    r.vars.assign(populations_.size(), {});
    r.device_vars.assign(generators_.size(), {});
    for (auto& per : r.targets)
      for (auto& s : per) {
        auto& vars = s.device ? r.device_vars[s.pop] : r.vars[s.pop];
        if (!vars.empty() || r.record_from.empty()) continue;
        const std::string& model =
            s.device ? generators_[s.pop]->model : populations_[s.pop]->model;
        const auto& names = Registry::instance().find(model)->recordables;
        for (auto& name : r.record_from) {
          auto it = std::find(names.begin(), names.end(), name);
          if (it == names.end()) throw std::invalid_argument(model + " cannot record " + name);
          if (!s.device)
            if (auto why = populations_[s.pop]->unrecordable(name); !why.empty())
              throw std::invalid_argument(model + " cannot record " + name + ": " + why);
          vars.push_back(size_t(it - names.begin()));
        }
      }
  }
  min_delay_ = lo;
  max_delay_ = hi;
  ring_ = min_delay_ + max_delay_;
  spike_.assign(size_t(ring_) * spike_slots_, 0.0);
  current_.assign(size_t(ring_) * current_slots_, 0.0);
  if (spike_listeners_.size() < next_gid_) spike_listeners_.resize(next_gid_ + 1);
  if (detector_inputs_.size() < next_gid_) detector_inputs_.resize(next_gid_ + 1);
  if (volume_inputs_.size() < next_gid_) volume_inputs_.resize(next_gid_ + 1);

  std::vector<size_t> precise_pops;  // population indices
  for (size_t p = 0; p < populations_.size(); ++p)
    if (populations_[p]->precise) precise_pops.push_back(p);
  if (has_precise_) {
    precise_rows_.assign(threads_, std::vector<std::vector<PreciseEvent>>(size_t(ring_)));
    precise_step_.assign(threads_, PreciseStep{});
    for (int k = 0; k < threads_; ++k) {
      PreciseStep& ps = precise_step_[k];
      ps.local_of_pop.assign(populations_.size(), 0);
      for (size_t p : precise_pops) {
        const Population& pop = *populations_[p];
        auto [b, e] = range(p, k);
        ps.local_of_pop[p] = ps.n_local;
        if (b == e) continue;
        ps.ranges.push_back({uint32_t(pop.current_offset + b), uint32_t(pop.current_offset + e),
                             uint32_t(ps.n_local)});
        ps.n_local += e - b;
      }
    }
  }
  for (auto& g : generators_) g->prepare();
  for (auto& r : recorders_)
    if (r.detector) r.detector->min_delay = min_delay_;
  if (has_gap_) {
    gap_states_.clear();
    gap_states_.resize(populations_.size());
    for (size_t p = 0; p < populations_.size(); ++p) {
      Population& pop = *populations_[p];
      if (!pop.gap_junctions) continue;
      auto g = std::make_unique<GapState>();
      g->per = size_t(wfr_.order) + 1;
      g->slice = size_t(min_delay_);
      g->tol = wfr_.tol;
      g->in.assign(pop.n * g->slice * g->per, 0.0);
      g->out.assign(pop.n * g->slice * g->per, 0.0);
      g->sum_g.assign(pop.n, 0.0);
      g->last_y.assign(pop.n * g->slice, 0.0);
      pop.gap = g.get();
      gap_states_[p] = std::move(g);
    }
    if (gap_inputs_.size() < current_slots_) gap_inputs_.resize(current_slots_);
  }
  prepared_ = true;
}

// Every thread walks the whole spike list of the slice (sorted by lag, then gid) and delivers
// each spike through its groups (one per connection from the spike's node) onto its own
// neurons: no atomics, and each target sums its inputs in the same order whatever the number
// of threads. Plastic groups update their state here, on the thread that owns their targets,
// reading the archives that thread's update wrote.
void Network::deliver_thread(int k, long t0, const std::vector<Spike>& spikes) {
  const auto& groups = groups_[k];
  if (groups.empty()) return;
  const auto& of_node = groups_of_node_[k];
  DeliverTarget out{t0, ring_, spike_.data(), spike_slots_};
  if (has_precise_) out.precise_rows = precise_rows_[k].data();
  if (!archives_.empty()) out.archives = archives_.data();
  for (const Spike& sp : spikes) {
    const auto& mine = of_node[node_of_gid_[sp.gid]];
    if (mine.empty()) continue;
    const long stamp = t0 + sp.lag + 1;
    const SpikeContext ctx{sp.gid, sp.offset, stamp, ms(stamp), h_, seed_};
    for (uint32_t gi : mine) {
      SynapseGroup& g = *groups[gi];
      const size_t r = sp.gid - g.s0;
      if (g.row[r] != g.row[r + 1]) g.deliver(out, ctx, r, sp.multiplicity);
    }
  }
}

// This slice's spikes of thread k's neurons into their archives, in time order per neuron.
void Network::archive_spikes(int k, long t0) {
  if (archives_.empty()) return;
  for (const Spike& sp : local_spikes_[k]) {
    Archive& a = archives_[neuron_of_gid_[sp.gid]];
    a.add_spike(ms(t0 + sp.lag + 1) - sp.offset, ms(max_delay_ + min_delay_));
  }
}

void Network::collect_events(int k, long stamp) {
  auto& row = precise_rows_[k][size_t(stamp % ring_)];
  const double* spikes = spike_.data() + size_t(stamp % ring_) * spike_slots_;
  for (auto& pp : populations_) {
    const Population& pop = *pp;
    if (!pop.precise) continue;
    auto [b, e] = range(size_t(&pp - populations_.data()), k);
    for (size_t port = 0; port < pop.ports(); ++port) {
      const double* input = spikes + pop.input_offset + port * pop.n;
      for (size_t i = b; i < e; ++i)
        if (input[i] != 0.0)
          row.push_back({uint32_t(pop.current_offset + i), uint32_t(port), 0.0, input[i]});
    }
  }
  PreciseStep& ps = precise_step_[k];
  ps.start.assign(ps.n_local + 1, 0);
  ps.local.resize(row.size());
  for (size_t j = 0; j < row.size(); ++j) {
    const uint32_t key = row[j].target;
    size_t r = 0;  // a thread has one range per precise population: few
    while (r < ps.ranges.size() &&
           (key < ps.ranges[r].key_begin || key >= ps.ranges[r].key_end))
      ++r;
    if (r == ps.ranges.size()) throw std::logic_error("precise event for another thread's neuron");
    ps.local[j] = ps.ranges[r].local + (key - ps.ranges[r].key_begin);
    ++ps.start[ps.local[j] + 1];
  }
  std::partial_sum(ps.start.begin(), ps.start.end(), ps.start.begin());
  ps.fill.assign(ps.start.begin(), ps.start.end() - 1);
  ps.sorted.resize(row.size());
  for (size_t j = 0; j < row.size(); ++j) ps.sorted[ps.fill[ps.local[j]]++] = row[j];
  row.clear();
  for (size_t j = 0; j < ps.n_local; ++j) {
    PreciseEvent* first = ps.sorted.data() + ps.start[j];
    PreciseEvent* last = ps.sorted.data() + ps.start[j + 1];
    if (last - first < 2) continue;
    if (last - first > 16) {
      std::sort(first, last);
      continue;
    }
    for (PreciseEvent* x = first + 1; x < last; ++x)  // insertion sort: a few events
      for (PreciseEvent* y = x; y > first && *y < *(y - 1); --y) std::swap(*y, *(y - 1));
  }
}

// One thread's part of a slice: generator output into the ring buffers, then its neurons
// step by step. Within a slice of m <= min_delay steps, neurons only read input written in
// earlier slices (every delay is >= min_delay), so threads update their neurons independently.
void Network::update_thread(int k, long t0, long m) {
  EmitContext emit{t0,           m,       h_, seed_, ring_, spike_.data(), spike_slots_,
                   current_.data(), current_slots_};
  emit.thread = k;
  if (has_precise_) emit.precise = precise_rows_[k].data();
  for (auto& g : generators_)
    if (!g->targets[k].empty()) g->emit(emit, g->targets[k]);
  for (long lag = 0; lag < m; ++lag) {
    double* spikes = spike_.data() + size_t((t0 + lag) % ring_) * spike_slots_;
    double* current = current_.data() + size_t((t0 + lag) % ring_) * current_slots_;
    if (has_precise_) collect_events(k, t0 + lag);
    for (size_t p = 0; p < populations_.size(); ++p) {
      Population& pop = *populations_[p];
      auto [b, e] = range(p, k);
      if (b == e) continue;
      double* input = spikes + pop.input_offset;
      double* cur = current + pop.current_offset;
      StepContext ctx{t0 + lag, uint32_t(lag), h_, seed_, input, cur, &local_spikes_[k]};
      if (pop.precise) {
        const PreciseStep& ps = precise_step_[k];
        ctx.events_data = ps.sorted.data();
        ctx.event_index = ps.start.data() + ps.local_of_pop[p];
        ctx.event_base = b;
      }
      try {
        pop.step(first_local(p, b), e, n_ranks_, ctx);
      } catch (const std::exception& err) {
        // the driver names the node from its first gid
        throw std::runtime_error("gid " + std::to_string(pop.first_gid) + ": " + err.what());
      }
      for (size_t port = 0; port < pop.ports(); ++port)
        std::fill(input + port * pop.n + b, input + port * pop.n + e, 0.0);
      std::fill(cur + b, cur + e, 0.0);
    }
    record_samples(k, t0 + lag + 1);
  }
  archive_spikes(k, t0);
}

// All threads' part of a slice. A model may fail (an ODE that does not converge): each thread
// keeps its error and the first one is raised after the parallel region.
void Network::update_all(long t0, long m) {
#pragma omp parallel num_threads(threads_)
  {
    const int k = omp_get_thread_num();
    try {
      update_thread(k, t0, m);
    } catch (const std::exception& e) {
      thread_errors_[k] = e.what();
    }
  }
  for (auto& e : thread_errors_)
    if (!e.empty()) {
      const std::string message = e;
      for (auto& x : thread_errors_) x.clear();
      throw std::runtime_error(message);
    }
}

// All threads deliver a slice's spikes. An exception must not leave an OpenMP region (the
// process would abort): each thread keeps its error (e.g. std::bad_alloc from a flood of
// precise events) and the first one is raised after the region.
void Network::deliver_all(long t0, const std::vector<Spike>& spikes) {
#pragma omp parallel num_threads(threads_)
  {
    const int k = omp_get_thread_num();
    try {
      deliver_thread(k, t0, spikes);
    } catch (const std::exception& e) {
      thread_errors_[k] = e.what();
    }
  }
  for (auto& e : thread_errors_)
    if (!e.empty()) {
      const std::string message = e;
      for (auto& x : thread_errors_) x.clear();
      throw std::runtime_error("delivering spikes: " + message);
    }
}

void Network::set_wfr(const Wfr& wfr) {
  if (prepared_) throw std::logic_error("cannot change the waveform relaxation after the start");
  if (wfr.order != 0 && wfr.order != 1 && wfr.order != 3)
    throw std::invalid_argument("wfr_interpolation_order: must be 0, 1 or 3");
  if (!(wfr.tol > 0.0)) throw std::invalid_argument("wfr_tol: must be > 0");
  if (wfr.max_iterations < 1) throw std::invalid_argument("wfr_max_iterations: must be >= 1");
  if (wfr.use && !(wfr.comm_interval >= h_))
    throw std::invalid_argument("wfr_comm_interval: must be >= the resolution");
  wfr_ = wfr;
}

// NEST's waveform relaxation of one slice: every gap-junction neuron integrates the slice
// with its partners' last coefficients (keeping its state), then all coefficients are
// exchanged; until no V_m moves more than wfr_tol or wfr_max_iterations passes.
void Network::relax(long t0) {
  if (!wfr_.use) return;
  const WfrContext ctx{t0, h_, spike_.data(), spike_slots_, ring_};
  std::vector<char> done(threads_, 1);
  for (long pass = 0; pass < wfr_.max_iterations; ++pass) {
#pragma omp parallel num_threads(threads_)
    {
      const int k = omp_get_thread_num();
      bool mine = true;
      try {
        for (size_t p = 0; p < populations_.size(); ++p) {
          if (!gap_states_[p]) continue;
          auto [b, e] = range(p, k);
          if (b < e) mine = populations_[p]->wfr_update(b, e, 1, ctx) && mine;
        }
      } catch (const std::exception& err) {
        thread_errors_[k] = err.what();
      }
      done[k] = mine;
    }
    for (auto& e : thread_errors_)
      if (!e.empty()) {
        const std::string message = e;
        for (auto& x : thread_errors_) x.clear();
        throw std::runtime_error(message);
      }
    deliver_gap();
    if (std::all_of(done.begin(), done.end(), [](char d) { return d != 0; })) return;
  }
}

void Network::end_gap_slice() {
#pragma omp parallel num_threads(threads_)
  {
    const int k = omp_get_thread_num();
    for (size_t p = 0; p < populations_.size(); ++p) {
      if (!gap_states_[p]) continue;
      auto [b, e] = range(p, k);
      if (b < e) populations_[p]->end_gap_slice(b, e, 1);
    }
  }
  deliver_gap();
}

// Each neuron's partners' coefficients, weighted by the junctions' g, summed into its input
// (in connection order, whatever the number of threads).
void Network::deliver_gap() {
#pragma omp parallel num_threads(threads_)
  {
    const int k = omp_get_thread_num();
    for (size_t p = 0; p < populations_.size(); ++p) {
      GapState* g = gap_states_[p].get();
      if (g == nullptr) continue;
      const Population& pop = *populations_[p];
      auto [b, e] = range(p, k);
      const size_t width = g->slice * g->per;
      for (size_t i = b; i < e; ++i) {
        double* in = &g->in[i * width];
        std::fill(in, in + width, 0.0);
        g->sum_g[i] = 0.0;
        for (const GapInput& src : gap_inputs_[pop.current_offset + i]) {
          const GapState& from = *gap_states_[src.pop];
          const double* out = &from.out[src.index * width];
          g->sum_g[i] += src.weight;
          for (size_t c = 0; c < width; ++c) in[c] += src.weight * out[c];
        }
      }
    }
  }
}

// Spikes reach a volume_transmitter after their delay; every rank keeps every input, so each
// rank's copy holds the same dopamine spikes.
void Network::feed_volumes(long t0, const std::vector<Spike>& spikes) {
  if (volumes_.empty()) return;
  for (const Spike& sp : spikes) {
    if (sp.gid >= volume_inputs_.size()) continue;
    for (const VolumeInput& in : volume_inputs_[sp.gid])
      volumes_[in.volume].arriving[t0 + sp.lag + in.delay] += sp.multiplicity;
  }
}

// NEST's volume_transmitter::update for the slice [t0, t0 + m): the spikes arriving in it join
// the list (at the end of their arrival step), and at the end of every deliver_interval-th
// min-delay slice each thread updates its synapses of that volume_transmitter, then the list
// restarts with a pseudo spike at that time.
void Network::update_volumes(long t0, long m) {
  for (Volume& vol : volumes_) {
    for (auto it = vol.arriving.begin(); it != vol.arriving.end() && it->first < t0 + m;) {
      if (it->first >= t0) vol.spikes.push_back({ms(it->first + 1), it->second});
      it = vol.arriving.erase(it);
    }
    if ((t0 + m) % (vol.deliver_interval * min_delay_) != 0) continue;
    const double t_trig = ms(t0 + m);
#pragma omp parallel num_threads(threads_)
    {
      const int k = omp_get_thread_num();
      for (auto& g : groups_[k])
        if (g->volume_transmitter == int(vol.node)) g->trigger(archives_.data(), t_trig, h_);
    }
    vol.spikes.assign(1, {t_trig, 0.0});
  }
}

void Network::gather_sorted(std::vector<Spike>& out) {
  out.clear();
  for (auto& l : local_spikes_) {
    out.insert(out.end(), l.begin(), l.end());
    l.clear();
  }
  std::sort(out.begin(), out.end());
  // equal (lag, gid, offset) entries are one spike of higher multiplicity, as deliver() sees
  // them from the exchange (only precise parrots emit such twins)
  size_t w = 0;
  for (size_t r = 0; r < out.size(); ++r) {
    if (w > 0 && out[w - 1].gid == out[r].gid && out[w - 1].lag == out[r].lag &&
        out[w - 1].offset == out[r].offset)
      out[w - 1].multiplicity += out[r].multiplicity;
    else
      out[w++] = out[r];
  }
  out.resize(w);
}

long Network::slice_length() const {
  return std::min(min_delay_ - (t_ % min_delay_), remaining_);
}

// The slice loop (single process). Dependency rules: (1) all threads finish updating the slice
// before anyone delivers (barrier), because delivery writes ring slots that other threads'
// neurons read in later slices only, but generators wrote this slice's slots; (2) the spike
// list is gathered and sorted by (lag, gid) once, so every target sums its inputs in the same
// order whatever the number of threads or ranks; (3) each thread adds only into its own
// neurons' slots (and event rows, for precise neurons), so delivery needs no atomics.
void Network::run(long steps) {
  prepare(steps);
  while (remaining_ > 0) {
    const long m = slice_length();
    const long t0 = t_;
    if (has_gap_ && t0 % min_delay_ == 0) relax(t0);
    update_all(t0, m);
    if (has_gap_ && (t0 + m) % min_delay_ == 0) end_gap_slice();
    update_volumes(t0, m);
    gather_sorted(gathered_);
    record_spikes(t0, gathered_);
    feed_detectors(t0, gathered_);
    feed_volumes(t0, gathered_);
    deliver_all(t0, gathered_);
    t_ += m;
    remaining_ -= m;
  }
}

void Network::run_slice(std::vector<int64_t>& gids, std::vector<int64_t>& lags,
                        std::vector<double>& offsets) {
  if (!prepared_) throw std::logic_error("prepare() before run_slice()");
  if (slice_t0_ >= 0) throw std::logic_error("deliver() the previous slice first");
  if (remaining_ <= 0) throw std::logic_error("the prepared run is complete");
  const long m = slice_length();
  const long t0 = t_;
  if (has_gap_ && t0 % min_delay_ == 0) relax(t0);
  update_all(t0, m);
  if (has_gap_ && (t0 + m) % min_delay_ == 0) end_gap_slice();
  update_volumes(t0, m);
  gather_sorted(gathered_);
  gids.clear();
  lags.clear();
  offsets.clear();
  for (const Spike& sp : gathered_)
    for (uint32_t j = 0; j < sp.multiplicity; ++j) {
      gids.push_back(int64_t(sp.gid));
      lags.push_back(int64_t(sp.lag));
      offsets.push_back(sp.offset);
    }
  slice_t0_ = t0;
  t_ += m;
  remaining_ -= m;
}

void Network::deliver(const std::vector<int64_t>& gids, const std::vector<int64_t>& lags,
                      const std::vector<double>& offsets) {
  if (slice_t0_ < 0) throw std::logic_error("deliver() without a slice from run_slice()");
  if (gids.size() != lags.size() || (!offsets.empty() && offsets.size() != gids.size()))
    throw std::invalid_argument("gids, lags and offsets differ in length");
  std::vector<Spike> raw(gids.size());
  for (size_t i = 0; i < gids.size(); ++i) {
    if (gids[i] < 1 || uint64_t(gids[i]) >= next_gid_ || lags[i] < 0 || lags[i] >= min_delay_)
      throw std::invalid_argument("spike (" + std::to_string(gids[i]) + ", " +
                                  std::to_string(lags[i]) + ") is outside the network or slice");
    raw[i] = {uint64_t(gids[i]), uint32_t(lags[i]), 1, offsets.empty() ? 0.0 : offsets[i]};
  }
  std::sort(raw.begin(), raw.end());
  // repeated (lag, gid, offset) entries are one spike of higher multiplicity, as in run()
  gathered_.clear();
  for (const Spike& sp : raw) {
    if (!gathered_.empty() && gathered_.back().gid == sp.gid && gathered_.back().lag == sp.lag &&
        gathered_.back().offset == sp.offset)
      ++gathered_.back().multiplicity;
    else
      gathered_.push_back(sp);
  }
  const long t0 = slice_t0_;
  record_spikes(t0, gathered_);
  feed_detectors(t0, gathered_);
  feed_volumes(t0, gathered_);
  deliver_all(t0, gathered_);
  slice_t0_ = -1;
}

}  // namespace sd
