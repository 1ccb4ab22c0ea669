// The simulation kernel: nodes, connections, ring buffers and the slice loop. Models come
// from the registry (model.h); the kernel never names a model.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model.h"
#include "parameter.h"
#include "rng.h"
#include "spatial.h"
#include "synapse.h"

namespace sd {

struct RuleSpec {
  std::string rule = "all_to_all";
  long long indegree = 0, outdegree = 0, total = 0;
  // pairwise_bernoulli's p, or (spatial fixed_indegree/outdegree) a kernel: the candidates'
  // relative probabilities; an expression may depend on the pair's positions
  Parameter p = 0.0;
  bool has_kernel = false;  // fixed_indegree/outdegree: p was given
  Mask mask;                // spatial rules: the candidates around the driver neuron
  bool use_on_source = false;
  bool allow_autapses = true, allow_multapses = true;
};

class Network {
 public:
  // With n_ranks > 1 this rank owns the neurons with gid % n_ranks == rank: it updates only
  // those, keeps only the synapses onto them, and its devices act on them only.
  Network(double resolution, uint64_t seed, int threads, int rank = 0, int n_ranks = 1);

  // Each returns the node index; nodes take consecutive 1-based gids in creation order.
  // `each`: empty, or n Params that override `params` for each device of a stimulator node
  // (NEST's Create with a list of values or dicts) or give each neuron its own lists.
  size_t add_node(const std::string& model, size_t n, const Params& params,
                  const std::vector<Params>& each = {});
  // receptor: NEST's receptor_type of the synapses (0: the default port). synapse: a synapse
  // model, with the parameters that differ from its defaults (weight_recorder: the node index
  // of a weight_recorder). Synapses between neurons are generated when the network is built.
  void connect(size_t source, size_t target, const RuleSpec& rule, const Parameter& weight,
               const Parameter& delay, uint32_t connection_index,
               const std::vector<uint64_t>& source_indices = {},
               const std::vector<uint64_t>& target_indices = {}, long receptor = 0,
               const std::string& synapse = "static_synapse", const Params& synapse_params = {});
  // Generates the synapses (count, then fill the final layout); run() and prepare() build
  // first, later calls do nothing. Errors name the connection: "connection <index>: ...".
  void build();
  struct Table {
    std::vector<int64_t> sources, targets;
    std::vector<double> weights, delays;  // delays in ms
  };
  // This rank's synapses of a connection, by (source, target), with their current weights.
  Table connections(uint32_t connection_index);
  void set_record_from(size_t recorder_node, const std::vector<std::string>& names);
  // Places a neuron node's neurons (NEST's spatial layers): positions[i * dims + d], the
  // layer's extent and whether its edges wrap. Before connect().
  void set_layer(size_t node, const std::vector<double>& positions, int dims,
                 const std::vector<double>& extent, bool periodic);
  // NEST's waveform relaxation settings for gap junctions (kernel status use_wfr,
  // wfr_comm_interval (ms), wfr_tol, wfr_max_iterations, wfr_interpolation_order).
  struct Wfr {
    bool use = true;
    double comm_interval = 1.0, tol = 1e-4;
    long max_iterations = 15, order = 3;
  };
  void set_wfr(const Wfr& wfr);
  uint64_t first_gid(size_t node) const { return nodes_.at(node).first_gid; }
  uint64_t synapse_count() const;  // built synapses between neurons (0 before build())

  void run(long steps);  // simulate `steps` more steps (prepares on first call)
  long now() const { return t_; }
  long min_delay() const { return min_delay_; }
  long max_delay() const { return max_delay_; }

  // Slice-level API for MPI. prepare(steps) plans a run of `steps` more steps (min_delay and
  // max_delay, in steps, override the local extrema so all ranks agree; 0 keeps the local ones);
  // run_slice() advances one slice and returns this rank's spikes of it (lag within the slice
  // and precise offset, one entry per spike, so a spike of multiplicity m appears m times);
  // deliver() takes the spikes of all ranks of that slice and must follow every run_slice().
  void prepare(long steps, long min_delay = 0, long max_delay = 0);
  long remaining() const { return remaining_; }
  void run_slice(std::vector<int64_t>& gids, std::vector<int64_t>& lags,
                 std::vector<double>& offsets);
  void deliver(const std::vector<int64_t>& gids, const std::vector<int64_t>& lags,
               const std::vector<double>& offsets);
  std::pair<long, long> local_delay_extrema();  // over this rank's synapses, in steps (builds)
  std::vector<int64_t> local_gids() const;
  bool is_local(uint64_t gid) const { return n_ranks_ == 1 || gid % n_ranks_ == uint64_t(rank_); }

