// izhikevich: Izhikevich (2003) quadratic membrane with recovery variable U_m, integrated with
// NEST's explicit scheme: by default (consistent_integration) one forward-Euler step of both
// variables from the values of the previous step; otherwise the published scheme (two half
// steps of V_m, then U_m from the new V_m; meant for h = 1 ms). A spike of weight w moves V_m
// by w mV (Routing::kSingle); V_m is bounded below by V_min; at V_m >= V_th, V_m = c and
// U_m += d. The neuron is never refractory.
#include <string>

#include "../model.h"

namespace sd {

struct Izhikevich : Population {
  std::vector<double> I_e, U_m, V_m, V_min, V_th, a, b, c, d, consistent_integration;
  std::vector<double> v, u, I;  // state; I: the current input of the previous step
  double h = 0.1;

  void init() override {
    v = V_m;
    u = U_m;
    I.assign(n, 0.0);
  }
  void prepare(double step) override { h = step; }
  void step(size_t b0, size_t e, size_t stride, const StepContext& ctx) override {
    for (size_t i = b0; i < e; i += stride) {
      const double ie = I_e[i], input = ctx.input[i];
      if (consistent_integration[i] != 0.0) {
        const double v_old = v[i], u_old = u[i];
        v[i] += h * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + I[i] + ie) + input;
        u[i] += h * a[i] * (b[i] * v_old - u_old);
      } else {
        for (int half = 0; half < 2; ++half)
          v[i] += h * 0.5 * (0.04 * v[i] * v[i] + 5.0 * v[i] + 140.0 - u[i] + I[i] + ie + input);
        u[i] += h * a[i] * (b[i] * v[i] - u[i]);
      }
      v[i] = v[i] < V_min[i] ? V_min[i] : v[i];
      if (v[i] >= V_th[i]) {
        v[i] = c[i];
        u[i] += d[i];
        emit(ctx, i);
      }
      if (!std::isfinite(v[i]) || !std::isfinite(u[i]))
        throw std::runtime_error("V_m or U_m of neuron " + std::to_string(i) +
                                 " is not finite (runaway input?)");
      I[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(izhikevich,
                  Define<Izhikevich>("izhikevich")
                      .param("I_e", &Izhikevich::I_e)
                      .param("U_m", &Izhikevich::U_m)
                      .param("V_m", &Izhikevich::V_m)
                      .param("V_min", &Izhikevich::V_min)
                      .param("V_th", &Izhikevich::V_th)
                      .param("a", &Izhikevich::a)
                      .param("b", &Izhikevich::b)
                      .param("c", &Izhikevich::c)
                      .param("d", &Izhikevich::d)
                      .param("consistent_integration", &Izhikevich::consistent_integration)
                      .routing(Routing::kSingle)
                      .record("U_m", [](const Izhikevich& m, size_t i) { return m.u[i]; })
                      .record("V_m", [](const Izhikevich& m, size_t i) { return m.v[i]; }));

}  // namespace sd
