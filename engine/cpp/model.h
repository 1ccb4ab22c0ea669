// One definition per model. A model (neuron, stimulator or recorder) declares its parameter
// table (name, member, constraints), its recordables and how its input is routed, in one
// place beside its update code, and registers that definition in the one name -> factory
// registry that Network::add_node, _core.models() and recording read.
//
//   SD_REGISTER_MODEL(iaf_psc_exp, Define<IafPscExp>("iaf_psc_exp")
//       .param("C_m", &IafPscExp::C_m).check("C_m", ">", 0.0)
//       .record("V_m", [](const IafPscExp& m, size_t i) { return m.y3[i] + m.E_L[i]; }));
//
// Neurons keep their state as arrays (SoA); Population::step advances a range of neurons
// through one step with a StepContext: this step's input per port, a counter-based random
// stream per neuron and step, and the spike list with precise offsets.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "rng.h"

namespace sd {

// Every parameter as one value per neuron (neurons), one value (devices) or a list.
using Params = std::map<std::string, std::vector<double>>;

// A spike emitted in step `lag` of a slice; `offset` is the precise time before the end of
// that step in ms (NEST's convention: 0 for spikes on the grid, 0 <= offset < h).
struct Spike {
  uint64_t gid;
  uint32_t lag;
  uint32_t multiplicity;
  double offset = 0.0;
  bool operator<(const Spike& o) const {
    if (lag != o.lag) return lag < o.lag;
    if (gid != o.gid) return gid < o.gid;
    return offset > o.offset;  // earlier first
  }
};

// A parameter check: `param op rhs`, rhs a number, another parameter or the resolution.
struct Constraint {
  std::string param, op;
  std::string rhs_param;  // empty: rhs_value; "resolution": the simulation step
  double rhs_value = 0.0;
};

// How spike weights reach a neuron's input ports.
enum class Routing {
  kSigned,     // port 0 takes weights >= 0, port 1 weights < 0 (NEST's ex/in buffers)
  kSingle,     // one port, weights summed with their sign
  kReceptors,  // port = receptor_type - 1, weights with their sign
};

class Population;
class SynapseGroup;
struct Archive;

// A spike arriving at a neuron of a precise population within one step (NEST's *_ps models):
// `offset` ms before the end of the step, as the spike's offset; `weight` is the synapse
// weight times the spike's multiplicity, `port` the input port the model's routing chose.
struct PreciseEvent {
  uint32_t target;  // the neuron: Population::current_offset + index
  uint32_t port;
  double offset;
  double weight;
  // by neuron, then earliest first; the rest of the key makes the order of simultaneous
  // events canonical, so no arrival order (threads, ranks, slices) can change a result
  bool operator<(const PreciseEvent& o) const {
    if (target != o.target) return target < o.target;
    if (offset != o.offset) return offset > o.offset;
    if (port != o.port) return port < o.port;
    return weight < o.weight;
  }
};

// The events of one neuron in one step, earliest first.
struct EventSpan {
  const PreciseEvent* first;
  const PreciseEvent* last;
  const PreciseEvent* begin() const { return first; }
  const PreciseEvent* end() const { return last; }
  bool empty() const { return first == last; }
  size_t size() const { return size_t(last - first); }
};

// Gap junctions (NEST's waveform relaxation): the coupling of one population's neurons, kept
// by the kernel, read and written by the model. Per neuron and step of a min-delay slice, the
// coefficients of a polynomial in t / h (interpolation order 0, 1 or 3) describe V_m over
// that step: `out` the neuron's own, `in` the sum over its partners j of g_ij times theirs.
struct GapState {
  size_t per = 4;    // coefficients per step: interpolation order + 1
  size_t slice = 1;  // steps per slice (min_delay)
  double tol = 1e-4;
  std::vector<double> in, out;  // [neuron][lag][coefficient]
  std::vector<double> sum_g;    // [neuron]: sum_j g_ij
  std::vector<double> last_y;   // [neuron][lag]: V_m after the step in the last pass
  const double* in_of(size_t i, size_t lag) const { return &in[(i * slice + lag) * per]; }
  double* out_of(size_t i, size_t lag) { return &out[(i * slice + lag) * per]; }
};

// What a waveform-relaxation pass over a whole slice sees (Population::wfr_update).
struct WfrContext {
  long t0;  // the slice's first step
  double h;
  const double* spikes;  // the ring buffers [row * width + slot], row = step % ring
  size_t width;
  long ring;
  const double* input(long lag) const { return spikes + size_t((t0 + lag) % ring) * width; }
};

// What one step of a population sees.
struct StepContext {
  long step;              // the step computed: from step * h to (step + 1) * h
  uint32_t lag;           // its index within the slice
  double h;               // resolution, ms
  uint64_t seed;
  const double* input;    // spike input of this step: input[port * n + i]
  const double* current;  // current input of this step: current[i]
  std::vector<Spike>* spikes;
  // Precise populations only: this step's events, sorted, and where each neuron's begin
  // (index[i - event_base] .. index[i - event_base + 1]).
  const PreciseEvent* events_data = nullptr;
  const uint32_t* event_index = nullptr;
  size_t event_base = 0;