  struct Events {
    std::vector<int64_t> senders;
    std::vector<double> times;
    std::vector<std::string> names;
    std::vector<std::vector<double>> values;
    // detectors: no senders/times; each value is device state with a shape (C order)
    bool state = false;
    std::vector<std::vector<size_t>> shapes;
    std::vector<bool> integer;
    bool weights = false;  // a weight_recorder's: targets, and the weights in values[0]
    std::vector<int64_t> targets;
  };
  Events take_events(size_t recorder_node);  // returns and clears, sorted by (time, sender)

  // Per-neuron values of a parameter (random ones drawn keyed by (seed, key, gid));
  // positions (n * dims, or empty) for spatial.pos.
  std::vector<double> draw(const Parameter& spec, uint32_t key, uint64_t first_gid, size_t n,
                           const std::vector<double>& positions = {}, int dims = 0) const;

 private:
  enum class Kind { kNeurons, kGenerator, kRecorder, kVolume };
  struct Node {
    Kind kind;
    std::string model;
    uint64_t first_gid;
    size_t n;
    size_t index;  // into populations_, generators_ (first of n) or recorders_
  };
  // A connection between neurons, generated at build().
  struct ConnSpec {
    size_t source, target;  // nodes
    RuleSpec rule;
    Parameter weight, delay;
    uint32_t index;
    std::vector<uint64_t> S, T;  // source and target gids the rule applies to
    long receptor;
    const ModelDef* synapse;
    Params params;  // the synapse model's full parameter table
  };
  struct Sample {
    size_t pop;  // population (or generator, if device) index
    size_t index;
    uint64_t gid;
    bool device = false;  // a generator's recordables
  };
  struct Recorder {
    RecorderKind kind;
    uint64_t gid;
    Window window;
    long interval = 10;  // steps
    std::vector<std::string> record_from;
    std::vector<std::vector<size_t>> vars;      // per population: recordable indices, at prepare
    std::vector<std::vector<size_t>> device_vars;  // per generator, likewise
    std::shared_ptr<Detector> detector;         // kDetector only
    std::vector<std::vector<Sample>> targets;   // per thread, voltmeter/multimeter
    // Recorded events; kept per thread and merged when fetched.
    std::vector<std::vector<double>> times, senders;
    std::vector<std::vector<std::vector<double>>> values;  // [thread][variable][event]
    std::vector<WeightLog> weights;                         // kWeights: per thread
  };

  int owner(size_t pop, size_t i) const;
  std::pair<size_t, size_t> range(size_t pop, int thread) const;
  void prepare_buffers(long min_delay, long max_delay);
  void update_thread(int thread, long t0, long m);  // generators + this thread's neurons
  void update_all(long t0, long m);                 // every thread; rethrows a model error
  long slice_length() const;
  void gather_sorted(std::vector<Spike>& out);  // local spikes of the slice, by (lag, gid)
  // first index >= b of population `pop` owned by this rank
  size_t first_local(size_t pop, size_t b) const;
  void record_samples(int thread, long stamp);
  void deliver_thread(int thread, long t0, const std::vector<Spike>& spikes);
  // Generation of a connection's (source, target) pairs that thread k keeps, in an order that
  // does not depend on the number of threads.
  template <class Emit>
  void generate(const ConnSpec& c, int k, Emit&& emit) const;
  std::unique_ptr<SynapseGroup> build_group(const ConnSpec& c, int k);
  // The checks of a connection's spatial parts (layers, mask dimensions, mask size).
  void check_spatial(const ConnSpec& c) const;
  // What a pair's parameters see: both positions and the source layer's boundaries.
  Where pair_where(const ConnSpec& c, uint64_t s, uint64_t t) const;
  // The spatial rules (a mask, a kernel or a p that depends on the pair): spatial.cpp's
  // masks over the layers of the two nodes, NEST's ConnectionCreator restated.
  template <class Emit>
  void generate_spatial(const ConnSpec& c, int k, Emit&& emit) const;
  void archive_spikes(int thread, long t0);  // this slice's spikes of thread k's neurons
  void deliver_all(long t0, const std::vector<Spike>& spikes);  // rethrows a thread's error
  // The events of thread k's precise neurons in step `stamp`: grid input (generators' sums)
  // joins at offset 0, then a counting sort by neuron and a small sort per neuron give each
  // neuron its events in canonical order (PreciseEvent::operator<).
  void collect_events(int thread, long stamp);
  void record_spikes(long t0, const std::vector<Spike>& spikes);
  uint32_t steps_of_delay(double ms) const;
  // Step count to ms exactly as NEST computes it (integer tics of 1 us times 0.001 ms/tic), so
  // recorded times are bit-identical to NEST's.
  double ms(long steps) const { return double(steps * std::llround(h_ * 1000.0)) * 0.001; }

