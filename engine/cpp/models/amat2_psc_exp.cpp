// amat2_psc_exp: mat2_psc_exp with a voltage-dependent threshold component V_th_v (Yamauchi et
// al. 2011): V_th_v follows V_m through a second-order filter of time constant tau_v and gain
// beta. Exact integration of the linear system (currents, V_m, V_th_v and its derivative) with
// NEST's propagators and update order: V_th_v and its derivative from the state of the
// previous step, then V_m, the threshold components, the currents plus this step's spikes;
// outside the refractory period a spike when V_m >= omega + V_th_1 + V_th_2 + V_th_v. V_m is
// not reset. Voltages are kept relative to E_L as NEST does.
#include "../model.h"

namespace sd {

struct Amat2PscExp : Population {
  std::vector<double> C_m, E_L, I_e, V_m, alpha_1, alpha_2, beta, omega, t_ref, tau_1, tau_2,
      tau_m, tau_syn_ex, tau_syn_in, tau_v;
  // state: v and omega_rel relative to E_L; thv = V_th_v, dthv its derivative
  std::vector<double> v, th1, th2, thv, dthv, i_ex, i_in, i0, omega_rel;
  std::vector<double> P11, P22, P33, P44, P55, P66, P77, P30, P31, P32, P60, P61, P62, P63, P70,
      P71, P72, P73, P76;
  std::vector<long> r, ref_counts;

