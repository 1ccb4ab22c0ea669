// The kernel: nodes, ring buffers, and the slice loop (update, gather, deliver).
#include "network.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>

namespace sd {

namespace {
double scalar(const Params& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || it->second.empty())
    throw std::invalid_argument(std::string("missing parameter ") + name);
  return it->second[0];
}
const std::vector<double>& list(const Params& p, const char* name) {
  static const std::vector<double> empty;
  auto it = p.find(name);
  return it == p.end() ? empty : it->second;
}
}  // namespace

Network::Network(double resolution, uint64_t seed, int threads, int rank, int n_ranks)
    : h_(resolution), seed_(seed), threads_(threads), rank_(rank), n_ranks_(n_ranks) {
  if (!(resolution > 0.0)) throw std::invalid_argument("resolution must be > 0");
  if (threads < 1) throw std::invalid_argument("threads must be >= 1");
  if (n_ranks < 1 || rank < 0 || rank >= n_ranks)
    throw std::invalid_argument("rank must be in [0, n_ranks)");
  pending_.resize(threads_);
  local_spikes_.resize(threads_);
}

uint32_t Network::steps_of_delay(double ms) const {
  const long d = std::lround(ms / h_);
  if (d < 1)
    throw std::invalid_argument("delay " + std::to_string(ms) +
                                " ms is shorter than the resolution");
  if (d > 100000000) throw std::invalid_argument("delay too long");
  return uint32_t(d);
}