  // The events of neuron i of a precise population in this step (grid input included, at
  // offset 0).
  EventSpan events(size_t i) const {
    const uint32_t* at = event_index + (i - event_base);
    return {events_data + at[0], events_data + at[1]};
  }

  // The random stream of neuron `gid` in this step: the same draws for any threads x ranks.
  Stream stream(uint64_t gid) const { return Stream(seed, kDynamics, gid, uint32_t(step)); }
};

class Population {
 public:
  virtual ~Population() = default;
  // Called once parameters are set and checked: derived values and initial state.
  virtual void init() {}
  // Called before the first step: propagators for resolution h.
  virtual void prepare(double) {}
  // Advance neurons b, b + stride, ... < e through one step (stride > 1 when MPI ranks share
  // a population: each rank updates only its own neurons).
  virtual void step(size_t b, size_t e, size_t stride, const StepContext& ctx) = 0;
  // The number of spike input ports (Routing::kReceptors: the model's receptor count).
  virtual size_t ports() const { return (routing == Routing::kSigned ? 2 : 1) + ignored_ports; }
  // Gap junctions: one relaxation pass over the slice with the partners' last coefficients,
  // leaving the state as it was and writing gap->out; true when no V_m moved more than
  // gap->tol since the last pass (NEST's wfr_update). After the slice's regular steps,
  // end_gap_slice() writes the constant extrapolation NEST sends.
  virtual bool wfr_update(size_t, size_t, size_t, const WfrContext&) { return true; }
  virtual void end_gap_slice(size_t, size_t, size_t) {}
  // Why this population cannot record one of its model's recordables (empty: it can); for
  // models whose recordables depend on a list parameter (I_syn_k of the multisynapse models).
  virtual std::string unrecordable(const std::string&) const { return {}; }

  // The port a weight goes to; receptor is NEST's receptor_type (0: the default).
  size_t port_of(double weight, long receptor) const {
    if (routing == Routing::kReceptors) {
      if (receptor < 1 || size_t(receptor) > ports())
        throw std::invalid_argument("receptor_type " + std::to_string(receptor) + " is not one of " +
                                    model + "'s receptors 1.." + std::to_string(ports()));
      return size_t(receptor - 1);
    }
    if (receptor > 0 && size_t(receptor) <= ignored_ports)  // (parrot_neuron's receptor 1)
      return ports() - ignored_ports + size_t(receptor - 1);
    if (receptor != 0)
      throw std::invalid_argument("receptor_type " + std::to_string(receptor) + ": " + model +
                                  " has only receptor 0" +
                                  (ignored_ports ? " and 1.." + std::to_string(ignored_ports) : ""));
    return routing == Routing::kSigned && !(weight >= 0.0) ? 1 : 0;
  }
  double value(size_t recordable, size_t i) const { return (*getters)[recordable](*this, i); }

  // Set by the model's factory.
  std::string model;
  uint64_t first_gid = 0;
  size_t n = 0;
  size_t input_offset = 0;    // first spike-input slot of the network (ports() * n slots)
  size_t current_offset = 0;  // first current-input slot (n slots)
  Routing routing = Routing::kSigned;
  bool unit_weight = false;   // weights count spikes (parrots)
  bool precise = false;       // receives its spikes as events with offsets (ctx.events)
  size_t ignored_ports = 0;   // receptors 1.. whose spikes the model ignores (Define::ignored_receptors)
  bool gap_junctions = false;  // takes gap junctions (Define::gap_junctions)
  GapState* gap = nullptr;     // set by the kernel when gap junctions are connected
  const std::vector<std::function<double(const Population&, size_t)>>* getters = nullptr;
  // Set by the kernel before prepare(): the network's maximum delay (steps), and the spike
  // archives of this population's neurons ([i], when some synapse reads archives; their
  // n_incoming counts those synapses). Clopath's neurons size and gate their histories by them.
  long max_delay = 0;
  const Archive* archive = nullptr;

