// Conductance-based neurons, integrated numerically per neuron as NEST does with GSL.
//
// NEST integrates iaf_cond_alpha with GSL's gsl_odeiv_evolve_apply driving the rkf45 stepper
// under the standard error control gsl_odeiv_control_y_new(1e-3, 0) (absolute tolerance on
// every state variable), repeatedly within each resolution step, starting from the step size
// the previous call suggested. Rkf45Evolve below re-implements that scheme (Fehlberg's
// 4(5) pair, the step-size rule, the final-step truncation and the retry on a rejected step)
// with the same arithmetic order, so traces agree with NEST to rounding.
#pragma once
#include <cfloat>
#include <cmath>

#include "neurons.h"

namespace sd {

// One embedded Runge-Kutta-Fehlberg 4(5) integrator for a system of fixed dimension N.
// f(y, dydt) evaluates the right-hand side (the systems here are autonomous within a step).
template <size_t N>
struct Rkf45Evolve {
  double eps_abs = 1e-3;  // error per step allowed on each component

  // Advance y from 0 to t1 in as many adaptive steps as needed; h carries the suggested
  // step size from one call to the next (as NEST keeps IntegrationStep_ per neuron).
  template <class F>
  void integrate(const F& f, double t1, double& h, double* y) const {
    double t = 0.0;
    while (t < t1) apply(f, t, t1, h, y);
  }

  // One accepted step from t towards t1 (gsl_odeiv_evolve_apply with a control object).
  template <class F>
  void apply(const F& f, double& t, double t1, double& h, double* y) const {
    const double t0 = t;
    double h0 = h;
    const double dt = t1 - t0;
    double y0[N], yerr[N], dydt_in[N];
    for (size_t i = 0; i < N; ++i) y0[i] = y[i];
    f(y, dydt_in);
    for (;;) {
      bool final_step = false;
      if (h0 >= dt) {
        h0 = dt;
        final_step = true;
        // the last stage lands on t0 + h0, which must not pass t1
        while (t0 + h0 > t1) h0 = std::nextafter(h0, 0.0);
      }
      step(f, h0, y, yerr, dydt_in);
      t = final_step ? t1 : t0 + h0;
      const double h_old = h0;
      if (adjust(y, yerr, h0)) {
        // a smaller step is suggested: undo and retry, unless it would not move t
        if (std::fabs(h0) < std::fabs(h_old) && t + h0 != t) {
          for (size_t i = 0; i < N; ++i) y[i] = y0[i];
          continue;
        }
        h0 = h_old;
      }
      break;
    }
    h = h0;
  }

