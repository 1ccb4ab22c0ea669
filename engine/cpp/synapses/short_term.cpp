// Short-term plasticity (NEST's tsodyks_synapse, tsodyks2_synapse, quantal_stp_synapse) and
// bernoulli_synapse. The Tsodyks-Markram state evolves with the presynaptic spikes only, so it
// is kept once per source row; quantal release draws per synapse and spike from counter-based
// streams (SendContext::stream), so it does not depend on threads or ranks, and is compared
// with NEST by its statistics.
#include "../synapse.h"

namespace sd {

namespace {

// tsodyks_synapse (Tsodyks, Uziel & Markram 2000): u, x, y with the synaptic current's decay.
struct Tsodyks : SynapseModel {
  double tau_psc = 3.0, tau_fac = 0.0, tau_rec = 800.0, U = 0.5, x = 1.0, y = 0.0, u = 0.0;
  struct Pre {
    double u, x, y, t_last;
  };
  struct Spike {
    double delta;  // u x: the released fraction
  };
  void init(Pre& p) const { p = {u, x, y, 0.0}; }
  Spike begin(Pre& p, const SpikeContext& sp) const {
    const double h = sp.t_spike - p.t_last;
    const double Puu = (tau_fac == 0.0) ? 0.0 : std::exp(-h / tau_fac);
    const double Pyy = std::exp(-h / tau_psc);
    const double Pzz = std::expm1(-h / tau_rec);
    const double Pxy = (Pzz * tau_rec - (Pyy - 1.0) * tau_psc) / (tau_psc - tau_rec);
    const double z = 1.0 - p.x - p.y;
    p.u *= Puu;
    p.x += Pxy * p.y - Pzz * z;
    p.y *= Pyy;
    p.u += U * (1.0 - p.u);
    const double delta_y_tsp = p.u * p.x;
    p.x -= delta_y_tsp;
    p.y += delta_y_tsp;
    return {delta_y_tsp};
  }
  double send(const Pre&, const Spike& s, Syn&, double& w, const SendContext&) const {
    return s.delta * w;
  }
  void end(Pre& p, const SpikeContext& sp) const { p.t_last = sp.t_spike; }
};

// tsodyks2_synapse (Maass & Markram 2002, eqs. 4 and 5).
struct Tsodyks2 : SynapseModel {
  double U = 0.5, u = 0.5, x = 1.0, tau_rec = 800.0, tau_fac = 0.0;
  struct Pre {
    double u, x, t_last;
  };
  struct Spike {
    double ux;
  };
  void init(Pre& p) const { p = {u, x, -1.0}; }
  Spike begin(Pre& p, const SpikeContext& sp) const {
    if (p.t_last >= 0.0) {
      const double h = sp.t_spike - p.t_last;
      const double x_decay = std::exp(-h / tau_rec);
      const double u_decay = (tau_fac == 0) ? 0.0 : std::exp(-h / tau_fac);
      p.x = 1. + (p.x - p.x * p.u - 1.) * x_decay;
      p.u = U + p.u * (1. - U) * u_decay;
    }
    return {p.x * p.u};
  }
  double send(const Pre&, const Spike& s, Syn&, double& w, const SendContext&) const {
    return s.ux * w;
  }
  void end(Pre& p, const SpikeContext& sp) const { p.t_last = sp.t_spike; }
};

// quantal_stp_synapse (Fuhrmann et al. 2002, Loebel et al. 2009): n release sites, a of them
// available; each spike releases each available site with probability u.
struct QuantalStp : SynapseModel {
  static constexpr bool kMaySkip = true;
  double U = 0.5, u = 0.5, tau_rec = 800.0, tau_fac = 0.0, n = 1.0, a = 1.0;
  struct Pre {
    double u, t_last, p_recover;  // p_recover: of a depleted site since the last spike
  };
  struct Syn {
    int32_t a;
  };
  struct Spike {
    bool first;
  };
  void init(Pre& p) const { p = {u, -1.0, 0.0}; }
  void init(Syn& s) const { s.a = int32_t(a); }
  Spike begin(Pre& p, const SpikeContext& sp) const {
    if (p.t_last < 0.0) return {true};
    const double h = sp.t_spike - p.t_last;
    p.p_recover = 1.0 - std::exp(-h / tau_rec);
    const double u_decay = (tau_fac < 1.0e-10) ? 0.0 : std::exp(-h / tau_fac);
    p.u = U + p.u * (1. - U) * u_decay;
    return {false};
  }
  double send(const Pre& p, const Spike& spike, Syn& s, double& w, const SendContext& c) const {
    Stream stream = c.stream();
    if (!spike.first)
      for (int depleted = int(n) - s.a; depleted > 0; --depleted)
        if (stream.uniform() < p.p_recover) ++s.a;
    int n_release = 0;
    for (int i = s.a; i > 0; --i)
      if (stream.uniform() < p.u) ++n_release;
    if (n_release == 0) return kNotSent;
    s.a -= n_release;
    return n_release * w;
  }
  void end(Pre& p, const SpikeContext& sp) const { p.t_last = sp.t_spike; }
};

// bernoulli_synapse: each spike is transmitted with probability p_transmit.
struct Bernoulli : SynapseModel {
  static constexpr bool kMaySkip = true;
  double p_transmit = 1.0;
  double send(const Pre&, const Spike&, Syn&, double& w, const SendContext& c) const {
    return c.stream().uniform() < p_transmit ? w : kNotSent;
  }
};

}  // namespace

SD_REGISTER_MODEL(tsodyks_synapse, DefineSynapse<Tsodyks>("tsodyks_synapse")
                                       .param("tau_psc", &Tsodyks::tau_psc, 3.0)
                                       .param("tau_fac", &Tsodyks::tau_fac, 0.0)
                                       .param("tau_rec", &Tsodyks::tau_rec, 800.0)
                                       .param("U", &Tsodyks::U, 0.5)
                                       .param("x", &Tsodyks::x, 1.0)
                                       .param("y", &Tsodyks::y, 0.0)
                                       .param("u", &Tsodyks::u, 0.0)
                                       .check("tau_psc", ">", 0.0)
                                       .check("tau_rec", ">", 0.0)
                                       .check("tau_fac", ">=", 0.0)
                                       .check("tau_psc", "!=", "tau_rec")
                                       .check("U", ">=", 0.0)
                                       .check("U", "<=", 1.0)
                                       .check("u", ">=", 0.0)
                                       .check("u", "<=", 1.0));
SD_REGISTER_MODEL(tsodyks2_synapse, DefineSynapse<Tsodyks2>("tsodyks2_synapse")
                                        .param("U", &Tsodyks2::U, 0.5)
                                        .param("u", &Tsodyks2::u, 0.5)
                                        .param("x", &Tsodyks2::x, 1.0)
                                        .param("tau_rec", &Tsodyks2::tau_rec, 800.0)
                                        .param("tau_fac", &Tsodyks2::tau_fac, 0.0)
                                        .check("U", ">=", 0.0)
                                        .check("U", "<=", 1.0)
                                        .check("u", ">=", 0.0)
                                        .check("u", "<=", 1.0)
                                        .check("tau_rec", ">", 0.0)
                                        .check("tau_fac", ">=", 0.0));
SD_REGISTER_MODEL(quantal_stp_synapse, DefineSynapse<QuantalStp>("quantal_stp_synapse")
                                           .param("U", &QuantalStp::U, 0.5)
                                           .param("u", &QuantalStp::u, 0.5)
                                           .param("tau_rec", &QuantalStp::tau_rec, 800.0)
                                           .param("tau_fac", &QuantalStp::tau_fac, 0.0)
                                           .param("n", &QuantalStp::n, 1.0)
                                           .param("a", &QuantalStp::a, 1.0)
                                           .check("U", ">=", 0.0)
                                           .check("U", "<=", 1.0)
                                           .check("u", ">=", 0.0)
                                           .check("u", "<=", 1.0)
                                           .check("tau_rec", ">", 0.0)
                                           .check("tau_fac", ">=", 0.0)
                                           .check("n", ">=", 1.0)
                                           .check("a", ">=", 0.0)
                                           .check("a", "<=", "n"));
SD_REGISTER_MODEL(bernoulli_synapse, DefineSynapse<Bernoulli>("bernoulli_synapse")
                                         .param("p_transmit", &Bernoulli::p_transmit, 1.0)
                                         .check("p_transmit", ">=", 0.0)
                                         .check("p_transmit", "<=", 1.0));

}  // namespace sd
