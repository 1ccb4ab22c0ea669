// The simulation kernel: nodes, connections, and the slice loop.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices.h"
#include "neurons.h"
#include "rng.h"

namespace sd {

struct RuleSpec {
  std::string rule = "all_to_all";
  long long indegree = 0, outdegree = 0, total = 0;
  double p = 0.0;
  bool allow_autapses = true, allow_multapses = true;
};

// What the engine implements: model -> parameter names and recordables (checked against the
// Python catalog by a test; defaults live only in the catalog).
struct ModelInfo {
  std::string kind;
  std::vector<std::string> params;
  std::vector<std::string> recordables;
};
const std::map<std::string, ModelInfo>& model_registry();

class Network {
 public:
  Network(double resolution, uint64_t seed, int threads);

  // Each returns the node index; nodes take consecutive 1-based gids in creation order.
  size_t add_node(const std::string& model, size_t n, const Params& params);
  void connect(size_t source, size_t target, const RuleSpec& rule, const RandomSpec& weight,
               const RandomSpec& delay, uint32_t connection_index,
               const std::vector<uint64_t>& source_indices = {},
               const std::vector<uint64_t>& target_indices = {});
  void set_record_from(size_t recorder_node, const std::vector<std::string>& names);
  uint64_t first_gid(size_t node) const { return nodes_.at(node).first_gid; }
  uint64_t synapse_count() const;

  void run(long steps);  // simulate `steps` more steps (prepares on first call)
  long now() const { return t_; }
  long min_delay() const { return min_delay_; }

  struct Events {
    std::vector<int64_t> senders;
    std::vector<double> times;
    std::vector<std::string> names;
    std::vector<std::vector<double>> values;
  };
  Events take_events(size_t recorder_node);  // returns and clears, sorted by (time, sender)

  // Draws for per-neuron random parameters, keyed by (seed, key, gid).
  std::vector<double> draw(const RandomSpec& spec, uint32_t key, uint64_t first_gid,
                           size_t n) const;

 private:
  enum class Kind { kNeurons, kGenerator, kRecorder };
  struct Node {
    Kind kind;
    std::string model;
    uint64_t first_gid;
    size_t n;
    size_t index;  // into populations_, generators_ (first of n) or recorders_
  };
  struct Pending {
    uint64_t source;
    uint32_t slot;
    uint32_t delay;
    double weight;
  };
  // Synapses onto one thread's neurons, by source gid, sorted by (delay, target).
  struct Csr {
    std::vector<uint64_t> row;  // size n_gids + 1
    std::vector<uint32_t> target;
    std::vector<uint32_t> delay;
    std::vector<double> weight;
  };

  int owner(size_t pop, size_t i) const;
  std::pair<size_t, size_t> range(size_t pop, int thread) const;
  void prepare();
  void emit_generators(int thread, long t0, long m);
  void record_samples(int thread, long stamp);
  void deliver(int thread, long t0, const std::vector<Spike>& spikes);
  void record_spikes(long t0, const std::vector<Spike>& spikes);
  uint32_t steps_of_delay(double ms) const;
  // Step count to ms exactly as NEST computes it (integer tics of 1 us times 0.001 ms/tic), so
  // recorded times are bit-identical to NEST's.
  double ms(long steps) const { return double(steps * std::llround(h_ * 1000.0)) * 0.001; }

  double h_;
  uint64_t seed_;
  int threads_;
  long t_ = 0;
  bool prepared_ = false;
  uint64_t next_gid_ = 1;
  size_t n_slots_ = 0;  // neurons in all populations
  long min_delay_ = 0, max_delay_ = 0, ring_ = 0;

  std::vector<Node> nodes_;
  std::vector<std::unique_ptr<Population>> populations_;
  std::vector<Generator> generators_;
  std::vector<Recorder> recorders_;
  std::vector<std::vector<Pending>> pending_;  // per thread, until prepare()
  std::vector<Csr> csr_;                       // per thread
  std::vector<std::vector<uint32_t>> spike_listeners_;  // gid -> spike recorder indices
  std::vector<double> ex_, in_, current_;      // ring buffers [slot * n_slots_ + neuron]
  std::vector<std::vector<Spike>> local_spikes_;
};

}  // namespace sd