  // The Fehlberg stages; y becomes the fifth-order solution, yerr the embedded difference.
  template <class F>
  static void step(const F& f, double h, double* y, double* yerr, const double* k1) {
    static constexpr double a2 = 1.0 / 4.0;
    static constexpr double b3[] = {3.0 / 32.0, 9.0 / 32.0};
    static constexpr double b4[] = {1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0};
    static constexpr double b5[] = {8341.0 / 4104.0, -32832.0 / 4104.0, 29440.0 / 4104.0,
                                    -845.0 / 4104.0};
    static constexpr double b6[] = {-6080.0 / 20520.0, 41040.0 / 20520.0, -28352.0 / 20520.0,
                                    9295.0 / 20520.0, -5643.0 / 20520.0};
    static constexpr double c1 = 902880.0 / 7618050.0, c3 = 3953664.0 / 7618050.0,
                            c4 = 3855735.0 / 7618050.0, c5 = -1371249.0 / 7618050.0,
                            c6 = 277020.0 / 7618050.0;
    static constexpr double e1 = 1.0 / 360.0, e3 = -128.0 / 4275.0, e4 = -2197.0 / 75240.0,
                            e5 = 1.0 / 50.0, e6 = 2.0 / 55.0;
    double k2[N], k3[N], k4[N], k5[N], k6[N], tmp[N];
    for (size_t i = 0; i < N; ++i) tmp[i] = y[i] + a2 * h * k1[i];
    f(tmp, k2);
    for (size_t i = 0; i < N; ++i) tmp[i] = y[i] + h * (b3[0] * k1[i] + b3[1] * k2[i]);
    f(tmp, k3);
    for (size_t i = 0; i < N; ++i)
      tmp[i] = y[i] + h * (b4[0] * k1[i] + b4[1] * k2[i] + b4[2] * k3[i]);
    f(tmp, k4);
    for (size_t i = 0; i < N; ++i)
      tmp[i] = y[i] + h * (b5[0] * k1[i] + b5[1] * k2[i] + b5[2] * k3[i] + b5[3] * k4[i]);
    f(tmp, k5);
    for (size_t i = 0; i < N; ++i)
      tmp[i] = y[i] + h * (b6[0] * k1[i] + b6[1] * k2[i] + b6[2] * k3[i] + b6[3] * k4[i] +
                           b6[4] * k5[i]);
    f(tmp, k6);
    for (size_t i = 0; i < N; ++i) {
      const double d = c1 * k1[i] + c3 * k3[i] + c4 * k4[i] + c5 * k5[i] + c6 * k6[i];
      y[i] += h * d;
    }
    for (size_t i = 0; i < N; ++i)
      yerr[i] = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i]);
  }

  // The standard step-size rule (order 5, safety 0.9, change by at most a factor 5); returns
  // true when the step must shrink, otherwise h may grow.
  bool adjust(const double* y, const double* yerr, double& h) const {
    (void)y;  // eps_rel = 0: only the absolute tolerance counts
    const double S = 0.9;
    const double h_old = h;
    double rmax = DBL_MIN;
    for (size_t i = 0; i < N; ++i) {
      const double r = std::fabs(yerr[i]) / std::fabs(eps_abs);
      rmax = r > rmax ? r : rmax;
    }
    if (rmax > 1.1) {
      double r = S / std::pow(rmax, 1.0 / 5.0);
      if (r < 0.2) r = 0.2;
      h = r * h_old;
      return true;
    }
    if (rmax < 0.5) {
      double r = S / std::pow(rmax, 1.0 / 6.0);
      if (r > 5.0) r = 5.0;
      if (r < 1.0) r = 1.0;
      h = r * h_old;
    }
    return false;
  }
};

