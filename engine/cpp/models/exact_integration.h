// Exact integration (Rotter & Diesmann 1999) of linear current-based membranes, shared by the
// iaf_psc_* models: propagators and the parameter fields every such model has.
#pragma once
#include <cmath>
#include <vector>

#include "../model.h"

namespace sd {

// Propagators of a membrane driven by an exponential (p32) or alpha-shaped (p31, p32)
// synaptic current; near tau_m == tau_syn the closed form loses precision, so the singular
// limit is used as NEST does.
struct Propagators {
  static double p32(double tau_syn, double tau_m, double c_m, double h) {
    const double gamma = tau_syn * tau_m / (tau_m - tau_syn) / c_m;
    double p = gamma * std::exp(-h / tau_syn) * std::expm1(-h / tau_m + h / tau_syn);
    if (std::fabs(tau_m - tau_syn) < 0.1) {
      const double singular = h / c_m * std::exp(-h / tau_m);
      if (tau_m == tau_syn) return singular;
      const double alpha = (tau_syn - tau_m) / (c_m * tau_m * tau_m);
      const double linear = alpha * h * h * std::exp(-h / tau_m) / 2.0;
      if (std::fabs(p - singular) > 2.0 * std::fabs(linear)) p = singular;
    }
    return p;
  }
  static double p31(double tau_syn, double tau_m, double c_m, double h) {
    const double beta = tau_syn * tau_m / (tau_m - tau_syn);
    const double gamma = beta / c_m;
    double p = gamma * std::exp(-h / tau_syn) * (beta * std::expm1(-h / tau_m + h / tau_syn) - h);
    if (std::fabs(tau_m - tau_syn) < 0.1) {
      const double singular = h * h / 2.0 / c_m * std::exp(-h / tau_m);
      if (tau_m == tau_syn) return singular;
      const double alpha = (tau_syn - tau_m) / (c_m * tau_m * tau_m);
      const double linear = alpha * h * h * h * std::exp(-h / tau_m) / 3.0;
      if (std::fabs(p - singular) > 2.0 * std::fabs(linear)) p = singular;
    }
    return p;
  }
};

// Fields of the leaky integrate-and-fire membrane with voltages relative to E_L (as NEST
// stores them); init() converts the absolute parameters.
struct IafMembrane : Population {
  std::vector<double> C_m, E_L, I_e, tau_m, t_ref, V_th, V_reset, V_min, V_m;
  // state and propagators, relative to E_L
  std::vector<double> y3, y0, theta, v_reset, v_min, P33, P30;
  std::vector<long> refractory, ref_counts;

  void init() override {
    y3.resize(n);
    theta.resize(n);
    v_reset.resize(n);
    v_min.assign(n, -INFINITY);
    for (size_t i = 0; i < n; ++i) {
      theta[i] = V_th[i] - E_L[i];
      v_reset[i] = V_reset[i] - E_L[i];
      if (!V_min.empty()) v_min[i] = V_min[i] - E_L[i];
      y3[i] = V_m[i] - E_L[i];
    }
    y0.assign(n, 0.0);
    refractory.assign(n, 0);
    P33.resize(n);
    P30.resize(n);
    ref_counts.resize(n);
  }
  void prepare(double h) override {
    for (size_t i = 0; i < n; ++i) {
      P33[i] = std::exp(-h / tau_m[i]);
      P30[i] = -tau_m[i] / C_m[i] * std::expm1(-h / tau_m[i]);
      ref_counts[i] = steps(t_ref[i], h);
    }
  }
  static double v_m(const IafMembrane& m, size_t i) { return m.y3[i] + m.E_L[i]; }
};

// The parameter table and checks every iaf_psc_* model shares.
template <class M>
Define<M> define_iaf_membrane(const char* name, bool has_v_min) {
  Define<M> d(name);
  d.param("C_m", &M::C_m)
      .param("E_L", &M::E_L)
      .param("I_e", &M::I_e)
      .param("V_m", &M::V_m)
      .param("V_reset", &M::V_reset)
      .param("V_th", &M::V_th)
      .param("t_ref", &M::t_ref)
      .param("tau_m", &M::tau_m)
      .check("C_m", ">", 0.0)
      .check("tau_m", ">", 0.0)
      .check("t_ref", ">=", 0.0)
      .check("V_reset", "<", "V_th");
  if (has_v_min) d.param("V_min", &M::V_min);
  return d;
}

}  // namespace sd
