// NEST integrates its conductance-based and other nonlinear models with GSL's
// gsl_odeiv_evolve_apply driving the rkf45 stepper under the standard error control
// gsl_odeiv_control_y_new(eps_abs, 0) (absolute tolerance on every state variable), repeatedly
// within each resolution step, starting from the step size the previous call suggested.
// Rkf45Evolve re-implements that scheme (Fehlberg's 4(5) pair, the step-size rule, the
// final-step truncation and the retry on a rejected step) with the same arithmetic order, so
// traces agree with NEST to rounding.
#pragma once
#include <type_traits>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace sd {

// One embedded Runge-Kutta-Fehlberg 4(5) integrator for a system of fixed dimension N.
// f(y, dydt) evaluates the right-hand side (the systems here are autonomous within a step).
// The right-hand side f(x, dxdt), or f(t, x, dxdt) for systems that depend on the time within
// the integration interval (hh_psc_alpha_gap's interpolated gap current).
template <class F>
inline void rhs(const F& f, double t, const double* x, double* dxdt) {
  if constexpr (std::is_invocable_v<const F&, double, const double*, double*>) f(t, x, dxdt);
  else f(x, dxdt);
}

template <size_t N>
struct Rkf45Evolve {
  // GSL's standard control: the error allowed on component i is
  // eps_abs + eps_rel * (a_y |y_i| + a_dydt h |y'_i|); NEST's iaf_cond_* use
  // gsl_odeiv_control_y_new(1e-3, 0) (the defaults here), its aeif models
  // gsl_odeiv_control_yp_new(gsl_error_tol, gsl_error_tol) (a_y 0, a_dydt 1).
  double eps_abs = 1e-3;
  double eps_rel = 0.0;
  double a_y = 1.0;
  double a_dydt = 0.0;

  // Advance y from 0 to t1 in as many adaptive steps as needed; h carries the suggested
  // step size from one call to the next (as NEST keeps IntegrationStep_ per neuron).
  // A runaway system (e.g. I_e = 1e50) would shrink h without end: after max_steps accepted
  // steps within one resolution step integrate() gives up with an error.
  size_t max_steps = 100000;

  template <class F>
  void integrate(const F& f, double t1, double& h, double* y) const {
    double t = 0.0;
    for (size_t k = 0; t < t1; ++k) {
      if (k == max_steps || !std::isfinite(y[0]))
        throw std::runtime_error(
            "the ODE solver did not converge within one time step (state is not finite or "
            "needs more than " + std::to_string(max_steps) + " sub-steps); check the inputs");
      apply(f, t, t1, h, y);
    }
  }

  // One accepted step from t towards t1 (gsl_odeiv_evolve_apply with a control object).
  template <class F>
  void apply(const F& f, double& t, double t1, double& h, double* y) const {
    const double t0 = t;
    double h0 = h;
    const double dt = t1 - t0;
    double y0[N], yerr[N], dydt_in[N], dydt_out[N];
    for (size_t i = 0; i < N; ++i) y0[i] = y[i];
    rhs(f, t0, y, dydt_in);
    for (;;) {
      bool final_step = false;
      if (h0 >= dt) {
        h0 = dt;
        final_step = true;
        // the last stage lands on t0 + h0, which must not pass t1
        while (t0 + h0 > t1) h0 = std::nextafter(h0, 0.0);
      }
      step(f, t0, h0, y, yerr, dydt_in);
      t = final_step ? t1 : t0 + h0;
      const double h_old = h0;
      if (a_dydt != 0.0) rhs(f, t0 + h0, y, dydt_out);  // GSL's rkf45: the derivative at the new point
      if (adjust(y, yerr, dydt_out, h0)) {
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
  static void step(const F& f, double t, double h, double* y, double* yerr, const double* k1) {
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
    rhs(f, t + a2 * h, tmp, k2);
    for (size_t i = 0; i < N; ++i) tmp[i] = y[i] + h * (b3[0] * k1[i] + b3[1] * k2[i]);
    rhs(f, t + 3.0 / 8.0 * h, tmp, k3);
    for (size_t i = 0; i < N; ++i)
      tmp[i] = y[i] + h * (b4[0] * k1[i] + b4[1] * k2[i] + b4[2] * k3[i]);
    rhs(f, t + 12.0 / 13.0 * h, tmp, k4);
    for (size_t i = 0; i < N; ++i)
      tmp[i] = y[i] + h * (b5[0] * k1[i] + b5[1] * k2[i] + b5[2] * k3[i] + b5[3] * k4[i]);
    rhs(f, t + h, tmp, k5);
    for (size_t i = 0; i < N; ++i)
      tmp[i] = y[i] + h * (b6[0] * k1[i] + b6[1] * k2[i] + b6[2] * k3[i] + b6[3] * k4[i] +
                           b6[4] * k5[i]);
    rhs(f, t + 0.5 * h, tmp, k6);
    for (size_t i = 0; i < N; ++i) {
      const double d = c1 * k1[i] + c3 * k3[i] + c4 * k4[i] + c5 * k5[i] + c6 * k6[i];
      y[i] += h * d;
    }
    for (size_t i = 0; i < N; ++i)
      yerr[i] = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i]);
  }

  // The standard step-size rule (order 5, safety 0.9, change by at most a factor 5); returns
  // true when the step must shrink, otherwise h may grow.
  bool adjust(const double* y, const double* yerr, const double* dydt, double& h) const {
    const double S = 0.9;
    const double h_old = h;
    double rmax = DBL_MIN;
    for (size_t i = 0; i < N; ++i) {
      const double yp = a_dydt != 0.0 ? std::fabs(h_old * dydt[i]) : 0.0;
      const double D0 = eps_rel * (a_y * std::fabs(y[i]) + a_dydt * yp) + eps_abs;
      const double r = std::fabs(yerr[i]) / std::fabs(D0);
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

}  // namespace sd