  void init() override {
    v.resize(n);
    omega_rel.resize(n);
    for (size_t i = 0; i < n; ++i) {
      v[i] = V_m[i] - E_L[i];
      omega_rel[i] = omega[i] - E_L[i];
    }
    for (auto* x : {&th1, &th2, &thv, &dthv, &i_ex, &i_in, &i0}) x->assign(n, 0.0);
    for (auto* x : {&P11, &P22, &P33, &P44, &P55, &P66, &P77, &P30, &P31, &P32, &P60, &P61, &P62,
                    &P63, &P70, &P71, &P72, &P73, &P76})
      x->resize(n);
    r.assign(n, 0);
    ref_counts.resize(n);
  }
  void prepare(double h) override {
    for (size_t i = 0; i < n; ++i) {
      const double c = C_m[i], be = beta[i], tm = tau_m[i], tE = tau_syn_ex[i],
                   tI = tau_syn_in[i], tV = tau_v[i];
      const double eE = std::exp(-h / tE), eI = std::exp(-h / tI), em = std::exp(-h / tm);
      const double e1 = std::exp(-h / tau_1[i]), e2 = std::exp(-h / tau_2[i]);
      const double eV = std::exp(-h / tV);
      P11[i] = eE;
      P22[i] = eI;
      P33[i] = em;
      P44[i] = e1;
      P55[i] = e2;
      P66[i] = eV;
      P77[i] = eV;
      P30[i] = (tm - em * tm) / c;
      P31[i] = ((eE - em) * tE * tm) / (c * (tE - tm));
      P32[i] = ((eI - em) * tI * tm) / (c * (tI - tm));
      P60[i] = (be * (em - eV) * tm * tV) / (c * (tm - tV));
      // the synaptic terms of the derivative of V_th_v (same form for ex and in)
      auto p6s = [&](double ts, double es) {
        return (be * ts * tm * tV * (eV * (-ts + tm) + em * (ts - tV) + es * (-tm + tV))) /
               (c * (ts - tm) * (ts - tV) * (tm - tV));
      };
      P61[i] = p6s(tE, eE);
      P62[i] = p6s(tI, eI);
      P63[i] = (be * (-em + eV) * tV) / (tm - tV);
      P70[i] = (be * tm * tV * (em * tm * tV - eV * (h * (tm - tV) + tm * tV))) /
               (c * std::pow(tm - tV, 2));
      auto p7s = [&](double ts, double es) {
        return (be * ts * tm * tV *
                ((em * tm * std::pow(ts - tV, 2) - es * ts * std::pow(tm - tV, 2)) * tV -
                 eV * (ts - tm) * (h * (ts - tV) * (tm - tV) + ts * tm * tV - std::pow(tV, 3)))) /
               (c * (ts - tm) * std::pow(ts - tV, 2) * std::pow(tm - tV, 2));
      };
      P71[i] = p7s(tE, eE);
      P72[i] = p7s(tI, eI);
      P73[i] = (be * tV * (-(em * tm * tV) + eV * (h * (tm - tV) + tm * tV))) /
               std::pow(tm - tV, 2);
      P76[i] = eV * h;
      ref_counts[i] = steps(t_ref[i], h);
    }
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      const double drive = I_e[i] + i0[i];
      thv[i] = drive * P70[i] + i_ex[i] * P71[i] + i_in[i] * P72[i] + v[i] * P73[i] +
               dthv[i] * P76[i] + thv[i] * P77[i];
      dthv[i] = drive * P60[i] + i_ex[i] * P61[i] + i_in[i] * P62[i] + v[i] * P63[i] +
                dthv[i] * P66[i];
      v[i] = drive * P30[i] + i_ex[i] * P31[i] + i_in[i] * P32[i] + v[i] * P33[i];
      th1[i] *= P44[i];
      th2[i] *= P55[i];
      i_ex[i] *= P11[i];
      i_in[i] *= P22[i];
      i_ex[i] += ex[i];
      i_in[i] += in[i];
      if (r[i] == 0) {
        if (v[i] >= omega_rel[i] + th2[i] + th1[i] + thv[i]) {
          r[i] = ref_counts[i];
          th1[i] += alpha_1[i];
          th2[i] += alpha_2[i];
          emit(ctx, i);
        }
      } else {
        --r[i];
      }
      i0[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(
    amat2_psc_exp,
    Define<Amat2PscExp>("amat2_psc_exp")
        .param("C_m", &Amat2PscExp::C_m)
        .param("E_L", &Amat2PscExp::E_L)
        .param("I_e", &Amat2PscExp::I_e)
        .param("V_m", &Amat2PscExp::V_m)
        .param("alpha_1", &Amat2PscExp::alpha_1)
        .param("alpha_2", &Amat2PscExp::alpha_2)
        .param("beta", &Amat2PscExp::beta)
        .param("omega", &Amat2PscExp::omega)
        .param("t_ref", &Amat2PscExp::t_ref)
        .param("tau_1", &Amat2PscExp::tau_1)
        .param("tau_2", &Amat2PscExp::tau_2)
        .param("tau_m", &Amat2PscExp::tau_m)
        .param("tau_syn_ex", &Amat2PscExp::tau_syn_ex)
        .param("tau_syn_in", &Amat2PscExp::tau_syn_in)
        .param("tau_v", &Amat2PscExp::tau_v)
        .check("C_m", ">", 0.0)
        .check("tau_m", ">", 0.0)
        .check("tau_syn_ex", ">", 0.0)
        .check("tau_syn_in", ">", 0.0)
        .check("tau_1", ">", 0.0)
        .check("tau_2", ">", 0.0)
        .check("tau_v", ">", 0.0)
        .check("t_ref", ">", 0.0)
        .check("t_ref", ">=", "resolution")
        .check("tau_m", "!=", "tau_syn_ex")
        .check("tau_m", "!=", "tau_syn_in")
        .check("tau_m", "!=", "tau_v")
        .check("tau_v", "!=", "tau_syn_ex")
        .check("tau_v", "!=", "tau_syn_in")
        .record("I_syn_ex", [](const Amat2PscExp& m, size_t i) { return m.i_ex[i]; })
        .record("I_syn_in", [](const Amat2PscExp& m, size_t i) { return m.i_in[i]; })
        .record("V_m", [](const Amat2PscExp& m, size_t i) { return m.v[i] + m.E_L[i]; })
        .record("V_th", [](const Amat2PscExp& m, size_t i) {
          return m.E_L[i] + m.omega_rel[i] + m.th1[i] + m.th2[i] + m.thv[i];
        })
        .record("V_th_v", [](const Amat2PscExp& m, size_t i) { return m.thv[i]; }));

}  // namespace sd
