// The STDP synapses of NEST: pair-based (all-to-all, three nearest-neighbour schemes, power
// law), triplet and Vogels-Sprekeler. Each reads the target's spike archive at every
// presynaptic spike: the postsynaptic spikes since the last presynaptic one facilitate, the
// postsynaptic trace at the spike depresses (NEST's stdp_*_synapse::send, in the same order
// of operations and with the same formulas, so weights agree to rounding).
#include "../synapse.h"

namespace sd {

namespace {

// x^mu; mu = 1 (the additive-multiplicative default) skips pow, whose result is x exactly.
inline double power(double x, double mu) { return mu == 1.0 ? x : std::pow(x, mu); }

// The multiplicative weight dependence of Guetig et al. (2003), shared by the pair models.
struct Guetig : SynapseModel {
  static constexpr bool kArchive = true;
  double tau_plus = 20.0, lambda = 0.01, alpha = 1.0, mu_plus = 1.0, mu_minus = 1.0, Wmax = 100.0;
  double Kplus = 0.0;  // initial value
  double facilitate(double w, double kplus) const {
    const double norm_w = (w / Wmax) + (lambda * power(1.0 - (w / Wmax), mu_plus) * kplus);
    return norm_w < 1.0 ? norm_w * Wmax : Wmax;
  }
  double depress(double w, double kminus) const {
    const double norm_w = (w / Wmax) - (alpha * lambda * power(w / Wmax, mu_minus) * kminus);
    return norm_w > 0.0 ? norm_w * Wmax : 0.0;
  }
};

// The state of the presynaptic trace: Kplus and the time of the last presynaptic spike.
struct Trace {
  double Kplus, t_last;
};

// stdp_synapse and stdp_synapse_hom: all-to-all pairing.
struct Stdp : Guetig {
  using Pre = Trace;
  void init(Pre& p) const { p = {Kplus, 0.0}; }
  double send(const Pre& p, const Spike&, Syn&, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    for (; it != end; ++it)
      w = facilitate(w, p.Kplus * std::exp((p.t_last - (it->t + c.delay)) / tau_plus));
    return w = depress(w, c.post->K_value(c.spike.t_spike - c.delay));
  }
  void end(Pre& p, const SpikeContext& sp) const {
    p.Kplus = p.Kplus * std::exp((p.t_last - sp.t_spike) / tau_plus) + 1.0;
    p.t_last = sp.t_spike;
  }
};

double nearest_K(const Archive& post, double t) {
  double K, nearest, triplet;
  post.K_values(t, K, nearest, triplet);
  return nearest;
}

// stdp_nn_symm_synapse: symmetric nearest-neighbour pairing.
struct StdpNnSymm : Guetig {
  struct Pre {
    double t_last;
  };
  void init(Pre& p) const { p.t_last = 0.0; }
  double send(const Pre& p, const Spike&, Syn&, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    for (; it != end; ++it) w = facilitate(w, std::exp((p.t_last - (it->t + c.delay)) / tau_plus));
    return w = depress(w, nearest_K(*c.post, c.spike.t_spike - c.delay));
  }
  void end(Pre& p, const SpikeContext& sp) const { p.t_last = sp.t_spike; }
};

// stdp_nn_restr_synapse: restricted symmetric nearest-neighbour pairing (only the first
// postsynaptic spike after a presynaptic one pairs, and depression needs one).
struct StdpNnRestr : StdpNnSymm {
  double send(const Pre& p, const Spike&, Syn&, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    if (it == end) return w;
    w = facilitate(w, std::exp((p.t_last - (it->t + c.delay)) / tau_plus));
    return w = depress(w, nearest_K(*c.post, c.spike.t_spike - c.delay));
  }
};

// stdp_nn_pre_centered_synapse: presynaptic-centered nearest-neighbour pairing; Kplus is reset
// by a pairing, so it is the synapse's own.
struct StdpNnPreCentered : Guetig {
  struct Pre {
    double t_last;
  };
  struct Syn {
    double Kplus;
  };
  void init(Pre& p) const { p.t_last = 0.0; }
  void init(Syn& s) const { s.Kplus = Kplus; }
  double send(const Pre& p, const Spike&, Syn& s, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    if (it != end) {
      w = facilitate(w, s.Kplus * std::exp((p.t_last - (it->t + c.delay)) / tau_plus));
      s.Kplus = 0.0;
    }
    w = depress(w, nearest_K(*c.post, c.spike.t_spike - c.delay));
    s.Kplus = s.Kplus * std::exp((p.t_last - c.spike.t_spike) / tau_plus) + 1.0;
    return w;
  }
  void end(Pre& p, const SpikeContext& sp) const { p.t_last = sp.t_spike; }
};

// stdp_pl_synapse_hom: power-law weight dependence (Morrison et al. 2007).
struct StdpPl : SynapseModel {
  static constexpr bool kArchive = true;
  double tau_plus = 20.0, lambda = 0.1, alpha = 1.0, mu = 0.4, Kplus = 0.0;
  double tau_plus_inv = 0.05;
  using Pre = Trace;
  void prepare() { tau_plus_inv = 1.0 / tau_plus; }
  void init(Pre& p) const { p = {Kplus, 0.0}; }
  double send(const Pre& p, const Spike&, Syn&, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    for (; it != end; ++it) {
      const double kplus = p.Kplus * std::exp((p.t_last - (it->t + c.delay)) * tau_plus_inv);
      w = w + (lambda * power(w, mu) * kplus);
    }
    const double new_w = w - (lambda * alpha * w * c.post->K_value(c.spike.t_spike - c.delay));
    return w = new_w > 0.0 ? new_w : 0.0;
  }
  void end(Pre& p, const SpikeContext& sp) const {
    p.Kplus = p.Kplus * std::exp((p.t_last - sp.t_spike) * tau_plus_inv) + 1.0;
    p.t_last = sp.t_spike;
  }
};

// stdp_triplet_synapse (Pfister & Gerstner 2006): the archive's Kminus_triplet (tau_minus_triplet
// of the target) and the presynaptic Kplus_triplet.
struct StdpTriplet : SynapseModel {
  static constexpr bool kArchive = true;
  double tau_plus = 16.8, tau_plus_triplet = 101.0, Aplus = 5e-10, Aminus = 7e-3,
         Aplus_triplet = 6.2e-3, Aminus_triplet = 2.3e-4, Wmax = 100.0, Kplus = 0.0,
         Kplus_triplet = 0.0;
  struct Pre {
    double Kplus, Kplus_triplet, t_last;
  };
  struct Spike {
    double Kplus_triplet;  // decayed to the spike, before its increment
  };
  void init(Pre& p) const { p = {Kplus, Kplus_triplet, 0.0}; }
  Spike begin(Pre& p, const SpikeContext& sp) const {
    p.Kplus_triplet *= std::exp((p.t_last - sp.t_spike) / tau_plus_triplet);
    return {p.Kplus_triplet};
  }
  double send(const Pre& p, const Spike& spike, Syn&, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    for (; it != end; ++it) {
      const double minus_dt = p.t_last - (it->t + c.delay);
      const double ky = it->Kminus_triplet - 1.0;
      const double kplus = p.Kplus * std::exp(minus_dt / tau_plus);
      const double new_w = std::abs(w) + kplus * (Aplus + Aplus_triplet * ky);
      w = std::copysign(new_w < std::abs(Wmax) ? new_w : Wmax, Wmax);
    }
    const double kminus = c.post->K_value(c.spike.t_spike - c.delay);
    const double new_w = std::abs(w) - kminus * (Aminus + Aminus_triplet * spike.Kplus_triplet);
    return w = std::copysign(new_w > 0.0 ? new_w : 0.0, Wmax);
  }
  void end(Pre& p, const SpikeContext& sp) const {
    p.Kplus_triplet += 1.0;
    p.Kplus = p.Kplus * std::exp((p.t_last - sp.t_spike) / tau_plus) + 1.0;
    p.t_last = sp.t_spike;
  }
};

// vogels_sprekeler_synapse: symmetric inhibitory plasticity (Vogels et al. 2011).
struct VogelsSprekeler : SynapseModel {
  static constexpr bool kArchive = true;
  double tau = 20.0, alpha = 0.12, eta = 0.001, Wmax = 1.0, Kplus = 0.0;
  using Pre = Trace;
  void init(Pre& p) const { p = {Kplus, 0.0}; }
  double facilitate(double w, double kplus) const {
    const double new_w = std::abs(w) + (eta * kplus);
    return std::copysign(new_w < std::abs(Wmax) ? new_w : Wmax, Wmax);
  }
  double send(const Pre& p, const Spike&, Syn&, double& w, const SendContext& c) const {
    auto [it, end] = c.post->read(p.t_last - c.delay, c.spike.t_spike - c.delay);
    for (; it != end; ++it) w = facilitate(w, p.Kplus * std::exp((p.t_last - (it->t + c.delay)) / tau));
    w = facilitate(w, c.post->K_value(c.spike.t_spike - c.delay));
    const double new_w = std::abs(w) - (alpha * eta);
    return w = std::copysign(new_w > 0.0 ? new_w : 0.0, Wmax);
  }
  void end(Pre& p, const SpikeContext& sp) const {
    p.Kplus = p.Kplus * std::exp((p.t_last - sp.t_spike) / tau) + 1.0;
    p.t_last = sp.t_spike;
  }
};

// The parameters of the Guetig models; `hom` makes them common (stdp_synapse_hom).
template <class S>
DefineSynapse<S> guetig(const char* name, bool hom, bool kplus = true) {
  DefineSynapse<S> d(name);
  auto add = [&](const char* p, double S::*m, double v) {
    if (hom) d.common(p, m, v);
    else d.param(p, m, v);
  };
  add("tau_plus", &S::tau_plus, 20.0);
  add("lambda", &S::lambda, 0.01);
  add("alpha", &S::alpha, 1.0);
  add("mu_plus", &S::mu_plus, 1.0);
  add("mu_minus", &S::mu_minus, 1.0);
  add("Wmax", &S::Wmax, 100.0);
  if (kplus) d.param("Kplus", &S::Kplus, 0.0);
  d.check("tau_plus", ">", 0.0);
  if (kplus && !hom) d.check("Kplus", ">=", 0.0);
  return d;
}

}  // namespace

SD_REGISTER_MODEL(stdp_synapse, guetig<Stdp>("stdp_synapse", false));
SD_REGISTER_MODEL(stdp_synapse_hom, guetig<Stdp>("stdp_synapse_hom", true));
SD_REGISTER_MODEL(stdp_nn_symm_synapse, guetig<StdpNnSymm>("stdp_nn_symm_synapse", false, false));
SD_REGISTER_MODEL(stdp_nn_restr_synapse, guetig<StdpNnRestr>("stdp_nn_restr_synapse", false, false));
SD_REGISTER_MODEL(stdp_nn_pre_centered_synapse,
                  guetig<StdpNnPreCentered>("stdp_nn_pre_centered_synapse", false));
SD_REGISTER_MODEL(stdp_pl_synapse_hom, DefineSynapse<StdpPl>("stdp_pl_synapse_hom")
                                           .common("tau_plus", &StdpPl::tau_plus, 20.0)
                                           .common("lambda", &StdpPl::lambda, 0.1)
                                           .common("alpha", &StdpPl::alpha, 1.0)
                                           .common("mu", &StdpPl::mu, 0.4)
                                           .param("Kplus", &StdpPl::Kplus, 0.0)
                                           .check("tau_plus", ">", 0.0));
SD_REGISTER_MODEL(stdp_triplet_synapse,
                  DefineSynapse<StdpTriplet>("stdp_triplet_synapse")
                      .param("tau_plus", &StdpTriplet::tau_plus, 16.8)
                      .param("tau_plus_triplet", &StdpTriplet::tau_plus_triplet, 101.0)
                      .param("Aplus", &StdpTriplet::Aplus, 5e-10)
                      .param("Aminus", &StdpTriplet::Aminus, 7e-3)
                      .param("Aplus_triplet", &StdpTriplet::Aplus_triplet, 6.2e-3)
                      .param("Aminus_triplet", &StdpTriplet::Aminus_triplet, 2.3e-4)
                      .param("Wmax", &StdpTriplet::Wmax, 100.0)
                      .param("Kplus", &StdpTriplet::Kplus, 0.0)
                      .param("Kplus_triplet", &StdpTriplet::Kplus_triplet, 0.0)
                      .check("tau_plus", ">", 0.0)
                      .check("tau_plus_triplet", ">", 0.0)
                      .check("Kplus", ">=", 0.0)
                      .check("Kplus_triplet", ">=", 0.0));
SD_REGISTER_MODEL(vogels_sprekeler_synapse,
                  DefineSynapse<VogelsSprekeler>("vogels_sprekeler_synapse")
                      .weight_default(0.5)
                      .param("tau", &VogelsSprekeler::tau, 20.0)
                      .param("alpha", &VogelsSprekeler::alpha, 0.12)
                      .param("eta", &VogelsSprekeler::eta, 0.001)
                      .param("Wmax", &VogelsSprekeler::Wmax, 1.0)
                      .param("Kplus", &VogelsSprekeler::Kplus, 0.0)
                      .check("tau", ">", 0.0)
                      .check("Kplus", ">=", 0.0));

}  // namespace sd