size_t Network::add_node(const std::string& model, size_t n, const Params& p) {
  if (prepared_) throw std::logic_error("cannot add nodes after the simulation started");
  if (n < 1) throw std::invalid_argument("size must be >= 1");
  Node node{Kind::kNeurons, model, next_gid_, n, 0};
  if (model == "iaf_psc_delta" || model == "iaf_psc_exp" || model == "iaf_psc_alpha" ||
      model == "iaf_cond_alpha" || model == "parrot_neuron") {
    node.index = populations_.size();
    if (model == "iaf_psc_delta")
      populations_.emplace_back(new IafPscDelta(next_gid_, n, n_slots_, p));
    else if (model == "iaf_psc_exp")
      populations_.emplace_back(new IafPscExp(next_gid_, n, n_slots_, p));
    else if (model == "iaf_psc_alpha")
      populations_.emplace_back(new IafPscAlpha(next_gid_, n, n_slots_, p));
    else if (model == "iaf_cond_alpha")
      populations_.emplace_back(new IafCondAlpha(next_gid_, n, n_slots_, p));
    else
      populations_.emplace_back(new ParrotNeuron(next_gid_, n, n_slots_));
    n_slots_ += n;
  } else if (model == "spike_recorder" || model == "voltmeter" || model == "multimeter") {
    if (n != 1) throw std::invalid_argument(model + " must have size 1");
    node.kind = Kind::kRecorder;
    node.index = recorders_.size();
    Recorder r;
    r.kind = model == "spike_recorder" ? RecorderKind::kSpikes : RecorderKind::kSamples;
    r.gid = next_gid_;
    r.window = Window::from(p, h_);
    if (r.kind == RecorderKind::kSamples) {
      r.interval = std::lround(scalar(p, "interval") / h_);
      if (r.interval < 1) throw std::invalid_argument("interval must be >= the resolution");
    }
    r.targets.resize(threads_);
    r.times.resize(threads_);
    r.senders.resize(threads_);
    r.values.resize(threads_);
    recorders_.push_back(std::move(r));
  } else if (model_registry().count(model)) {
    node.kind = Kind::kGenerator;
    node.index = generators_.size();
    for (size_t i = 0; i < n; ++i) {
      Generator g;
      g.gid = next_gid_ + i;
      g.window = Window::from(p, h_);
      g.targets.resize(threads_);
      auto stamps = [&](const std::vector<double>& times, bool offgrid) {
        std::vector<long> out;
        for (double t : times) {
          const double steps = t / h_;
          long s = std::lround(steps);
          if (std::fabs(steps - s) > 1e-6) {
            if (!offgrid)
              throw std::invalid_argument("time " + std::to_string(t) +
                                          " ms is not a multiple of the resolution");
            s = long(std::ceil(steps));
          }
          out.push_back(s);
        }
        return out;
      };
      const bool offgrid = list(p, "allow_offgrid_times").size() && list(p, "allow_offgrid_times")[0];
      if (model == "poisson_generator") {
        g.kind = GeneratorKind::kPoisson;
        g.rate = scalar(p, "rate");
      } else if (model == "inhomogeneous_poisson_generator") {
        g.kind = GeneratorKind::kInhomogeneousPoisson;
        g.schedule = {stamps(list(p, "rate_times"), offgrid), list(p, "rate_values")};
      } else if (model == "dc_generator") {
        g.kind = GeneratorKind::kDC;
        g.amplitude = scalar(p, "amplitude");
      } else if (model == "step_current_generator") {
        g.kind = GeneratorKind::kStepCurrent;
        g.schedule = {stamps(list(p, "amplitude_times"), offgrid), list(p, "amplitude_values")};
      } else if (model == "ac_generator") {
        g.kind = GeneratorKind::kAC;
        g.amplitude = scalar(p, "amplitude");
        g.offset = scalar(p, "offset");
        g.omega = 2.0 * M_PI * scalar(p, "frequency") / 1000.0;
        g.phase = scalar(p, "phase") * M_PI / 180.0;
      } else if (model == "noise_generator") {
        g.kind = GeneratorKind::kNoise;
        g.amplitude = scalar(p, "mean");
        g.std = scalar(p, "std");
        g.std_mod = scalar(p, "std_mod");
        g.dt = std::lround(scalar(p, "dt") / h_);
        if (g.dt < 1) throw std::invalid_argument("dt must be >= the resolution");
        g.omega = 2.0 * M_PI * scalar(p, "frequency") / 1000.0;
        g.phase = scalar(p, "phase") * M_PI / 180.0;
      } else if (model == "spike_generator") {
        g.kind = GeneratorKind::kSpikes;
        g.spike_stamps = stamps(list(p, "spike_times"), offgrid);
        g.spike_weights = list(p, "spike_weights");
        g.spike_multiplicity = list(p, "spike_multiplicities");
        if (!std::is_sorted(g.spike_stamps.begin(), g.spike_stamps.end()))
          throw std::invalid_argument("spike_times must be sorted");
      } else {
        throw std::invalid_argument("model " + model + " is not implemented by the engine");
      }
      if (g.schedule.stamps.size() != g.schedule.values.size())
        throw std::invalid_argument("times and values must have the same length");
      generators_.push_back(std::move(g));
    }
  } else {
    throw std::invalid_argument("unknown model " + model);
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

std::pair<long, long> Network::local_delay_extrema() const {
  long lo = std::numeric_limits<long>::max(), hi = 0;
  for (auto& per : pending_)
    for (auto& s : per) lo = std::min<long>(lo, s.delay), hi = std::max<long>(hi, s.delay);
  for (auto& c : csr_)
    for (const Run& r : c.runs) lo = std::min<long>(lo, r.delay), hi = std::max<long>(hi, r.delay);
  for (auto& g : generators_)
    for (auto& per : g.targets)
      for (auto& t : per) lo = std::min<long>(lo, t.delay), hi = std::max<long>(hi, t.delay);
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
  auto [lo, hi] = local_delay_extrema();
  if (lo == 0) lo = hi = std::max<long>(1, std::lround(1.0 / h_));  // no connections
  if (min_delay > 0) lo = min_delay;
  if (max_delay > 0) hi = max_delay;
  if (lo > hi) throw std::invalid_argument("min_delay exceeds max_delay");
  prepare_buffers(lo, hi);
}

void Network::prepare_buffers(long lo, long hi) {
  for (auto& p : populations_) p->prepare(h_);
  for (auto& r : recorders_) {
    if (r.kind != RecorderKind::kSamples) continue;
    for (auto& per : r.targets)
      for (auto& s : per) {
        const auto rec = populations_[s.pop]->recordables();
        for (auto& name : r.record_from)
          if (std::find(rec.begin(), rec.end(), name) == rec.end())
            throw std::invalid_argument(populations_[s.pop]->model + " cannot record " + name);
      }
  }
  min_delay_ = lo;
  max_delay_ = hi;
  ring_ = min_delay_ + max_delay_;
  ex_.assign(size_t(ring_) * n_slots_, 0.0);
  in_.assign(size_t(ring_) * n_slots_, 0.0);
  current_.assign(size_t(ring_) * n_slots_, 0.0);
  if (spike_listeners_.size() < next_gid_) spike_listeners_.resize(next_gid_ + 1);

  // Per-thread CSR: counting sort by source keeps generation order, then each row is sorted
  // by (delay, sign, target) with a stable sort so multapses keep their order. Each target
  // still receives a row's synapses in generation order per buffer (the sign picks the
  // buffer), so the split into runs does not change any sum.
  csr_.assign(threads_, Csr{});
#pragma omp parallel num_threads(threads_)
  {
    const int k = omp_get_thread_num();
    auto& pend = pending_[k];
    Csr& c = csr_[k];
    const size_t n = pend.size();
    c.row.assign(next_gid_ + 1, 0);
    for (auto& s : pend) ++c.row[s.source + 1];
    std::partial_sum(c.row.begin(), c.row.end(), c.row.begin());
    std::vector<uint64_t> key(n), fill(c.row.begin(), c.row.end() - 1);
    for (size_t i = 0; i < n; ++i) key[fill[pend[i].source]++] = i;
    std::vector<uint64_t>().swap(fill);
    // one pass over the pending synapses in row order: copy them out and replace each index
    // by its sort key (delay, sign, slot), so rows are checked and sorted on a compact array
    c.target.resize(n);
    c.weight.resize(n);
    for (size_t j = 0; j < n; ++j) {
      const Pending& s = pend[key[j]];
      c.target[j] = s.slot;
      c.weight[j] = s.weight;
      key[j] = uint64_t(s.delay) << 33 | uint64_t(!(s.weight >= 0)) << 32 | s.slot;
    }
    std::vector<Pending>().swap(pend);
    std::vector<uint64_t> perm;
    std::vector<uint32_t> tmp_target;
    std::vector<double> tmp_weight;
    for (uint64_t g = 0; g < next_gid_; ++g) {
      const uint64_t b = c.row[g], e = c.row[g + 1];
      if (std::is_sorted(key.begin() + b, key.begin() + e)) continue;  // the common case
      perm.resize(e - b);
      std::iota(perm.begin(), perm.end(), b);
      std::stable_sort(perm.begin(), perm.end(),
                       [&](uint64_t x, uint64_t y) { return key[x] < key[y]; });
      tmp_target.resize(e - b);
      tmp_weight.resize(e - b);
      std::vector<uint64_t> tmp_key(e - b);
      for (size_t i = 0; i < perm.size(); ++i) {
        tmp_target[i] = c.target[perm[i]];
        tmp_weight[i] = c.weight[perm[i]];
        tmp_key[i] = key[perm[i]];
      }
      std::copy(tmp_target.begin(), tmp_target.end(), c.target.begin() + b);
      std::copy(tmp_weight.begin(), tmp_weight.end(), c.weight.begin() + b);
      std::copy(tmp_key.begin(), tmp_key.end(), key.begin() + b);
    }
    c.run_row.assign(next_gid_ + 1, 0);
    for (uint64_t g = 0; g < next_gid_; ++g) {
      for (uint64_t j = c.row[g]; j < c.row[g + 1]; ++j) {
        const uint32_t delay = uint32_t(key[j] >> 33);
        const bool neg = (key[j] >> 32) & 1;
        if (j == c.row[g] || c.runs.back().delay != delay || c.runs.back().inhibitory != neg)
          c.runs.push_back({j + 1, delay, neg});
        else
          c.runs.back().end = j + 1;
      }
      c.run_row[g + 1] = c.runs.size();
    }
  }
  prepared_ = true;
}

void Network::emit_generators(int k, long t0, long m) {
  for (auto& g : generators_) {
    auto& targets = g.targets[k];
    if (targets.empty()) continue;
    const double mean = g.rate * h_ / 1000.0;
    if (g.kind == GeneratorKind::kPoisson && mean < 10.0) {
      // Constant small mean: the count for (generator, target, step t) is the inverse CDF of
      // the 32-bit number t % 4 of Philox block t / 4 of the (generator, target) stream, so
      // one block serves four steps and the draw does not depend on threads, ranks or slices.
      if (mean <= 0.0) continue;
      const PoissonTable table(mean);
      // the window t_min < t <= t_max as a range of lags
      const long lag_lo = std::max(0L, g.window.t_min + 1 - t0);
      const long lag_hi = g.window.t_max >= t0 + m ? m : std::max(0L, g.window.t_max - t0 + 1);
      if (lag_lo >= lag_hi) continue;
      for (auto& tg : targets) {
        const uint64_t id = (g.gid << 32) ^ tg.gid;
        double* buffer = (tg.weight >= 0 ? ex_.data() : in_.data()) + tg.slot;
        long row = (t0 + lag_lo + tg.delay) % ring_;  // ring row, advanced without division
        long have = -1;
        std::array<uint32_t, 4> block{};
        for (long t = t0 + lag_lo; t < t0 + lag_hi; ++t) {
          if ((t >> 2) != have) {
            have = t >> 2;
            block = philox_block(seed_, kPoisson, id, uint32_t(uint64_t(have) >> 32),
                                 uint32_t(have));
          }
          const uint64_t n = table.count(double(block[t & 3]) * 0x1.0p-32);
          // adding weight * 0 leaves the sum unchanged and avoids a mispredicted branch
          buffer[size_t(row) * n_slots_] += tg.weight * double(n);
          row = row + 1 == ring_ ? 0 : row + 1;
        }
      }
      continue;
    }
    for (long lag = 0; lag < m; ++lag) {
      const long t = t0 + lag;
      // NEST 3.10 tests current generators one step ahead (dc, ac: t + 2; step_current keeps
      // its amplitude schedule one step ahead itself and tests t + 1); see the reference traces.
      const long probe = g.kind == GeneratorKind::kStepCurrent ? t + 1 : g.is_current() ? t + 2 : t;
      const bool active = g.window.contains(probe);
      if (g.kind == GeneratorKind::kSpikes) {
        // spikes stamped t + 1 leave in step t
        for (size_t i = 0; i < g.spike_stamps.size(); ++i) {
          if (g.spike_stamps[i] != t + 1 || !g.window.contains(t + 1)) continue;
          const double w = g.spike_weights.empty() ? 1.0 : g.spike_weights[i];
          const double mult = g.spike_multiplicity.empty() ? 1.0 : g.spike_multiplicity[i];
          for (auto& tg : targets) {
            const size_t at = size_t((t + tg.delay) % ring_) * n_slots_ + tg.slot;
            const double v = tg.weight * w * mult;
            (v >= 0 ? ex_ : in_)[at] += v;
          }
        }
        continue;
      }
      if (!active) continue;
      if (g.kind == GeneratorKind::kPoisson || g.kind == GeneratorKind::kInhomogeneousPoisson) {
        const double rate = g.kind == GeneratorKind::kPoisson ? g.rate : g.schedule.at(t);
        const double mean = rate * h_ / 1000.0;
        if (mean <= 0.0) continue;
        const double exp_minus_mean = std::exp(-mean);
        for (auto& tg : targets) {
          Stream s(seed_, kPoisson, (g.gid << 32) ^ tg.gid, uint32_t(t));
          const uint64_t n = s.poisson(mean, exp_minus_mean);
          if (n == 0) continue;
          const size_t at = size_t((t + tg.delay) % ring_) * n_slots_ + tg.slot;
          const double v = tg.weight * double(n);
          (v >= 0 ? ex_ : in_)[at] += v;
        }
      } else if (g.kind == GeneratorKind::kNoise) {
        // A new Gaussian value per target every dt, held in between; each target draws from
        // its own stream, keyed by the interval number.
        const long block = (t - g.window.t_min) / g.dt;
        const double mod = g.std_mod * g.std_mod * std::sin(g.omega * ms(block * g.dt) + g.phase);
        const double sd = std::sqrt(std::max(0.0, g.std * g.std + mod));
        for (auto& tg : targets) {
          Stream s(seed_, kNoise, (g.gid << 32) ^ tg.gid, uint32_t(block));
          const double amp = g.amplitude + sd * s.normal();
          current_[size_t((t + tg.delay) % ring_) * n_slots_ + tg.slot] += tg.weight * amp;
        }
      } else {
        double amp = g.amplitude;
        if (g.kind == GeneratorKind::kStepCurrent) amp = g.schedule.at(t);
        if (g.kind == GeneratorKind::kAC)
          amp = g.offset + g.amplitude * std::sin(g.omega * double(t + 1) * h_ + g.phase);
        for (auto& tg : targets)
          current_[size_t((t + tg.delay) % ring_) * n_slots_ + tg.slot] += tg.weight * amp;
      }
    }
  }
}

// Every thread walks the whole spike list of the slice (sorted by lag, then gid) and adds the
// weights of the synapses onto its own neurons: no atomics, and each target sums its inputs in
// the same order whatever the number of threads.
void Network::deliver_thread(int k, long t0, const std::vector<Spike>& spikes) {
  const Csr& c = csr_[k];
  const uint32_t* target = c.target.data();
  const double* weight = c.weight.data();
  for (const Spike& sp : spikes) {
    uint64_t j = c.row[sp.gid];
    const double mult = sp.multiplicity;
    // each run shares one delay (so one ring slot) and one buffer: a branch-free inner loop
    for (uint64_t r = c.run_row[sp.gid]; r < c.run_row[sp.gid + 1]; ++r) {
      const Run& run = c.runs[r];
      const size_t base = size_t((t0 + sp.lag + run.delay) % ring_) * n_slots_;
      double* buffer = (run.inhibitory ? in_.data() : ex_.data()) + base;
      if (mult == 1.0)
        for (; j < run.end; ++j) buffer[target[j]] += weight[j];
      else
        for (; j < run.end; ++j) buffer[target[j]] += weight[j] * mult;
    }
  }
}

// One thread's part of a slice: generator output into the ring buffers, then its neurons
// step by step. Within a slice of m <= min_delay steps, neurons only read input written in
// earlier slices (every delay is >= min_delay), so threads update their neurons independently.
void Network::update_thread(int k, long t0, long m) {
  emit_generators(k, t0, m);
  for (long lag = 0; lag < m; ++lag) {
    const size_t base = size_t((t0 + lag) % ring_) * n_slots_;
    StepInput input{ex_.data() + base, in_.data() + base, current_.data() + base};
    for (size_t p = 0; p < populations_.size(); ++p) {
      auto [b, e] = range(p, k);
      if (b == e) continue;
      populations_[p]->step(first_local(p, b), e, n_ranks_, input, uint32_t(lag), local_spikes_[k]);
      const size_t off = populations_[p]->offset;
      std::fill(input.ex + off + b, input.ex + off + e, 0.0);
      std::fill(input.in + off + b, input.in + off + e, 0.0);
      std::fill(input.current + off + b, input.current + off + e, 0.0);
    }
    record_samples(k, t0 + lag + 1);
  }
}

void Network::gather_sorted(std::vector<Spike>& out) {
  out.clear();
  for (auto& l : local_spikes_) {
    out.insert(out.end(), l.begin(), l.end());
    l.clear();
  }
  std::sort(out.begin(), out.end());
}

long Network::slice_length() const {
  return std::min(min_delay_ - (t_ % min_delay_), remaining_);
}

// The slice loop (single process). Dependency rules: (1) all threads finish updating the slice
// before anyone delivers (barrier), because delivery writes ring slots that other threads'
// neurons read in later slices only, but generators wrote this slice's slots; (2) the spike
// list is gathered and sorted by (lag, gid) once, so every target sums its inputs in the same
// order whatever the number of threads or ranks; (3) each thread adds only into its own
// neurons' slots, so delivery needs no atomics.
void Network::run(long steps) {
  prepare(steps);
  while (remaining_ > 0) {
    const long m = slice_length();
    const long t0 = t_;
#pragma omp parallel num_threads(threads_)
    {
      const int k = omp_get_thread_num();
      update_thread(k, t0, m);
#pragma omp barrier
#pragma omp single
      {
        gather_sorted(gathered_);
        record_spikes(t0, gathered_);
      }
      deliver_thread(k, t0, gathered_);
    }
    t_ += m;
    remaining_ -= m;
  }
}

void Network::run_slice(std::vector<int64_t>& gids, std::vector<int64_t>& lags) {
  if (!prepared_) throw std::logic_error("prepare() before run_slice()");
  if (slice_t0_ >= 0) throw std::logic_error("deliver() the previous slice first");
  if (remaining_ <= 0) throw std::logic_error("the prepared run is complete");
  const long m = slice_length();
  const long t0 = t_;
#pragma omp parallel num_threads(threads_)
  update_thread(omp_get_thread_num(), t0, m);
  gather_sorted(gathered_);
  gids.clear();
  lags.clear();
  for (const Spike& sp : gathered_)
    for (uint32_t j = 0; j < sp.multiplicity; ++j) {
      gids.push_back(int64_t(sp.gid));
      lags.push_back(int64_t(sp.lag));
    }
  slice_t0_ = t0;
  t_ += m;
  remaining_ -= m;
}

void Network::deliver(const std::vector<int64_t>& gids, const std::vector<int64_t>& lags) {
  if (slice_t0_ < 0) throw std::logic_error("deliver() without a slice from run_slice()");
  if (gids.size() != lags.size()) throw std::invalid_argument("gids and lags differ in length");
  std::vector<Spike> raw(gids.size());
  for (size_t i = 0; i < gids.size(); ++i) {
    if (gids[i] < 1 || uint64_t(gids[i]) >= next_gid_ || lags[i] < 0 || lags[i] >= min_delay_)
      throw std::invalid_argument("spike (" + std::to_string(gids[i]) + ", " +
                                  std::to_string(lags[i]) + ") is outside the network or slice");
    raw[i] = {uint64_t(gids[i]), uint32_t(lags[i]), 1};
  }
  std::sort(raw.begin(), raw.end());
  // repeated (lag, gid) entries are one spike of higher multiplicity, as in run()
  gathered_.clear();
  for (const Spike& sp : raw) {
    if (!gathered_.empty() && gathered_.back().gid == sp.gid && gathered_.back().lag == sp.lag)
      ++gathered_.back().multiplicity;
    else
      gathered_.push_back(sp);
  }
  const long t0 = slice_t0_;
  record_spikes(t0, gathered_);
#pragma omp parallel num_threads(threads_)
  deliver_thread(omp_get_thread_num(), t0, gathered_);
  slice_t0_ = -1;
}

}  // namespace sd
