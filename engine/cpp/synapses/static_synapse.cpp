// static_synapse and static_synapse_hom_w: fixed weights. The fast path of delivery: a
// branch-free loop per run (one delay, so one ring row), with one weight for the whole
// connection when it is constant.
#include "../synapse.h"

namespace sd {

void StaticGroup::deliver(const DeliverTarget& out, const SpikeContext& sp, size_t r, uint32_t m) {
  uint64_t j = row[r];
  const double mult = m;
  for (uint64_t q = run_row[r]; q < run_row[r + 1]; ++q) {
    const Run& run = runs[q];
    if (precise || log != nullptr) {  // events with offsets, or weights to record
      for (; j < run.end; ++j) {
        transmit(out, sp, run.delay, target[j], unit ? mult : weight_of(j) * mult);
        record(sp, target[j], weight_of(j));
      }
      continue;
    }
    double* buffer = out.spikes + size_t((sp.stamp - 1 + run.delay) % out.ring) * out.width;
    const uint32_t* slot = target.data();
    if (weight.empty() || unit) {  // unit-weight targets (parrots) count spikes
      const double w = unit ? mult : uniform_weight * mult;
      for (; j < run.end; ++j) buffer[slot[j]] += w;
    } else if (m == 1) {
      const double* w = weight.data();
      for (; j < run.end; ++j) buffer[slot[j]] += w[j];
    } else {
      const double* w = weight.data();
      for (; j < run.end; ++j) buffer[slot[j]] += w[j] * mult;
    }
  }
}

SD_REGISTER_MODEL(static_synapse, DefineSynapse<StaticModel>("static_synapse"));
// NEST's static_synapse_hom_w: the weight is a common property (one per model); a connection
// here fixes it for all of its synapses, which is the same.
SD_REGISTER_MODEL(static_synapse_hom_w, DefineSynapse<StaticModel>("static_synapse_hom_w").common_weight());
// gap_junction: electrical coupling of neurons that take gap junctions (hh_psc_alpha_gap);
// the network relaxes their coupled V_m every slice (Network::relax).
SD_REGISTER_MODEL(gap_junction, DefineSynapse<StaticModel>("gap_junction").gap());

}  // namespace sd