 protected:
  void emit(const StepContext& ctx, size_t i, double offset = 0.0, uint32_t multiplicity = 1) {
    ctx.spikes->push_back({first_gid + i, ctx.lag, multiplicity, offset});
  }
  static long steps(double ms, double h) { return long(std::llround(ms / h)); }
};

// A device's activity window (origin + start, origin + stop], in steps.
struct Window {
  long t_min = 0;
  long t_max = std::numeric_limits<long>::max();
  static Window from(double origin, double start, double stop, double h) {
    Window w;
    w.t_min = std::llround((origin + start) / h);
    const double t_max = (origin + stop) / h;
    w.t_max = t_max > 9.0e18 ? std::numeric_limits<long>::max() : long(std::llround(t_max));
    return w;
  }
  bool contains(long stamp) const { return t_min < stamp && stamp <= t_max; }
};

// One device target: input slots (for weights >= 0 and < 0, or the current slot), the target's
// gid, weight and delay in steps; for a precise target also its neuron key and ports, so
// precise generators can send events with offsets (EmitContext::spike).
struct DeviceTarget {
  uint32_t slot, slot_neg;
  uint64_t gid;
  double weight;
  uint32_t delay;
  bool precise = false;
  uint32_t neuron = 0;  // PreciseEvent::target
  uint32_t port = 0, port_neg = 0;
};

// Where a generator writes: the ring buffers of the network, [row * width + slot].
struct EmitContext {
  long t0, m;  // steps t0 .. t0 + m - 1
  double h;
  uint64_t seed;
  long ring;
  double* spikes;
  size_t spike_width;
  double* current;
  size_t current_width;
  int thread = 0;                             // the thread whose targets are written
  std::vector<PreciseEvent>* precise = nullptr;  // this thread's event rows (ring)

  double& spike_at(long t, uint32_t slot) const {
    return spikes[size_t(t % ring) * spike_width + slot];
  }
  double& current_at(long t, uint32_t slot) const {
    return current[size_t(t % ring) * current_width + slot];
  }
  // A spike leaving in step t - delay that reaches `tg` in step t, `offset` ms before the
  // end of its step: an event for a precise target, the step's sum for any other.
  void spike(long t, const DeviceTarget& tg, double value, double offset) const {
    if (tg.precise)
      precise[size_t(t % ring)].push_back(
          {tg.neuron, value >= 0 ? tg.port : tg.port_neg, offset, value});
    else
      spike_at(t, value >= 0 ? tg.slot : tg.slot_neg) += value;
  }
  // Step count to ms as NEST computes it (integer tics of 1 us).
  double ms(long steps) const { return double(steps * std::llround(h * 1000.0)) * 0.001; }
};

// A stimulating device (one per device of a node). Generators of spikes write weights into
// their targets' spike ports; current generators write pA into their current slots.
class Generator {
 public:
  virtual ~Generator() = default;
  virtual void init(double) {}  // after parameters are set: h
  virtual void prepare() {}     // before the first step, targets known
  virtual void emit(const EmitContext& ctx, const std::vector<DeviceTarget>& targets) = 0;
  virtual bool emits_current() const { return false; }

  // Recordable `r` of the model's definition (.record) in step t: what a multimeter samples
  // at the end of step t (NEST's state of the device after its update of step t).
  double value(size_t r, long t, double h) const { return (*getters)[r](*this, t, h); }

  std::string model;
  uint64_t gid = 0;
  Window window;
  double origin = 0.0, start = 0.0, stop = std::numeric_limits<double>::max();
  std::vector<std::vector<DeviceTarget>> targets;  // per thread
  const std::vector<std::function<double(const Generator&, long, double)>>* getters = nullptr;
};

// A recorder that folds the spikes it receives into device state (NEST's correlation
// detectors). The kernel hands it every spike of its sources once, on every rank, in one
// fixed order (slice by slice, then by (lag, gid)), so its state is the same for any threads
// x ranks. `channel` is the connection's receptor_type.
class Detector {
 public:
  virtual ~Detector() = default;
  virtual void init(double) {}  // after parameters are set: h
  virtual size_t channels() const = 0;
  // A spike of step stamp `stamp` (its time in steps) on `channel`, weight x multiplicity.
  virtual void handle(long stamp, size_t channel, double weight, uint32_t multiplicity) = 0;
  // The results, by name, each flattened in C order with its shape (NEST's status values).
  struct Result {
    std::string name;
    std::vector<double> values;
    std::vector<size_t> shape;
    bool integer = false;  // counts (n_events): int64 in Python
  };
  virtual std::vector<Result> results() const = 0;

