// Shared by gif_psc_exp and gif_cond_exp (Mensi et al. 2012, Pozzorini et al. 2015): the
// generalized integrate-and-fire neuron with escape noise, spike-frequency adaptation (a sum
// of exponentially decaying threshold increments, E_sfa = V_T_star + sum) and spike-triggered
// currents (I_stc, a sum of exponentially decaying currents). The lists q_sfa/tau_sfa and
// q_stc/tau_stc are one list per node (each pair of equal length, possibly empty).
//
// Each step, as NEST: the adaptation sums are read and then decayed; the membrane is advanced;
// outside the refractory period the neuron spikes with probability 1 - exp(-lambda h),
// lambda = lambda_0 exp((V_m - E_sfa) / Delta_V), decided by one uniform number of the
// neuron's own stream for this step (so spikes do not depend on threads or ranks); a spike
// adds q_sfa and q_stc to the elements and starts t_ref; while refractory V_m is held at
// V_reset. lambda_0 is given in 1/s (NEST's unit) and used in 1/ms.
#pragma once
#include <string>

#include "../model.h"

namespace sd {

struct Gif : Population {
  std::vector<double> C_m, Delta_V, E_L, I_e, V_T_star, V_m, V_reset, g_L, lambda_0, t_ref;
  std::vector<double> q_sfa, tau_sfa, q_stc, tau_stc;  // per node
  std::vector<double> sfa_el, stc_el;                  // [i * count + k]
  std::vector<double> P_sfa, P_stc;                    // per element
  std::vector<double> sfa, stc;                        // E_sfa and I_stc of the last step
  std::vector<double> I_stim;                          // current input of the previous step
  std::vector<long> r, ref_counts;
  double h = 0.1;

  void init() override {
    check_pair("q_sfa", q_sfa, "tau_sfa", tau_sfa);
    check_pair("q_stc", q_stc, "tau_stc", tau_stc);
    sfa_el.assign(n * q_sfa.size(), 0.0);
    stc_el.assign(n * q_stc.size(), 0.0);
    sfa.assign(n, 0.0);
    stc.assign(n, 0.0);
    I_stim.assign(n, 0.0);
    r.assign(n, 0);
    ref_counts.resize(n);
  }
  void prepare(double step) override {
    h = step;
    P_sfa.resize(tau_sfa.size());
    P_stc.resize(tau_stc.size());
    for (size_t k = 0; k < tau_sfa.size(); ++k) P_sfa[k] = std::exp(-h / tau_sfa[k]);
    for (size_t k = 0; k < tau_stc.size(); ++k) P_stc[k] = std::exp(-h / tau_stc[k]);
    for (size_t i = 0; i < n; ++i) ref_counts[i] = steps(t_ref[i], h);
  }

  // E_sfa and I_stc of this step from the elements, which then decay.
  void adapt(size_t i) {
    const size_t ns = P_stc.size(), nf = P_sfa.size();
    double* st = &stc_el[i * ns];
    double* sf = &sfa_el[i * nf];
    double s = 0.0;
    for (size_t k = 0; k < ns; ++k) {
      s += st[k];
      st[k] = P_stc[k] * st[k];
    }
    stc[i] = s;
    double f = V_T_star[i];
    for (size_t k = 0; k < nf; ++k) {
      f += sf[k];
      sf[k] = P_sfa[k] * sf[k];
    }
    sfa[i] = f;
  }
  // Outside the refractory period: the escape-noise decision at membrane potential v; while
  // refractory: count down and return true when V_m must be held at V_reset.
  bool fire_or_hold(size_t i, double v, const StepContext& ctx) {
    if (r[i] > 0) {
      --r[i];
      return true;
    }
    const double lambda = lambda_0[i] / 1000.0 * std::exp((v - sfa[i]) / Delta_V[i]);
    if (lambda > 0.0 && ctx.stream(first_gid + i).uniform() < -std::expm1(-lambda * h)) {
      const size_t ns = q_stc.size(), nf = q_sfa.size();
      for (size_t k = 0; k < ns; ++k) stc_el[i * ns + k] += q_stc[k];
      for (size_t k = 0; k < nf; ++k) sfa_el[i * nf + k] += q_sfa[k];
      r[i] = ref_counts[i];
      emit(ctx, i);
    }
    return false;
  }

 private:
  // NEST's check that each q list has one entry per time constant (positive time constants
  // are a declared constraint).
  void check_pair(const char* q, const std::vector<double>& qs, const char* tau,
                  const std::vector<double>& taus) const {
    if (qs.size() != taus.size())
      throw std::invalid_argument(std::string(q) + ": must have as many values as " + tau +
                                  " (" + std::to_string(taus.size()) + "), got " +
                                  std::to_string(qs.size()) + " (" + model + ")");
  }
};

// The parameter table and checks both gif models share.
template <class M>
Define<M> define_gif(const char* name) {
  Define<M> d(name);
  d.param("C_m", &M::C_m)
      .param("Delta_V", &M::Delta_V)
      .param("E_L", &M::E_L)
      .param("I_e", &M::I_e)
      .param("V_T_star", &M::V_T_star)
      .param("V_m", &M::V_m)
      .param("V_reset", &M::V_reset)
      .param("g_L", &M::g_L)
      .param("lambda_0", &M::lambda_0)
      .list("q_sfa", &M::q_sfa)
      .list("q_stc", &M::q_stc)
      .param("t_ref", &M::t_ref)
      .list("tau_sfa", &M::tau_sfa)
      .list("tau_stc", &M::tau_stc)
      .param("tau_syn_ex", &M::tau_syn_ex)
      .param("tau_syn_in", &M::tau_syn_in)
      .check("g_L", ">", 0.0)
      .check("Delta_V", ">", 0.0)
      .check("C_m", ">", 0.0)
      .check("t_ref", ">=", 0.0)
      .check("lambda_0", ">=", 0.0)
      .check("tau_sfa", ">", 0.0)
      .check("tau_stc", ">", 0.0)
      .check("tau_syn_ex", ">", 0.0)
      .check("tau_syn_in", ">", 0.0)
      .record("E_sfa", [](const M& m, size_t i) { return m.sfa[i]; })
      .record("I_stc", [](const M& m, size_t i) { return m.stc[i]; });
  return d;
}

}  // namespace sd
