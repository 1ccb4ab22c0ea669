// iaf_psc_exp_ps: leaky integrate-and-fire with exponential synaptic currents and precise
// spike times (NEST's iaf_psc_exp_ps). Exact integration from arrival to arrival within a
// step; a threshold crossing is located by regula falsi on the exact solution.
#include "precise.h"

namespace sd {

struct IafPscExpPs : PsMembrane {
  std::vector<double> tau_syn_ex, tau_syn_in;
  std::vector<double> y2, y1_ex, y1_in;  // potential relative to E_L, synaptic currents
  std::vector<double> expm1_m, exp_ex, exp_in, P20, P21ex, P21in;
  std::vector<PsPropagator> prop_ex, prop_in;

  void init() override {
    PsMembrane::init();
    y2.resize(n);
    for (size_t i = 0; i < n; ++i) y2[i] = V_m[i] - E_L[i];
    y1_ex.assign(n, 0.0);
    y1_in.assign(n, 0.0);
    for (auto* x : {&expm1_m, &exp_ex, &exp_in, &P20, &P21ex, &P21in}) x->resize(n);
    prop_ex.resize(n);
    prop_in.resize(n);
  }
  void prepare(double h) override {
    PsMembrane::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      expm1_m[i] = std::expm1(-h / tau_m[i]);
      exp_ex[i] = std::exp(-h / tau_syn_ex[i]);
      exp_in[i] = std::exp(-h / tau_syn_in[i]);
      P20[i] = -tau_m[i] / C_m[i] * std::expm1(-h / tau_m[i]);
      prop_ex[i] = PsPropagator(tau_syn_ex[i], tau_m[i], C_m[i]);
      prop_in[i] = PsPropagator(tau_syn_in[i], tau_m[i], C_m[i]);
      P21ex[i] = prop_ex[i].p32(h);
      P21in[i] = prop_in[i].p32(h);
    }
  }

  struct Before {
    double y2, y1_ex, y1_in;
  };
  double y2_after(size_t i, const Before& s, double dt) const {
    const double p20 = -tau_m[i] / C_m[i] * std::expm1(-dt / tau_m[i]);
    return p20 * (I_e[i] + y_input[i]) + prop_ex[i].p32(dt) * s.y1_ex +
           prop_in[i].p32(dt) * s.y1_in + s.y2 * std::exp(-dt / tau_m[i]);
  }
  void propagate(size_t i, double dt) {
    if (!refractory[i]) y2[i] = y2_after(i, {y2[i], y1_ex[i], y1_in[i]}, dt);
    y1_ex[i] *= std::exp(-dt / tau_syn_ex[i]);
    y1_in[i] *= std::exp(-dt / tau_syn_in[i]);
  }
  void fire_crossing(const StepContext& ctx, size_t i, const Before& s, double t0, double dt) {
    const double th = u_th[i];
    const double t = regula_falsi([&](double x) { return y2_after(i, s, x) - th; }, dt);
    fire(ctx, i, ctx.h - (t0 + t), y2[i]);
  }

  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double h = ctx.h;
    const long T = ctx.step;
    for (size_t i = b; i < e; i += stride) {
      if (ctx.lag == 0 && y2[i] >= u_th[i])  // initialised above threshold
        fire(ctx, i, h * (1.0 - std::numeric_limits<double>::epsilon()), y2[i]);
      StepEvents events(ctx.events(i), refractory_ends(i, T), last_spike_offset[i]);
      Before before{y2[i], y1_ex[i], y1_in[i]};
      if (events.empty()) {
        if (!refractory[i]) {
          y2[i] = P20[i] * (I_e[i] + y_input[i]) + P21ex[i] * y1_ex[i] + P21in[i] * y1_in[i] +
                  expm1_m[i] * y2[i] + y2[i];
          if (y2[i] < u_min[i]) y2[i] = u_min[i];
        }
        y1_ex[i] *= exp_ex[i];
        y1_in[i] *= exp_in[i];
        if (y2[i] >= u_th[i]) fire_crossing(ctx, i, before, 0.0, h);
      } else {
        double last = h;  // offsets run from h at the start of the step to 0 at its end
        double offset, weight;
        uint32_t port;
        bool end_of_refractory;
        while (events.next(offset, weight, port, end_of_refractory)) {
          const double ministep = last - offset;
          if (ministep > 0.0) {  // simultaneous arrivals: nothing to integrate
            propagate(i, ministep);
            if (y2[i] >= u_th[i]) fire_crossing(ctx, i, before, h - last, ministep);
          }
          if (end_of_refractory)
            refractory[i] = 0;
          else if (port == 0)
            y1_ex[i] += weight;
          else
            y1_in[i] += weight;
          before = {y2[i], y1_ex[i], y1_in[i]};
          last = offset;
        }
        if (last > 0.0) {
          propagate(i, last);
          if (y2[i] >= u_th[i]) fire_crossing(ctx, i, before, h - last, last);
        }
      }
      y_input[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(iaf_psc_exp_ps, define_ps_membrane<IafPscExpPs>("iaf_psc_exp_ps")
                                      .param("tau_syn_ex", &IafPscExpPs::tau_syn_ex)
                                      .param("tau_syn_in", &IafPscExpPs::tau_syn_in)
                                      .check("tau_syn_ex", ">", 0.0)
                                      .check("tau_syn_in", ">", 0.0)
                                      .record("V_m", [](const IafPscExpPs& m, size_t i) {
                                        return m.y2[i] + m.E_L[i];
                                      }));

}  // namespace sd