  std::string model;
  Window window;  // (origin + start, origin + stop]: spikes outside it are ignored
  long min_delay = 1;  // steps, set by the kernel before the first spike
};

enum class RecorderKind { kSpikes, kSamples, kDetector, kWeights };

struct ModelDef {
  std::string name;
  std::string kind;  // "neuron", "stimulator", "recorder"
  std::vector<std::string> params;
  std::vector<std::string> list_params;  // those of params that are one list per node
  std::vector<Constraint> constraints;
  std::vector<std::string> recordables;
  std::vector<std::function<double(const Population&, size_t)>> getters;
  Routing routing = Routing::kSigned;
  std::vector<std::string> receptors;  // names of receptor_type 1, 2, ... (kReceptors)
  std::string receptor_ports;          // or: one receptor per entry of this list parameter
  bool precise = false;
  bool volume = false;  // a volume_transmitter: collects spikes for dopamine synapses
  bool gap = false;     // neurons: take gap junctions; synapses: the gap_junction itself
  size_t ignored_receptors = 0;
  RecorderKind recorder = RecorderKind::kSpikes;
  // `each`: empty, or one Params per neuron with the lists that differ between neurons
  // (Define::lists, e.g. the spike_times of each spike_train_injector).
  std::function<std::unique_ptr<Population>(uint64_t first_gid, size_t n, const Params&,
                                            const std::vector<Params>& each, double h)>
      make_population;
  std::function<std::unique_ptr<Generator>(uint64_t gid, const Params&, double h)> make_generator;
  std::function<std::unique_ptr<Detector>(const Params&, double h)> make_detector;
  // recordables of devices (generators): value in step t at resolution h
  std::vector<std::function<double(const Generator&, long, double)>> device_getters;
  // synapses (synapse.h): NEST's defaults of `params`, the common ones, whether the model
  // reads the postsynaptic spike archive, and the group of one connection's synapses on one
  // thread, its parameters set from the full (defaults + given) table
  std::vector<double> defaults;
  std::vector<std::string> common;
  bool archive = false;
  std::function<std::unique_ptr<SynapseGroup>(const Params&)> make_synapses;
};

// The one name -> definition registry, filled by SD_REGISTER_MODEL before main and read-only
// afterwards.
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }
  void add(ModelDef def);
  const ModelDef* find(const std::string& name) const {
    auto it = defs_.find(name);
    return it == defs_.end() ? nullptr : &it->second;
  }
  const std::map<std::string, ModelDef>& all() const { return defs_; }

 private:
  Registry() = default;
  std::map<std::string, ModelDef> defs_;
};

struct Registration {
  explicit Registration(ModelDef def) { Registry::instance().add(std::move(def)); }
};
#define SD_REGISTER_MODEL(id, definition) \
  static const ::sd::Registration sd_registration_##id{(definition).done()}

// Checks every constraint of `def` on the given parameters (one value per neuron or one
// for all); throws "param: must be op rhs, got v (neuron i of model)".
void check_constraints(const ModelDef& def, const Params& p, size_t n, double h);

