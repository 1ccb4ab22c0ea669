// Synapse models and the storage of synapses. One definition per synapse model, registered in
// the same registry as neurons and devices (kind "synapse"):
//
//   SD_REGISTER_MODEL(stdp_synapse, DefineSynapse<Stdp>("stdp_synapse")
//       .param("tau_plus", &Stdp::tau_plus, 20.0).check("tau_plus", ">", 0.0) ...);
//
// The synapses of one connection on one thread form a group: a CSR index by source (rows of
// runs of one delay, each synapse an input slot of the target) plus the state columns the
// model declares. A connection fixes the model and every parameter (NEST's common properties
// and the per-synapse ones alike), so parameters live once per group; state that depends on
// the presynaptic spike train only (Kplus, Tsodyks' u and x) lives once per source row, and
// what depends on the pair (the weight, an eligibility trace) once per synapse.
//
// A model S is a struct with its parameters as members and
//   struct Pre { ... };  // per source row; S::init(Pre&) sets the initial values
//   struct Syn { ... };  // per synapse (may be empty); S::init(Syn&)
//   struct Spike { ... } begin(Pre&, const SpikeContext&) const;   // once per spike and row
//   double send(const Pre&, const Spike&, Syn&, double& weight, const SendContext&) const;
//   void end(Pre&, const SpikeContext&) const;                      // after the row
//   static constexpr bool kArchive;  // reads the postsynaptic spike archive
// send() updates the weight and returns the weight transmitted with this spike.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "model.h"
#include "rng.h"

namespace sd {

constexpr double kStdpEps = 1.0e-6;  // NEST's stdp_eps: ms

// One neuron's postsynaptic spike history (NEST's ArchivingNode): spike times with the
// traces Kminus and Kminus_triplet just after each spike. Written by the update of the
// neuron's own thread, read by the deliveries onto it on the same thread.
struct Archive {
  struct Entry {
    double t, Kminus, Kminus_triplet;
    uint32_t access;  // how many incoming synapses have read it
  };
  std::vector<Entry> history;  // live entries are [first, size())
  size_t first = 0;
  double Kminus = 0.0, Kminus_triplet = 0.0, last_spike = -1.0;
  double tau_minus_inv = 1.0 / 20.0, tau_minus_triplet_inv = 1.0 / 110.0;
  uint32_t n_incoming = 0;  // synapses that read this archive