  double h_;
  uint64_t seed_;
  int threads_;
  int rank_, n_ranks_;
  long t_ = 0;
  bool prepared_ = false;
  long remaining_ = 0;      // steps left in the run planned by prepare()
  long slice_t0_ = -1;      // start of the slice awaiting deliver(), -1 if none
  uint64_t next_gid_ = 1;
  size_t spike_slots_ = 0;    // spike-input ports of all neurons
  size_t current_slots_ = 0;  // neurons in all populations
  long min_delay_ = 0, max_delay_ = 0, ring_ = 0;

  std::vector<Node> nodes_;
  std::vector<Layer> layers_;  // per node (dims 0: not spatial)
  std::vector<std::unique_ptr<Population>> populations_;
  std::vector<std::unique_ptr<Generator>> generators_;
  std::vector<Recorder> recorders_;
  std::vector<ConnSpec> specs_;  // until build()
  bool built_ = false;
  // Synapses between neurons: per thread one group per connection (synapse.h), and for each
  // source node the groups whose rows it owns.
  std::vector<std::vector<std::unique_ptr<SynapseGroup>>> groups_;  // [thread][group]
  std::vector<std::vector<std::vector<uint32_t>>> groups_of_node_;  // [thread][node]
  std::vector<uint32_t> node_of_gid_;                                // gid -> node
  std::vector<uint32_t> neuron_of_gid_;  // gid -> neuron (current slot), or UINT32_MAX
  std::vector<double> tau_minus_, tau_minus_triplet_;                // per neuron
  std::vector<Archive> archives_;  // per neuron, when some synapse reads archives
  // Precise populations (none: nothing below is used): synapses onto them deliver events
  // with offsets into per-thread rings of event rows.
  bool has_precise_ = false;
  std::vector<std::vector<std::vector<PreciseEvent>>> precise_rows_;  // [thread][ring row]
  struct PreciseStep {  // one thread's precise neurons, numbered 0.. in population order
    struct Range {
      uint32_t key_begin, key_end, local;  // PreciseEvent::target range -> local numbers
    };
    std::vector<Range> ranges;
    std::vector<size_t> local_of_pop;  // first local number of each population's range
    size_t n_local = 0;
    std::vector<uint32_t> start, fill, local;  // this step: start[j] = first event of neuron j
    std::vector<PreciseEvent> sorted;
  };
  std::vector<PreciseStep> precise_step_;  // per thread
  std::vector<std::vector<uint32_t>> spike_listeners_;  // gid -> spike recorder indices
  struct DetectorInput {
    uint32_t recorder;
    uint32_t channel;
    double weight;
    uint32_t delay;  // steps: NEST counts it in min_delay, which sets the slices' order
  };
  std::vector<std::vector<DetectorInput>> detector_inputs_;  // gid -> detector connections
  void feed_detectors(long t0, const std::vector<Spike>& spikes);
  // volume_transmitters: the dopamine spikes arriving in each step, the list their synapses
  // read, and the periodic update of those synapses (NEST's volume_transmitter::update)
  struct Volume {
    uint32_t node = 0;          // its node index (synapses name it by that)
    long deliver_interval = 1;  // in min-delay slices
    std::map<long, double> arriving;          // step -> multiplicity
    std::vector<DopaSpike> spikes{{0.0, 0.0}};  // since the last update, after a pseudo spike
  };
  struct VolumeInput {
    uint32_t volume;
    uint32_t delay;
  };
  std::vector<Volume> volumes_;
  std::vector<std::vector<VolumeInput>> volume_inputs_;  // gid -> volume connections
  void feed_volumes(long t0, const std::vector<Spike>& spikes);
  void update_volumes(long t0, long m);  // after the slice's update, before its delivery
  // Gap junctions: per target neuron (current slot) its partners, and per population the
  // coupling state; relax() iterates the slice starting at t0 (before its regular update),
  // end_gap_slice() extrapolates after it, deliver_gap() sums the partners' coefficients.
  struct GapInput {
    uint32_t pop, index;  // the source: population and index in it
    double weight;
    uint32_t connection;
  };
  Wfr wfr_;
  bool has_gap_ = false;
  std::vector<std::vector<GapInput>> gap_inputs_;
  std::vector<std::unique_ptr<GapState>> gap_states_;  // per population (null: none)
  void relax(long t0);
  void end_gap_slice();
  void deliver_gap();
  std::vector<double> spike_, current_;  // ring buffers [row * slots + slot]
  std::vector<std::vector<Spike>> local_spikes_;
  std::vector<std::string> thread_errors_;
  std::vector<Spike> gathered_;
};

}  // namespace sd