// iaf_cond_alpha: leaky integrate-and-fire with alpha-shaped excitatory and inhibitory
// conductances (NEST's model of the same name). State per neuron: V_m, dg_ex, g_ex, dg_in,
// g_in in absolute units (mV, nS/ms, nS). Update order per step as in NEST: integrate over
// the step with the current of the previous step, then refractoriness/threshold, then add
// this step's spikes to dg and read this step's current.
class IafCondAlpha : public Population {
 public:
  IafCondAlpha(uint64_t first_gid, size_t n, size_t offset, const Params& p)
      : Population("iaf_cond_alpha", first_gid, n, offset),
        C_m(take(p, "C_m", n)),
        E_L(take(p, "E_L", n)),
        E_ex(take(p, "E_ex", n)),
        E_in(take(p, "E_in", n)),
        I_e(take(p, "I_e", n)),
        g_L(take(p, "g_L", n)),
        t_ref(take(p, "t_ref", n)),
        V_th(take(p, "V_th", n)),
        V_reset(take(p, "V_reset", n)),
        tau_ex(take(p, "tau_syn_ex", n)),
        tau_in(take(p, "tau_syn_in", n)),
        y(5 * n, 0.0),
        I_stim(n, 0.0),
        h_int(n, 0.0),
        refractory(n, 0),
        ref_counts(n, 0),
        psc_ex(n),
        psc_in(n) {
    const std::vector<double> v = take(p, "V_m", n);
    for (size_t i = 0; i < n; ++i) {
      check(C_m[i] > 0.0, "C_m", "capacitance must be > 0", i);
      check(t_ref[i] >= 0.0, "t_ref", "refractory time must be >= 0", i);
      check(tau_ex[i] > 0.0, "tau_syn_ex", "time constants must be > 0", i);
      check(tau_in[i] > 0.0, "tau_syn_in", "time constants must be > 0", i);
      check(V_reset[i] < V_th[i], "V_reset", "reset potential must be < V_th", i);
      y[5 * i] = v[i];
    }
  }
  void prepare(double h) override {
    h_ = h;
    for (size_t i = 0; i < n; ++i) {
      psc_ex[i] = 1.0 * M_E / tau_ex[i];
      psc_in[i] = 1.0 * M_E / tau_in[i];
      ref_counts[i] = steps(t_ref[i], h);
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
    }
  }
  std::vector<std::string> recordables() const override {
    return {"V_m", "g_ex", "g_in", "t_ref_remaining"};
  }
  double value(const std::string& name, size_t i) const override {
    if (name == "V_m") return y[5 * i];
    if (name == "g_ex") return y[5 * i + 2];
    if (name == "g_in") return y[5 * i + 4];
    if (name == "t_ref_remaining") return h_ * double(refractory[i]);
    throw std::invalid_argument(model + " cannot record " + name);
  }
  void step(size_t b, size_t e, size_t stride, const StepInput& in, uint32_t lag,
            std::vector<Spike>& spikes) override {
    const Rkf45Evolve<5> solver;
    for (size_t i = b; i < e; i += stride) {
      const size_t k = offset + i;
      double* s = &y[5 * i];
      const bool refr = refractory[i] > 0;
      const double c_m = C_m[i], e_l = E_L[i], e_ex = E_ex[i], e_in = E_in[i], gl = g_L[i];
      const double v_th = V_th[i], v_reset = V_reset[i], te = tau_ex[i], ti = tau_in[i];
      const double ie = I_e[i], is = I_stim[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = refr ? v_reset : std::min(x[0], v_th);
        const double i_syn_ex = x[2] * (V - e_ex);
        const double i_syn_in = x[4] * (V - e_in);
        const double i_leak = gl * (V - e_l);
        f[0] = refr ? 0.0 : (-i_leak - i_syn_ex - i_syn_in + is + ie) / c_m;
        f[1] = -x[1] / te;
        f[2] = x[1] - (x[2] / te);
        f[3] = -x[3] / ti;
        f[4] = x[3] - (x[4] / ti);
      };
      solver.integrate(rhs, h_, h_int[i], s);
      if (refractory[i] > 0) {
        --refractory[i];
        s[0] = v_reset;
      } else if (s[0] >= v_th) {
        refractory[i] = ref_counts[i];
        s[0] = v_reset;
        spikes.push_back({first_gid + i, lag, 1});
      }
      s[1] += in.ex[k] * psc_ex[i];
      s[3] += -in.in[k] * psc_in[i];
      I_stim[i] = in.current[k];
    }
  }

 private:
  void check(bool ok, const char* param, const char* what, size_t i) const {
    if (!ok)
      throw std::invalid_argument(std::string(param) + ": " + what + " (neuron " +
                                  std::to_string(i) + " of iaf_cond_alpha)");
  }

  std::vector<double> C_m, E_L, E_ex, E_in, I_e, g_L, t_ref, V_th, V_reset, tau_ex, tau_in;
  std::vector<double> y;       // V_m, dg_ex, g_ex, dg_in, g_in per neuron
  std::vector<double> I_stim;  // current input of the previous step (pA)
  std::vector<double> h_int;   // the integrator's step size carried between steps (ms)
  std::vector<long> refractory, ref_counts;
  std::vector<double> psc_ex, psc_in;  // dg jump per nS of weight: e / tau_syn
  double h_ = 0.1;
};

}  // namespace sd