  // A spike at t ms; entries all synapses have read and older than keep_ms before the next
  // one are dropped (NEST's pruning).
  void add_spike(double t, double keep_ms) {
    if (n_incoming == 0) {
      last_spike = t;
      return;
    }
    while (history.size() - first > 1) {
      const Entry& front = history[first];
      if (front.access >= n_incoming && t - history[first + 1].t > keep_ms + kStdpEps)
        ++first;
      else
        break;
    }
    if (first > 64 && first * 2 > history.size()) {
      history.erase(history.begin(), history.begin() + long(first));
      first = 0;
    }
    Kminus = Kminus * std::exp((last_spike - t) * tau_minus_inv) + 1.0;
    Kminus_triplet = Kminus_triplet * std::exp((last_spike - t) * tau_minus_triplet_inv) + 1.0;
    last_spike = t;
    history.push_back({t, Kminus, Kminus_triplet, 0});
  }
  // The entries with t1 < t <= t2 (within NEST's eps), marked as read.
  std::pair<Entry*, Entry*> read(double t1, double t2) {
    Entry* b = history.data() + first;
    Entry* e = history.data() + history.size();
    const double t2_lim = t2 + kStdpEps, t1_lim = t1 + kStdpEps;
    Entry* finish = e;
    while (finish != b && (finish - 1)->t >= t2_lim) --finish;
    Entry* start = finish;
    while (start != b && (start - 1)->t >= t1_lim) {
      --start;
      ++start->access;
    }
    return {start, finish};
  }
  // Kminus at t, from the last spike strictly before t (0 if none).
  double K_value(double t) const {
    for (size_t i = history.size(); i-- > first;)
      if (t - history[i].t > kStdpEps)
        return history[i].Kminus * std::exp((history[i].t - t) * tau_minus_inv);
    return 0.0;
  }
  // Kminus, its nearest-neighbour value and Kminus_triplet at t (NEST's get_K_values).
  void K_values(double t, double& K, double& nearest, double& triplet) const {
    if (history.size() == first) {
      K = nearest = Kminus;
      triplet = Kminus_triplet;
      return;
    }
    for (size_t i = history.size(); i-- > first;)
      if (t - history[i].t > kStdpEps) {
        triplet = history[i].Kminus_triplet * std::exp((history[i].t - t) * tau_minus_triplet_inv);
        K = history[i].Kminus * std::exp((history[i].t - t) * tau_minus_inv);
        nearest = std::exp((history[i].t - t) * tau_minus_inv);
        return;
      }
    K = nearest = triplet = 0.0;
  }
};

// A dopamine spike as a volume_transmitter hands it to its synapses: arrival time (ms) and
// multiplicity (NEST's spikecounter).
struct DopaSpike {
  double t, multiplicity;
};

// Weights recorded by a weight_recorder on one thread (NEST's layout).
struct WeightLog {
  Window window;
  std::vector<double> times, weights;
  std::vector<int64_t> senders, targets;
};

// What one spike's delivery through a row sees.
struct SpikeContext {
  uint64_t gid;     // the presynaptic neuron
  double offset;    // precise offset, ms before the end of the step
  long stamp;       // its step + 1 (NEST's stamp)
  double t_spike;   // ms, NEST's e.get_stamp().get_ms()
  double h;
  uint64_t seed;
};

// What one synapse's send() sees.
struct SendContext {
  const SpikeContext& spike;
  double delay;       // ms: NEST's dendritic delay of the synapse
  Archive* post;      // the target's archive (models with kArchive)
  uint64_t target;    // the target's gid
  uint32_t repeat;    // how many earlier synapses of this row and run have the same target
  // The target population and the target's index in it: models that read state the neuron
  // model keeps itself (Clopath's filtered voltages) cast it to that model's interface.
  const Population* target_population;
  size_t target_index;
  // A random stream of this synapse and spike: the same draws for any threads x ranks.
  Stream stream() const {
    uint64_t id = spike.gid * 0x9E3779B97F4A7C15ull ^ (target + 0x632BE59BD9B4E019ull * repeat);
    id ^= uint64_t(delay * 1.0e3) << 40;
    return Stream(spike.seed, kSynapse, id, uint32_t(spike.stamp));
  }
};

// The defaults of a synapse model's parts; a model redefines what it has.
struct SynapseModel {
  static constexpr bool kArchive = false;  // reads the postsynaptic spike archive
  static constexpr bool kMaySkip = false;  // send() may return kNotSent
  static constexpr bool kVolume = false;   // reads a volume_transmitter (trigger(), dopa)
  static constexpr bool kChecksTarget = false;  // has cannot_target(const Population&)
  static constexpr double kNotSent = std::numeric_limits<double>::quiet_NaN();
  struct Pre {};
  struct Syn {};
  struct Spike {};
  void prepare() {}
  template <class State>
  void init(State&) const {}
  template <class P>
  Spike begin(P&, const SpikeContext&) const {
    return {};
  }
  template <class P>
  void end(P&, const SpikeContext&) const {}
};

// static_synapse and the models that only transmit their weight.
struct StaticModel : SynapseModel {};

// The input of a thread's targets: ring rows of summed weights, or events with offsets for
// a precise target population.
struct DeliverTarget {
  long t0, ring;
  double* spikes;  // ring rows [row * width + slot]
  size_t width;
  std::vector<PreciseEvent>* precise_rows = nullptr;  // [ring row], precise targets only
  Archive* archives = nullptr;                        // by neuron (current slot)
};

// The synapses of one connection on one thread.
class SynapseGroup {
 public:
  virtual ~SynapseGroup() = default;

