// iaf_psc_delta_ps: leaky integrate-and-fire with delta synapses and precise spike times
// (NEST's iaf_psc_delta_ps). The potential jumps by the weight (mV) at each arrival; between
// arrivals the membrane relaxes exactly towards R (I_e + I); a spike happens at an arrival
// that lifts the potential over threshold, or where a constant current reaches threshold
// (located analytically). Refractory neurons ignore input; the refractory period ends
// t_ref after the spike, within a step.
#include "precise.h"

namespace sd {

struct IafPscDeltaPs : PsMembrane {
  std::vector<double> u, R, expm1_h;

  void init() override {
    PsMembrane::init();
    u.resize(n);
    for (size_t i = 0; i < n; ++i) u[i] = V_m[i] - E_L[i];
    R.resize(n);
    expm1_h.resize(n);
  }
  void prepare(double h) override {
    PsMembrane::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      R[i] = tau_m[i] / C_m[i];
      expm1_h[i] = std::expm1(-h / tau_m[i]);
    }
  }
  // Relax the membrane over dt ms (written as NEST does, precise when u is near -v_inf).
  void propagate(size_t i, double dt) {
    const double e = std::expm1(-dt / tau_m[i]);
    const double v_inf = R[i] * (y_input[i] + I_e[i]);
    u[i] = -v_inf * e + u[i] * e + u[i];
  }
  // The current drove u over threshold before `offset`: fire where it crossed.
  void fire_crossing(const StepContext& ctx, size_t i, double offset) {
    const double v_inf = R[i] * (y_input[i] + I_e[i]);
    const double dt = -tau_m[i] * std::log((v_inf - u[i]) / (v_inf - u_th[i]));
    fire(ctx, i, offset + dt, u[i]);
  }

  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double h = ctx.h;
    const long T = ctx.step;
    for (size_t i = b; i < e; i += stride) {
      if (ctx.lag == 0 && u[i] >= u_th[i])  // initialised above threshold
        fire(ctx, i, h * (1.0 - std::numeric_limits<double>::epsilon()), u[i]);
      StepEvents events(ctx.events(i), refractory_ends(i, T), last_spike_offset[i]);
      if (events.empty()) {
        if (!refractory[i]) {
          const double current = -expm1_h[i] * R[i] * (y_input[i] + I_e[i]);
          u[i] = current + expm1_h[i] * u[i] + u[i];
          if (u[i] < u_min[i]) u[i] = u_min[i];
          if (u[i] >= u_th[i]) fire_crossing(ctx, i, 0.0);
        }
      } else {
        double t = h;  // time within the step as an offset: h at its start, 0 at its end
        double offset, weight;
        uint32_t port;
        bool end_of_refractory;
        while (events.next(offset, weight, port, end_of_refractory, true)) {
          if (refractory[i]) {
            t = offset;
            if (end_of_refractory) {
              refractory[i] = 0;
              if (u[i] >= u_th[i]) fire(ctx, i, t, u[i]);
            }
            continue;  // input during the refractory period is lost
          }
          propagate(i, t - offset);
          t = offset;
          if (u[i] >= u_th[i]) {  // the current crossed threshold before this arrival
            fire_crossing(ctx, i, t);
            continue;
          }
          u[i] += weight;
          if (u[i] >= u_th[i]) fire(ctx, i, t, u[i]);
        }
        if (!refractory[i] && t > 0.0) {
          propagate(i, t);
          if (u[i] >= u_th[i]) fire_crossing(ctx, i, 0.0);
        }
      }
      y_input[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(iaf_psc_delta_ps,
                  define_ps_membrane<IafPscDeltaPs>("iaf_psc_delta_ps")
                      .routing(Routing::kSingle)
                      .record("V_m", [](const IafPscDeltaPs& m, size_t i) {
                        return m.u[i] + m.E_L[i];
                      }));

}  // namespace sd
