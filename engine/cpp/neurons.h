// Neuron populations: state as arrays (SoA), NEST's split into parameters, state, propagators
// (computed in prepare()) and input buffers (owned by the Network, indexed by neuron slot).
// Each model follows NEST's update order so that traces agree with NEST to rounding:
// integrate with the input of the previous step, then threshold, then read this step's input.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sd {

using Params = std::map<std::string, std::vector<double>>;

struct Spike {
  uint64_t gid;
  uint32_t lag;
  uint32_t multiplicity;
  bool operator<(const Spike& o) const { return lag != o.lag ? lag < o.lag : gid < o.gid; }
};

// Input summed into each neuron for one step: excitatory and inhibitory spike weights and current.
struct StepInput {
  double* ex;
  double* in;
  double* current;
};

class Population {
 public:
  Population(std::string model, uint64_t first_gid, size_t n, size_t offset)
      : model(std::move(model)), first_gid(first_gid), n(n), offset(offset) {}
  virtual ~Population() = default;
  virtual void prepare(double h) = 0;
  // Advance neurons b, b + stride, ... < e through one step (stride > 1 when MPI ranks share a
  // population: each rank updates only its own neurons); inputs point at this step's slot.
  virtual void step(size_t b, size_t e, size_t stride, const StepInput& input, uint32_t lag,
                    std::vector<Spike>& spikes) = 0;
  virtual std::vector<std::string> recordables() const { return {}; }
  virtual double value(const std::string& name, size_t i) const = 0;
  virtual bool forces_unit_weight() const { return false; }

  const std::string model;
  const uint64_t first_gid;
  const size_t n;
  const size_t offset;  // first neuron slot in the network's input buffers

 protected:
  static std::vector<double> take(const Params& p, const char* name, size_t n) {
    auto it = p.find(name);
    if (it == p.end()) throw std::invalid_argument(std::string("missing parameter ") + name);
    if (it->second.size() != n)
      throw std::invalid_argument(std::string("parameter ") + name + " needs one value per neuron");
    return it->second;
  }
  static long steps(double ms, double h) { return long(std::llround(ms / h)); }
};

// Propagators of exact integration (Rotter & Diesmann 1999) for a membrane driven by an
// exponential (P32) or alpha-shaped (P31, P32) synaptic current; near tau_m == tau_syn the
// closed form loses precision, so the singular limit is used as NEST does.
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

// Fields shared by the iaf_psc_* models; voltages are stored relative to E_L as in NEST.
class IafBase : public Population {
 public:
  IafBase(std::string model, uint64_t first_gid, size_t n, size_t offset, const Params& p,
          bool has_v_min)
      : Population(std::move(model), first_gid, n, offset),
        C_m(take(p, "C_m", n)),
        E_L(take(p, "E_L", n)),
        I_e(take(p, "I_e", n)),
        tau_m(take(p, "tau_m", n)),
        t_ref(take(p, "t_ref", n)),
        theta(take(p, "V_th", n)),
        v_reset(take(p, "V_reset", n)),
        v_min(has_v_min ? take(p, "V_min", n) : std::vector<double>(n, -INFINITY)),
        y3(take(p, "V_m", n)),
        y0(n, 0.0),
        refractory(n, 0),
        P33(n),
        P30(n),
        ref_counts(n) {
    for (size_t i = 0; i < n; ++i) {
      theta[i] -= E_L[i];
      v_reset[i] -= E_L[i];
      v_min[i] -= E_L[i];
      y3[i] -= E_L[i];
    }
  }
  void prepare(double h) override {
    for (size_t i = 0; i < n; ++i) {
      P33[i] = std::exp(-h / tau_m[i]);
      P30[i] = -tau_m[i] / C_m[i] * std::expm1(-h / tau_m[i]);
      ref_counts[i] = steps(t_ref[i], h);
    }
  }
  double value(const std::string& name, size_t i) const override {
    if (name == "V_m") return y3[i] + E_L[i];
    throw std::invalid_argument(model + " cannot record " + name);
  }