// The builder of a model's definition: its parameter table, checks and recordables.
template <class M>
class Define {
 public:
  explicit Define(std::string name, std::string kind = "") {
    def_.name = std::move(name);
    def_.kind = kind.empty() ? (std::is_base_of_v<Population, M>   ? "neuron"
                                : std::is_base_of_v<Detector, M> ? "recorder"
                                                                 : "stimulator")
                             : kind;
    if constexpr (std::is_base_of_v<Detector, M>) def_.recorder = RecorderKind::kDetector;
  }
  // A value per neuron (neurons) or one value (devices).
  Define& param(const char* name, std::vector<double> M::*member) {
    def_.params.push_back(name);
    per_neuron_.push_back({name, member});
    return *this;
  }
  Define& param(const char* name, double M::*member) {
    def_.params.push_back(name);
    scalars_.push_back({name, member});
    return *this;
  }
  // A list of any length (one for the whole node), e.g. spike_times or tau_syn.
  Define& list(const char* name, std::vector<double> M::*member) {
    def_.params.push_back(name);
    def_.list_params.push_back(name);
    lists_.push_back({name, member});
    return *this;
  }
  // A list per neuron (spike_train_injector's spike_times): the node's list, or the neuron's
  // own from `each` when the neurons differ.
  Define& lists(const char* name, std::vector<std::vector<double>> M::*member) {
    def_.params.push_back(name);
    def_.list_params.push_back(name);
    lists_each_.push_back({name, member});
    return *this;
  }
  // A parameter the engine reads elsewhere (recorders: record_from, interval).
  Define& accept(const char* name) {
    def_.params.push_back(name);
    return *this;
  }
  Define& check(const char* param, const char* op, double value) {
    def_.constraints.push_back({param, op, "", value});
    return *this;
  }
  Define& check(const char* param, const char* op, const char* other) {
    def_.constraints.push_back({param, op, other, 0.0});
    return *this;
  }
  Define& record(const char* name, double (*get)(const M&, size_t)) {
    def_.recordables.push_back(name);
    def_.getters.push_back(
        [get](const Population& p, size_t i) { return get(static_cast<const M&>(p), i); });
    return *this;
  }
  // A recordable of a device (generator): its value in step t at resolution h.
  Define& record(const char* name, double (*get)(const M&, long t, double h)) {
    def_.recordables.push_back(name);
    def_.device_getters.push_back([get](const Generator& g, long t, double h) {
      return get(static_cast<const M&>(g), t, h);
    });
    return *this;
  }
  Define& routing(Routing r) {
    def_.routing = r;
    return *this;
  }
  // Named receptors: receptor_type k is names[k - 1] (NEST's receptor_types).
  Define& receptors(std::vector<std::string> names) {
    def_.routing = Routing::kReceptors;
    def_.receptors = std::move(names);
    return *this;
  }
  // One receptor per entry of a list parameter (the *_multisynapse models' tau_syn).
  Define& receptor_ports(const char* list_param) {
    def_.routing = Routing::kReceptors;
    def_.receptor_ports = list_param;
    return *this;
  }
  // Spikes reach the model as events with offsets (ctx.events) instead of a summed buffer.
  Define& precise() {
    def_.precise = true;
    return *this;
  }
  // Receptors 1..n whose spikes the model ignores: they reach only the synapses' view of the
  // neuron, its spike archive (NEST's parrot_neuron: "port 1 ... only used for STDP").
  Define& ignored_receptors(size_t n) {
    def_.ignored_receptors = n;
    return *this;
  }
  // Neurons coupled by gap junctions through NEST's waveform relaxation (wfr_update).
  Define& gap_junctions() {
    def_.gap = true;
    return *this;
  }
  // A node that collects its source neurons' spikes as a neuromodulatory signal for the
  // synapses that name it (NEST's volume_transmitter).
  Define& volume() {
    def_.volume = true;
    return *this;
  }
  // Not an archiving node in NEST (no tau_minus, tau_minus_triplet): spike_train_injector.
  Define& no_archive() {
    archive_ = false;
    return *this;
  }
  Define& unit_weight() {
    unit_weight_ = true;
    return *this;
  }
  Define& recorder(RecorderKind kind) {
    def_.kind = "recorder";
    def_.recorder = kind;
    return *this;
  }

