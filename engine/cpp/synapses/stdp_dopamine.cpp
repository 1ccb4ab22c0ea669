// stdp_dopamine_synapse (Izhikevich 2007; Potjans et al. 2010): an eligibility trace c from
// STDP pairings, turned into weight changes by the dopamine trace n of a volume_transmitter's
// spikes. NEST's algorithm and order of operations (stdp_dopamine_synapse.h): the weight and c
// are propagated exactly, piecewise between dopamine spikes, at every presynaptic spike and at
// every update the volume_transmitter triggers (every deliver_interval min-delay slices, at the
// end of the slice, before that slice's spikes are delivered).
#include "../synapse.h"

namespace sd {

namespace {

struct StdpDopamine : SynapseModel {
  static constexpr bool kArchive = true;
  static constexpr bool kVolume = true;
  double A_plus = 1.0, A_minus = 1.5, tau_plus = 20.0, tau_c = 1000.0, tau_n = 200.0, b = 0.0,
         Wmin = 0.0, Wmax = 200.0, Kplus = 0.0, c = 0.0, n = 0.0, vt = -1.0;
  const std::vector<DopaSpike>* dopa = nullptr;
  // The synapse's state: every part depends on its own history of updates.
  struct Syn {
    double Kplus, c, n, t_last_update;
    size_t idx;  // dopamine spikes consumed
  };
  using SynapseModel::init;
  void init(Syn& s) const { s = {Kplus, c, n, 0.0, 0}; }

  void update_dopamine(Syn& s) const {
    const auto& d = *dopa;
    const double minus_dt = d[s.idx].t - d[s.idx + 1].t;
    ++s.idx;
    s.n = s.n * std::exp(minus_dt / tau_n) + d[s.idx].multiplicity / tau_n;
  }
  void update_weight(double& w, double c0, double n0, double minus_dt) const {
    const double taus = (tau_c + tau_n) / (tau_c * tau_n);
    w = w - c0 * (n0 / taus * std::expm1(taus * minus_dt) - b * tau_c * std::expm1(minus_dt / tau_c));
    if (w < Wmin) w = Wmin;
    if (w > Wmax) w = Wmax;
  }
  void process(Syn& s, double& w, double t0, double t1) const {
    const auto& d = *dopa;
    auto next_before_t1 = [&] { return d.size() > s.idx + 1 && t1 - d[s.idx + 1].t > -kStdpEps; };
    if (next_before_t1()) {
      const double n0 = s.n * std::exp((d[s.idx].t - t0) / tau_n);
      update_weight(w, s.c, n0, t0 - d[s.idx + 1].t);
      update_dopamine(s);
      while (next_before_t1()) {
        const double cd = s.c * std::exp((t0 - d[s.idx].t) / tau_c);
        update_weight(w, cd, s.n, d[s.idx].t - d[s.idx + 1].t);
        update_dopamine(s);
      }
      const double cd = s.c * std::exp((t0 - d[s.idx].t) / tau_c);
      update_weight(w, cd, s.n, d[s.idx].t - t1);
    } else {
      const double n0 = s.n * std::exp((d[s.idx].t - t0) / tau_n);
      update_weight(w, s.c, n0, t0 - t1);
    }
    s.c = s.c * std::exp((t0 - t1) / tau_c);
  }
  // The pairings with the postsynaptic spikes in (t_last_update - d, t_end - d].
  double pair(Syn& s, double& w, Archive* post, double delay, double t_end, double t_spike) const {
    auto [it, end] = post->read(s.t_last_update - delay, t_end - delay);
    double t0 = s.t_last_update;
    for (; it != end; ++it) {
      process(s, w, t0, it->t + delay);
      t0 = it->t + delay;
      const double minus_dt = s.t_last_update - t0;
      if (t_spike - it->t > kStdpEps) s.c += A_plus * (s.Kplus * std::exp(minus_dt / tau_plus));
    }
    return t0;
  }
  double send(const Pre&, const Spike&, Syn& s, double& w, const SendContext& ctx) const {
    const double t_spike = ctx.spike.t_spike;
    const double t0 = pair(s, w, ctx.post, ctx.delay, t_spike, t_spike);
    process(s, w, t0, t_spike);
    s.c -= A_minus * ctx.post->K_value(t_spike - ctx.delay);
    s.Kplus = s.Kplus * std::exp((s.t_last_update - t_spike) / tau_plus) + 1.0;
    s.t_last_update = t_spike;
    return w;
  }
  void trigger(Pre&, Syn& s, double& w, Archive* post, double delay, double t_trig) const {
    // NEST's trigger facilitates every pairing (no eps test): t_spike = +inf
    const double t0 = pair(s, w, post, delay, t_trig, std::numeric_limits<double>::infinity());
    process(s, w, t0, t_trig);
    s.n = s.n * std::exp(((*dopa)[s.idx].t - t_trig) / tau_n);
    s.Kplus = s.Kplus * std::exp((s.t_last_update - t_trig) / tau_plus);
    s.t_last_update = t_trig;
    s.idx = 0;
  }
};

}  // namespace

SD_REGISTER_MODEL(stdp_dopamine_synapse,
                  DefineSynapse<StdpDopamine>("stdp_dopamine_synapse")
                      .common("A_plus", &StdpDopamine::A_plus, 1.0)
                      .common("A_minus", &StdpDopamine::A_minus, 1.5)
                      .common("tau_plus", &StdpDopamine::tau_plus, 20.0)
                      .common("tau_c", &StdpDopamine::tau_c, 1000.0)
                      .common("tau_n", &StdpDopamine::tau_n, 200.0)
                      .common("b", &StdpDopamine::b, 0.0)
                      .common("Wmin", &StdpDopamine::Wmin, 0.0)
                      .common("Wmax", &StdpDopamine::Wmax, 200.0)
                      .common("volume_transmitter", &StdpDopamine::vt, -1.0)
                      .param("Kplus", &StdpDopamine::Kplus, 0.0)
                      .param("c", &StdpDopamine::c, 0.0)
                      .param("n", &StdpDopamine::n, 0.0)
                      .check("tau_plus", ">", 0.0)
                      .check("tau_c", ">", 0.0)
                      .check("tau_n", ">", 0.0)
                      .check("Kplus", ">=", 0.0));

}  // namespace sd