  struct Run {
    uint64_t end;  // one past the run's last synapse
    uint32_t delay;
  };
  // The index (built by the network: count, fill, sort rows by (delay, slot)).
  uint64_t s0 = 0;                // first source gid (rows are source gid - s0)
  std::vector<uint64_t> row;      // ns + 1: synapses of source s0 + r are [row[r], row[r + 1])
  std::vector<uint64_t> run_row;  // ns + 1: runs of each row
  std::vector<Run> runs;
  std::vector<uint32_t> target;   // input slots
  std::vector<double> weight;     // per synapse; empty: `uniform_weight` for all
  double uniform_weight = 0.0;
  // the target population's slots: input slot -> neuron and port
  size_t input_offset = 0, target_n = 1, current_offset = 0;
  uint64_t target_first_gid = 0;
  bool precise = false;
  bool unit = false;  // the target counts spikes, not weights (parrots)
  uint32_t connection = 0;
  WeightLog* log = nullptr;  // a weight_recorder's log on this thread
  int weight_recorder = -1;  // its node index
  int volume_transmitter = -1;  // the node index of the volume_transmitter read (dopamine)
  const Population* target_population = nullptr;

  size_t size() const { return target.size(); }
  double weight_of(size_t j) const { return weight.empty() ? uniform_weight : weight[j]; }
  // the target's index in its population: slots are input_offset + port * n + index, and
  // models have few ports, so subtracting beats a division
  size_t index_of(uint32_t slot) const {
    size_t local = slot - input_offset;
    while (local >= target_n) local -= target_n;
    return local;
  }
  uint32_t neuron_of(uint32_t slot) const { return uint32_t(current_offset + index_of(slot)); }
  uint64_t gid_of(uint32_t slot) const { return target_first_gid + index_of(slot); }

  virtual bool plastic() const { return false; }
  virtual bool reads_archive() const { return false; }
  // After the index is built: per-row and per-synapse state. `check` refuses a target
  // population the model cannot read (e.g. clopath_synapse onto a neuron without Clopath's
  // filtered voltages), naming why.
  virtual void init_state() {}
  virtual std::string cannot_target(const Population&) const { return {}; }
  // Models driven by a volume_transmitter: its dopamine spikes, and its periodic update of
  // every synapse (NEST's trigger_update_weight) at t_trig ms.
  virtual void set_volume(const std::vector<DopaSpike>*) {}
  virtual void trigger(Archive*, double /*t_trig*/, double /*h*/) {}
  // Delivers one spike of source s0 + r with multiplicity m.
  virtual void deliver(const DeliverTarget& out, const SpikeContext& sp, size_t r, uint32_t m) = 0;

 protected:
  // One transmitted weight into the target's input.
  void transmit(const DeliverTarget& out, const SpikeContext& sp, uint32_t delay, uint32_t slot,
                double w) {
    const size_t ring_row = size_t((sp.stamp - 1 + delay) % out.ring);
    if (!precise) {
      out.spikes[ring_row * out.width + slot] += w;
      return;
    }
    const size_t local = slot - input_offset;
    out.precise_rows[ring_row].push_back(
        {uint32_t(current_offset + local % target_n), uint32_t(local / target_n), sp.offset, w});
  }
  void record(const SpikeContext& sp, uint32_t slot, double w) {
    if (log == nullptr || !log->window.contains(sp.stamp)) return;
    log->times.push_back(sp.t_spike);
    log->senders.push_back(int64_t(sp.gid));
    log->targets.push_back(int64_t(gid_of(slot)));
    log->weights.push_back(w);
  }
};

// static_synapse (and the other models without state): a branch-free loop per run.
class StaticGroup : public SynapseGroup {
 public:
  void deliver(const DeliverTarget& out, const SpikeContext& sp, size_t r, uint32_t m) override;
};

// A plastic model's group: S's parameters once, Pre per row, Syn and the weight per synapse.
template <class S>
class PlasticGroup : public SynapseGroup {
 public:
  S model;
  std::vector<typename S::Pre> pre;
  std::vector<typename S::Syn> syn;  // empty if S::Syn is empty
  static constexpr bool kSynState = !std::is_empty_v<typename S::Syn>;