  ModelDef done() {
    ModelDef def = def_;
    if constexpr (std::is_base_of_v<Generator, M> || std::is_base_of_v<Detector, M>) {
      for (const char* w : {"origin", "start", "stop"}) def.params.push_back(w);
    }
    if (def.kind != "neuron" && !def.volume)
      def.constraints.push_back({"stop", ">=", "start", 0.0});
    // every neuron keeps the postsynaptic traces STDP reads (NEST's ArchivingNode)
    if (def.kind == "neuron" && archive_)
      for (const char* name : {"tau_minus", "tau_minus_triplet"}) def.params.push_back(name);
    auto per_neuron = per_neuron_;
    auto scalars = scalars_;
    auto lists = lists_;
    auto lists_each = lists_each_;
    if constexpr (std::is_base_of_v<Population, M>) {
      const bool unit = unit_weight_;
      def.make_population = [def, per_neuron, scalars, lists, lists_each, unit](
                                uint64_t first_gid, size_t n, const Params& p,
                                const std::vector<Params>& each,
                                double h) -> std::unique_ptr<Population> {
        check_constraints(def, p, n, h);
        for (size_t i = 0; i < each.size(); ++i) {
          for (auto& [name, value] : each[i]) {
            bool ok = false;
            for (auto& [own, member] : lists_each) ok = ok || own == name;
            if (!ok)
              throw std::invalid_argument(name + ": " + def.name +
                                          " takes one value for all neurons or one per neuron, "
                                          "not one list per neuron");
          }
          try {
            check_constraints(def, each[i], 1, h);
          } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string(e.what()) + " [neuron " + std::to_string(i) +
                                        "]");
          }
        }
        auto m = std::make_unique<M>();
        m->model = def.name;
        m->first_gid = first_gid;
        m->n = n;
        m->routing = def.routing;
        m->unit_weight = unit;
        m->precise = def.precise;
        m->ignored_ports = def.ignored_receptors;
        m->gap_junctions = def.gap;
        m->getters = &Registry::instance().find(def.name)->getters;
        for (auto& [name, member] : per_neuron) (*m).*member = take(p, name, n);
        for (auto& [name, member] : scalars) (*m).*member = take(p, name, 1)[0];
        for (auto& [name, member] : lists) (*m).*member = take_list(p, name);
        for (auto& [name, member] : lists_each) {
          auto& out = (*m).*member;
          out.assign(n, take_list(p, name));
          for (size_t i = 0; i < each.size() && i < n; ++i)
            if (each[i].count(name)) out[i] = each[i].at(name);
        }
        m->init();
        return m;
      };
    } else if constexpr (std::is_base_of_v<Generator, M>) {
      def.make_generator = [def, scalars, lists](uint64_t gid, const Params& p,
                                                 double h) -> std::unique_ptr<Generator> {
        check_constraints(def, p, 1, h);
        auto g = std::make_unique<M>();
        g->model = def.name;
        g->gid = gid;
        g->origin = take(p, "origin", 1)[0];
        g->start = take(p, "start", 1)[0];
        g->stop = take(p, "stop", 1)[0];
        g->window = Window::from(g->origin, g->start, g->stop, h);
        g->getters = &Registry::instance().find(def.name)->device_getters;
        for (auto& [name, member] : scalars) (*g).*member = take(p, name, 1)[0];
        for (auto& [name, member] : lists) (*g).*member = take_list(p, name);
        g->init(h);
        return g;
      };
    } else if constexpr (std::is_base_of_v<Detector, M>) {
      def.make_detector = [def, scalars, lists](const Params& p,
                                                double h) -> std::unique_ptr<Detector> {
        check_constraints(def, p, 1, h);
        auto d = std::make_unique<M>();
        d->model = def.name;
        d->window = Window::from(take(p, "origin", 1)[0], take(p, "start", 1)[0],
                                 take(p, "stop", 1)[0], h);
        for (auto& [name, member] : scalars) (*d).*member = take(p, name, 1)[0];
        for (auto& [name, member] : lists) (*d).*member = take_list(p, name);
        d->init(h);
        return d;
      };
    }
    return def;
  }

 private:
  static std::vector<double> take(const Params& p, const std::string& name, size_t n) {
    auto it = p.find(name);
    if (it == p.end()) throw std::invalid_argument(name + ": missing");
    if (it->second.size() == n) return it->second;
    if (it->second.size() == 1) return std::vector<double>(n, it->second[0]);
    throw std::invalid_argument(name + ": needs one value per neuron (" + std::to_string(n) +
                                "), got " + std::to_string(it->second.size()));
  }
  static std::vector<double> take_list(const Params& p, const std::string& name) {
    auto it = p.find(name);
    return it == p.end() ? std::vector<double>{} : it->second;
  }

  ModelDef def_;
  bool unit_weight_ = false;
  bool archive_ = true;
  std::vector<std::pair<std::string, std::vector<double> M::*>> per_neuron_;
  std::vector<std::pair<std::string, double M::*>> scalars_;
  std::vector<std::pair<std::string, std::vector<double> M::*>> lists_;
  std::vector<std::pair<std::string, std::vector<std::vector<double>> M::*>> lists_each_;
};

}  // namespace sd
