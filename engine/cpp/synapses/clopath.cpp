// clopath_synapse: voltage-based STDP (Clopath et al. 2010) as NEST has it
// (models/clopath_synapse.h). At each presynaptic spike, with d the synapse's delay:
//
//   for every LTP entry (t, dw) of the target with t_last - d < t <= t_spike - d:
//       w = min(w + dw * x_bar * exp((t_last - (t + d)) / tau_x), Wmax)
//   w = max(w - LTD(t_spike - d), Wmin)          (the LTD entry written at that time, or 0)
//   transmit w;  x_bar = x_bar * exp((t_last - t_spike) / tau_x) + 1 / tau_x;  t_last = t_spike
//
// with t_last starting at 0 and x_bar at its initial value. The LTP and LTD entries are the
// target neuron's Clopath history (models/clopath.h), so the synapse connects only to neurons
// that keep one (aeif_psc_delta_clopath, hh_psc_alpha_clopath). Precise spike offsets are
// ignored, as in NEST.
#include "../models/clopath.h"

namespace sd {

namespace {

struct Clopath : SynapseModel {
  static constexpr bool kArchive = true;  // counted as NEST's n_incoming_ of the target
  static constexpr bool kChecksTarget = true;
  double tau_x = 15.0, Wmin = 0.0, Wmax = 100.0, x_bar = 0.0;
  struct Pre {
    double x_bar, t_last;  // the presynaptic trace depends on the spike train only
  };
  void init(Pre& p) const { p = {x_bar, 0.0}; }
  std::string cannot_target(const Population& p) const {
    if (dynamic_cast<const ClopathNeuron*>(&p) != nullptr) return {};
    return "it keeps no Clopath history (aeif_psc_delta_clopath and hh_psc_alpha_clopath do)";
  }
  double send(const Pre& p, const Spike&, Syn&, double& w, const SendContext& c) const {
    // the target's history, written by its update on this thread (deliveries onto a neuron
    // run on the thread that updates it); reading marks LTP entries for pruning
    auto& post = const_cast<ClopathNeuron&>(static_cast<const ClopathNeuron&>(*c.target_population));
    const double d = c.delay;
    auto [it, end] = post.LTP_history(c.target_index, p.t_last - d, c.spike.t_spike - d);
    for (; it != end; ++it) {
      const double minus_dt = p.t_last - (it->t + d);
      w += it->dw * (p.x_bar * std::exp(minus_dt / tau_x));
      w = w < Wmax ? w : Wmax;
    }
    w -= post.LTD_value(c.target_index, c.spike.t_spike - d);
    return w = w > Wmin ? w : Wmin;
  }
  void end(Pre& p, const SpikeContext& sp) const {
    p.x_bar = p.x_bar * std::exp((p.t_last - sp.t_spike) / tau_x) + 1.0 / tau_x;
    p.t_last = sp.t_spike;
  }
};

}  // namespace

SD_REGISTER_MODEL(clopath_synapse, DefineSynapse<Clopath>("clopath_synapse")
                                       .param("tau_x", &Clopath::tau_x, 15.0)
                                       .param("Wmin", &Clopath::Wmin, 0.0)
                                       .param("Wmax", &Clopath::Wmax, 100.0)
                                       .param("x_bar", &Clopath::x_bar, 0.0)
                                       .check("tau_x", ">", 0.0));

}  // namespace sd