 protected:
  std::vector<double> C_m, E_L, I_e, tau_m, t_ref, theta, v_reset, v_min, y3, y0;
  std::vector<long> refractory;
  std::vector<double> P33, P30;
  std::vector<long> ref_counts;
};

class IafPscDelta : public IafBase {
 public:
  IafPscDelta(uint64_t first_gid, size_t n, size_t offset, const Params& p)
      : IafBase("iaf_psc_delta", first_gid, n, offset, p, true),
        refractory_input(take(p, "refractory_input", n)),
        refr_spikes(n, 0.0) {}
  void prepare(double h) override {
    IafBase::prepare(h);
    h_ = h;
  }
  std::vector<std::string> recordables() const override { return {"V_m"}; }
  void step(size_t b, size_t e, size_t stride, const StepInput& in, uint32_t lag,
            std::vector<Spike>& spikes) override {
    for (size_t i = b; i < e; i += stride) {
      const size_t k = offset + i;
      const double psp = in.ex[k] + in.in[k];
      if (refractory[i] == 0) {
        y3[i] = P30[i] * (y0[i] + I_e[i]) + P33[i] * y3[i] + psp;
        if (refractory_input[i] != 0.0) {
          y3[i] += refr_spikes[i];
          refr_spikes[i] = 0.0;
        }
        y3[i] = y3[i] < v_min[i] ? v_min[i] : y3[i];
      } else {
        if (refractory_input[i] != 0.0)
          refr_spikes[i] += psp * std::exp(-double(refractory[i]) * h_ / tau_m[i]);
        --refractory[i];
      }
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        spikes.push_back({first_gid + i, lag, 1});
      }
      y0[i] = in.current[k];
    }
  }

 private:
  std::vector<double> refractory_input, refr_spikes;
  double h_ = 0.1;
};

class IafPscExp : public IafBase {
 public:
  IafPscExp(uint64_t first_gid, size_t n, size_t offset, const Params& p)
      : IafBase("iaf_psc_exp", first_gid, n, offset, p, false),
        tau_ex(take(p, "tau_syn_ex", n)),
        tau_in(take(p, "tau_syn_in", n)),
        i_ex(n, 0.0),
        i_in(n, 0.0),
        P11ex(n),
        P11in(n),
        P21ex(n),
        P21in(n) {}
  void prepare(double h) override {
    IafBase::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      P11ex[i] = std::exp(-h / tau_ex[i]);
      P11in[i] = std::exp(-h / tau_in[i]);
      P21ex[i] = Propagators::p32(tau_ex[i], tau_m[i], C_m[i], h);
      P21in[i] = Propagators::p32(tau_in[i], tau_m[i], C_m[i], h);
    }
  }
  std::vector<std::string> recordables() const override { return {"I_syn_ex", "I_syn_in", "V_m"}; }
  double value(const std::string& name, size_t i) const override {
    if (name == "I_syn_ex") return i_ex[i];
    if (name == "I_syn_in") return i_in[i];
    return IafBase::value(name, i);
  }
  void step(size_t b, size_t e, size_t stride, const StepInput& in, uint32_t lag,
            std::vector<Spike>& spikes) override {
    for (size_t i = b; i < e; i += stride) {
      const size_t k = offset + i;
      if (refractory[i] == 0)
        y3[i] = y3[i] * P33[i] + i_ex[i] * P21ex[i] + i_in[i] * P21in[i] + (I_e[i] + y0[i]) * P30[i];
      else
        --refractory[i];
      i_ex[i] = i_ex[i] * P11ex[i] + in.ex[k];
      i_in[i] = i_in[i] * P11in[i] + in.in[k];
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        spikes.push_back({first_gid + i, lag, 1});
      }
      y0[i] = in.current[k];
    }
  }

 private:
  std::vector<double> tau_ex, tau_in, i_ex, i_in, P11ex, P11in, P21ex, P21in;
};

