// iaf_psc_alpha_ps: leaky integrate-and-fire with alpha-shaped synaptic currents and precise
// spike times (NEST's iaf_psc_alpha_ps). The state is integrated exactly from arrival to
// arrival within a step; when the potential is over threshold at the end of an interval,
// the crossing is located by regula falsi on the exact solution from the interval's start.
#include "precise.h"

namespace sd {

struct IafPscAlphaPs : PsMembrane {
  std::vector<double> tau_syn_ex, tau_syn_in;
  std::vector<double> v, i_ex, di_ex, i_in, di_in;  // v relative to E_L
  std::vector<double> norm_ex, norm_in, expm1_m, exp_ex, exp_in, P30, P31ex, P32ex, P31in, P32in;
  std::vector<PsPropagator> prop_ex, prop_in;

  void init() override {
    PsMembrane::init();
    v.resize(n);
    for (size_t i = 0; i < n; ++i) v[i] = V_m[i] - E_L[i];
    for (auto* x : {&i_ex, &di_ex, &i_in, &di_in}) x->assign(n, 0.0);
    for (auto* x : {&norm_ex, &norm_in, &expm1_m, &exp_ex, &exp_in, &P30, &P31ex, &P32ex, &P31in,
                    &P32in})
      x->resize(n);
    prop_ex.resize(n);
    prop_in.resize(n);
  }
  void prepare(double h) override {
    PsMembrane::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      norm_ex[i] = M_E / tau_syn_ex[i];
      norm_in[i] = M_E / tau_syn_in[i];
      expm1_m[i] = std::expm1(-h / tau_m[i]);
      exp_ex[i] = std::exp(-h / tau_syn_ex[i]);
      exp_in[i] = std::exp(-h / tau_syn_in[i]);
      P30[i] = -tau_m[i] / C_m[i] * expm1_m[i];
      prop_ex[i] = PsPropagator(tau_syn_ex[i], tau_m[i], C_m[i]);
      prop_in[i] = PsPropagator(tau_syn_in[i], tau_m[i], C_m[i]);
      std::tie(P31ex[i], P32ex[i]) = prop_ex[i].alpha(h);
      std::tie(P31in[i], P32in[i]) = prop_in[i].alpha(h);
    }
  }

  // The state at the start of an interval, for locating a threshold crossing within it.
  struct Before {
    double v, i_ex, di_ex, i_in, di_in;
  };
  // The potential dt after state s, relative to E_L.
  double v_after(size_t i, const Before& s, double dt) const {
    const double em1 = std::expm1(-dt / tau_m[i]);
    const double p30 = -tau_m[i] / C_m[i] * em1;
    const auto [p31e, p32e] = prop_ex[i].alpha(dt);
    const auto [p31i, p32i] = prop_in[i].alpha(dt);
    return p30 * (I_e[i] + y_input[i]) + p31e * s.di_ex + p32e * s.i_ex + p31i * s.di_in +
           p32i * s.i_in + s.v * em1 + s.v;
  }
  void propagate(size_t i, double dt) {
    if (!refractory[i]) {
      v[i] = v_after(i, {v[i], i_ex[i], di_ex[i], i_in[i], di_in[i]}, dt);
      if (v[i] < u_min[i]) v[i] = u_min[i];
    }
    const double ee = std::exp(-dt / tau_syn_ex[i]), ei = std::exp(-dt / tau_syn_in[i]);
    i_ex[i] = ee * dt * di_ex[i] + ee * i_ex[i];
    di_ex[i] = ee * di_ex[i];
    i_in[i] = ei * dt * di_in[i] + ei * i_in[i];
    di_in[i] = ei * di_in[i];
  }
  // Over threshold after the interval of length dt that began t0 ms into the step.
  void fire_crossing(const StepContext& ctx, size_t i, const Before& s, double t0, double dt) {
    const double th = u_th[i];
    const double t = regula_falsi([&](double x) { return v_after(i, s, x) - th; }, dt);
    fire(ctx, i, ctx.h - (t0 + t), v[i]);
  }

  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double h = ctx.h;
    const long T = ctx.step;
    for (size_t i = b; i < e; i += stride) {
      if (ctx.lag == 0 && v[i] >= u_th[i])  // initialised above threshold
        fire(ctx, i, h * (1.0 - std::numeric_limits<double>::epsilon()), v[i]);
      StepEvents events(ctx.events(i), refractory_ends(i, T), last_spike_offset[i]);
      Before before{v[i], i_ex[i], di_ex[i], i_in[i], di_in[i]};
      if (events.empty()) {
        if (!refractory[i]) {
          v[i] = P30[i] * (I_e[i] + y_input[i]) + P31ex[i] * di_ex[i] + P32ex[i] * i_ex[i] +
                 P31in[i] * di_in[i] + P32in[i] * i_in[i] + expm1_m[i] * v[i] + v[i];
          if (v[i] < u_min[i]) v[i] = u_min[i];
        }
        i_ex[i] = exp_ex[i] * h * di_ex[i] + exp_ex[i] * i_ex[i];
        di_ex[i] = exp_ex[i] * di_ex[i];
        i_in[i] = exp_in[i] * h * di_in[i] + exp_in[i] * i_in[i];
        di_in[i] = exp_in[i] * di_in[i];
        if (v[i] >= u_th[i]) fire_crossing(ctx, i, before, 0.0, h);
      } else {
        double last = h;  // offsets run from h at the start of the step to 0 at its end
        double offset, weight;
        uint32_t port;
        bool end_of_refractory;
        while (events.next(offset, weight, port, end_of_refractory)) {
          const double ministep = last - offset;
          propagate(i, ministep);
          if (v[i] >= u_th[i]) fire_crossing(ctx, i, before, h - last, ministep);
          if (end_of_refractory)
            refractory[i] = 0;
          else if (port == 0)
            di_ex[i] += norm_ex[i] * weight;
          else
            di_in[i] += norm_in[i] * weight;
          before = {v[i], i_ex[i], di_ex[i], i_in[i], di_in[i]};
          last = offset;
        }
        if (last > 0.0) {
          propagate(i, last);
          if (v[i] >= u_th[i]) fire_crossing(ctx, i, before, h - last, last);
        }
      }
      y_input[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(iaf_psc_alpha_ps,
                  define_ps_membrane<IafPscAlphaPs>("iaf_psc_alpha_ps")
                      .param("tau_syn_ex", &IafPscAlphaPs::tau_syn_ex)
                      .param("tau_syn_in", &IafPscAlphaPs::tau_syn_in)
                      .check("tau_syn_ex", ">", 0.0)
                      .check("tau_syn_in", ">", 0.0)
                      .record("I_syn_ex",
                              [](const IafPscAlphaPs& m, size_t i) { return m.i_ex[i]; })
                      .record("I_syn_in",
                              [](const IafPscAlphaPs& m, size_t i) { return m.i_in[i]; })
                      .record("V_m", [](const IafPscAlphaPs& m, size_t i) {
                        return m.v[i] + m.E_L[i];
                      }));

}  // namespace sd
