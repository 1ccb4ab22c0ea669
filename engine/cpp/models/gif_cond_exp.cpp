// gif_cond_exp: generalized integrate-and-fire with escape noise, spike-frequency adaptation
// and spike-triggered currents (gif.h), exponential conductances, integrated per neuron with
// NEST's rkf45 scheme (solvers/rkf45.h, absolute tolerance gsl_error_tol). Per step as NEST:
// adaptation sums, integrate V_m, g_ex, g_in over the step (V_m clamped to V_reset while
// refractory; I_stc of this step), add this step's spikes (nS; inhibitory weights are
// negative and add -w to g_in), then the escape-noise decision or the refractory hold.
#include "../solvers/rkf45.h"
#include "gif.h"

namespace sd {

struct GifCondExp : Gif {
  std::vector<double> tau_syn_ex, tau_syn_in, E_ex, E_in, gsl_error_tol, g_ex, g_in;
  std::vector<double> y;      // V_m, g_ex, g_in per neuron
  std::vector<double> h_int;  // the integrator's step size carried between steps (ms)

  void init() override {
    Gif::init();
    y.assign(3 * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      y[3 * i] = V_m[i];
      y[3 * i + 1] = g_ex[i];
      y[3 * i + 2] = g_in[i];
    }
    h_int.assign(n, 0.0);
  }
  void prepare(double step) override {
    Gif::prepare(step);
    for (size_t i = 0; i < n; ++i)
      if (h_int[i] == 0.0) h_int[i] = h;  // NEST starts from one resolution step
  }
  void step(size_t b, size_t e, size_t stride, const StepContext& ctx) override {
    const double* ex = ctx.input;
    const double* in = ctx.input + n;
    for (size_t i = b; i < e; i += stride) {
      adapt(i);
      double* s = &y[3 * i];
      const bool refr = r[i] > 0;
      const double c_m = C_m[i], e_l = E_L[i], e_ex = E_ex[i], e_in = E_in[i], gl = g_L[i];
      const double v_reset = V_reset[i], te = tau_syn_ex[i], ti = tau_syn_in[i];
      const double is = I_stim[i], ie = I_e[i], i_stc = stc[i];
      auto rhs = [&](const double* x, double* f) {
        const double V = refr ? v_reset : x[0];
        const double i_syn_ex = x[1] * (V - e_ex);
        const double i_syn_in = x[2] * (V - e_in);
        const double i_leak = gl * (V - e_l);
        f[0] = refr ? 0.0 : (-i_leak + is + ie - i_syn_ex - i_syn_in - i_stc) / c_m;
        f[1] = -x[1] / te;
        f[2] = -x[2] / ti;
      };
      Rkf45Evolve<3> solver;
      solver.eps_abs = gsl_error_tol[i];
      solver.integrate(rhs, h, h_int[i], s);
      s[1] += ex[i];
      s[2] += -in[i];
      if (fire_or_hold(i, s[0], ctx)) s[0] = v_reset;
      I_stim[i] = ctx.current[i];
    }
  }
};

SD_REGISTER_MODEL(gif_cond_exp,
                  define_gif<GifCondExp>("gif_cond_exp")
                      .param("E_ex", &GifCondExp::E_ex)
                      .param("E_in", &GifCondExp::E_in)
                      .param("g_ex", &GifCondExp::g_ex)
                      .param("g_in", &GifCondExp::g_in)
                      .param("gsl_error_tol", &GifCondExp::gsl_error_tol)
                      .check("gsl_error_tol", ">", 0.0)
                      .record("V_m", [](const GifCondExp& m, size_t i) { return m.y[3 * i]; })
                      .record("g_ex", [](const GifCondExp& m, size_t i) { return m.y[3 * i + 1]; })
                      .record("g_in",
                              [](const GifCondExp& m, size_t i) { return m.y[3 * i + 2]; }));

}  // namespace sd