  bool plastic() const override { return true; }
  bool reads_archive() const override { return S::kArchive; }
  std::string cannot_target(const Population& p) const override {
    if constexpr (S::kChecksTarget) return model.cannot_target(p);
    return {};
  }
  void init_state() override {
    pre.resize(row.size() - 1);
    for (auto& p : pre) model.init(p);
    if constexpr (kSynState) {
      syn.resize(size());
      for (auto& s : syn) model.init(s);
    }
  }
  void set_volume(const std::vector<DopaSpike>* spikes) override {
    if constexpr (S::kVolume) this->model.dopa = spikes;
  }
  void trigger(Archive* archives, double t_trig, double h) override {
    if constexpr (S::kVolume) {
      for (size_t r = 0; r + 1 < row.size(); ++r) {
        uint64_t j = row[r];
        for (uint64_t q = run_row[r]; q < run_row[r + 1]; ++q)
          for (const double delay = double(runs[q].delay) * h; j < runs[q].end; ++j)
            model.trigger(pre[r], syn[j], weight[j], archives + neuron_of(target[j]), delay, t_trig);
      }
    }
  }
  void deliver(const DeliverTarget& out, const SpikeContext& sp, size_t r, uint32_t m) override {
    typename S::Pre& p = pre[r];
    const typename S::Spike spike = model.begin(p, sp);
    typename S::Syn none{};
    uint64_t j = row[r];
    for (uint64_t q = run_row[r]; q < run_row[r + 1]; ++q) {
      const Run& run = runs[q];
      const double delay = double(run.delay) * sp.h;
      uint32_t repeat = 0;
      for (const uint64_t first = j; j < run.end; ++j) {
        repeat = j > first && target[j] == target[j - 1] ? repeat + 1 : 0;
        const uint32_t slot = target[j];
        const size_t index = index_of(slot);
        Archive* post = S::kArchive ? out.archives + current_offset + index : nullptr;
        const SendContext c{sp,    delay, post, target_first_gid + index, repeat, target_population,
                            index};
        typename S::Syn& s = kSynState ? syn[j] : none;
        const double w = model.send(p, spike, s, weight[j], c);
        if constexpr (S::kMaySkip)
          if (std::isnan(w)) continue;  // not transmitted (bernoulli_synapse's failures)
        transmit(out, sp, run.delay, slot, unit ? double(m) : w * m);
        record(sp, slot, w);
      }
    }
    model.end(p, sp);
  }
};

// The builder of a synapse model's definition: parameters with NEST's defaults, checks, and
// which parameters are common (NEST's CommonSynapseProperties: one value per model).
template <class S>
class DefineSynapse {
 public:
  explicit DefineSynapse(std::string name) {
    def_.name = std::move(name);
    def_.kind = "synapse";
    def_.archive = S::kArchive;
    for (const char* p : {"weight", "delay"}) {
      def_.params.push_back(p);
      def_.defaults.push_back(1.0);
    }
    def_.constraints.push_back({"delay", ">=", "resolution", 0.0});
  }
  DefineSynapse& param(const char* name, double S::*member, double fallback) {
    def_.params.push_back(name);
    def_.defaults.push_back(fallback);
    members_.push_back({name, member});
    return *this;
  }
  // gap_junction: couples V_m of gap-junction neurons (no spikes, no delay).
  DefineSynapse& gap() {
    def_.gap = true;
    return *this;
  }
  // The weight is a common property (static_synapse_hom_w).
  DefineSynapse& common_weight() {
    def_.common.push_back("weight");
    return *this;
  }
  DefineSynapse& weight_default(double w) {
    def_.defaults[0] = w;
    return *this;
  }
  // A parameter shared by every synapse of the model in NEST (set with SetDefaults).
  DefineSynapse& common(const char* name, double S::*member, double fallback) {
    param(name, member, fallback);
    def_.common.push_back(name);
    return *this;
  }
  DefineSynapse& check(const char* param, const char* op, double value) {
    def_.constraints.push_back({param, op, "", value});
    return *this;
  }
  DefineSynapse& check(const char* param, const char* op, const char* other) {
    def_.constraints.push_back({param, op, other, 0.0});
    return *this;
  }
  ModelDef done() {
    ModelDef def = def_;
    def.common.push_back("weight_recorder");
    def.params.push_back("weight_recorder");
    def.defaults.push_back(-1.0);
    auto members = members_;
    def.make_synapses = [members](const Params& p) -> std::unique_ptr<SynapseGroup> {
      if constexpr (std::is_same_v<S, StaticModel>) {
        return std::make_unique<StaticGroup>();
      } else {
        auto g = std::make_unique<PlasticGroup<S>>();
        for (auto& [name, member] : members) g->model.*member = p.at(name)[0];
        g->model.prepare();
        return g;
      }
    };
    return def;
  }

 private:
  ModelDef def_;
  std::vector<std::pair<std::string, double S::*>> members_;
};


}  // namespace sd