class IafPscAlpha : public IafBase {
 public:
  IafPscAlpha(uint64_t first_gid, size_t n, size_t offset, const Params& p)
      : IafBase("iaf_psc_alpha", first_gid, n, offset, p, true),
        tau_ex(take(p, "tau_syn_ex", n)),
        tau_in(take(p, "tau_syn_in", n)),
        dI_ex(n, 0.0),
        I_ex(n, 0.0),
        dI_in(n, 0.0),
        I_in(n, 0.0),
        P11ex(n), P21ex(n), P31ex(n), P32ex(n), P11in(n), P21in(n), P31in(n), P32in(n), expm1_tau_m(n) {}
  void prepare(double h) override {
    IafBase::prepare(h);
    for (size_t i = 0; i < n; ++i) {
      P11ex[i] = std::exp(-h / tau_ex[i]);
      P11in[i] = std::exp(-h / tau_in[i]);
      P21ex[i] = h * P11ex[i];
      P21in[i] = h * P11in[i];
      P31ex[i] = Propagators::p31(tau_ex[i], tau_m[i], C_m[i], h);
      P32ex[i] = Propagators::p32(tau_ex[i], tau_m[i], C_m[i], h);
      P31in[i] = Propagators::p31(tau_in[i], tau_m[i], C_m[i], h);
      P32in[i] = Propagators::p32(tau_in[i], tau_m[i], C_m[i], h);
      expm1_tau_m[i] = std::expm1(-h / tau_m[i]);
    }
  }
  std::vector<std::string> recordables() const override { return {"I_syn_ex", "I_syn_in", "V_m"}; }
  double value(const std::string& name, size_t i) const override {
    if (name == "I_syn_ex") return I_ex[i];
    if (name == "I_syn_in") return I_in[i];
    return IafBase::value(name, i);
  }
  void step(size_t b, size_t e, size_t stride, const StepInput& in, uint32_t lag,
            std::vector<Spike>& spikes) override {
    for (size_t i = b; i < e; i += stride) {
      const size_t k = offset + i;
      if (refractory[i] == 0) {
        y3[i] = P30[i] * (y0[i] + I_e[i]) + P31ex[i] * dI_ex[i] + P32ex[i] * I_ex[i] +
                P31in[i] * dI_in[i] + P32in[i] * I_in[i] + expm1_tau_m[i] * y3[i] + y3[i];
        y3[i] = y3[i] < v_min[i] ? v_min[i] : y3[i];
      } else {
        --refractory[i];
      }
      I_ex[i] = P21ex[i] * dI_ex[i] + P11ex[i] * I_ex[i];
      dI_ex[i] = P11ex[i] * dI_ex[i] + M_E / tau_ex[i] * in.ex[k];
      I_in[i] = P21in[i] * dI_in[i] + P11in[i] * I_in[i];
      dI_in[i] = P11in[i] * dI_in[i] + M_E / tau_in[i] * in.in[k];
      if (y3[i] >= theta[i]) {
        refractory[i] = ref_counts[i];
        y3[i] = v_reset[i];
        spikes.push_back({first_gid + i, lag, 1});
      }
      y0[i] = in.current[k];
    }
  }

 private:
  std::vector<double> tau_ex, tau_in, dI_ex, I_ex, dI_in, I_in;
  std::vector<double> P11ex, P21ex, P31ex, P32ex, P11in, P21in, P31in, P32in, expm1_tau_m;
};

// Repeats every spike it receives in the step it arrives; weights onto it count spikes.
class ParrotNeuron : public Population {
 public:
  ParrotNeuron(uint64_t first_gid, size_t n, size_t offset)
      : Population("parrot_neuron", first_gid, n, offset) {}
  void prepare(double) override {}
  bool forces_unit_weight() const override { return true; }
  double value(const std::string& name, size_t) const override {
    throw std::invalid_argument("parrot_neuron cannot record " + name);
  }
  void step(size_t b, size_t e, size_t stride, const StepInput& in, uint32_t lag,
            std::vector<Spike>& spikes) override {
    for (size_t i = b; i < e; i += stride) {
      const long count = std::lround(in.ex[offset + i]);
      if (count > 0) spikes.push_back({first_gid + i, lag, uint32_t(count)});
    }
  }
};

}  // namespace sd
