// What clopath_synapse reads from its target: NEST's ClopathArchivingNode, the part of
// aeif_psc_delta_clopath and hh_psc_alpha_clopath that records, step by step, what the
// voltage-based STDP rule of Clopath et al. (2010) needs (NEST's clopath_archiving_node.cpp):
//
// - u_bar_plus and u_bar_minus (low-pass filtered V_m, state variables of the neuron) pass
//   through a delay line of round(delay_u_bars / h) + 1 steps (written before it is read, so
//   the first steps read its initial zeros, as in NEST);
// - an LTP entry (t, A_LTP (V_m - theta_plus) (u_bar_plus_delayed - theta_minus) h) at the end
//   of every step with V_m > theta_plus and u_bar_plus_delayed > theta_minus; the synapse
//   weighs it with its presynaptic trace x_bar;
// - an LTD entry (t, A_LTD (u_bar_minus_delayed - theta_minus), times u_bar_bar^2 /
//   u_ref_squared unless A_LTD_const) at the end of every step with u_bar_minus_delayed >
//   theta_minus, into a ring of max_delay + 1 entries: the synapse looks up the entry written
//   at exactly t_spike - delay, and finds none (no depression) when that many later entries
//   have overwritten it (NEST's ring; it happens for spikes early in a slice with a delay near
//   the network's maximum).
//
// Entries are written only for neurons some plasticity reads (the spike archive's
// n_incoming, as NEST's n_incoming_); LTP entries every reader has read are pruned (NEST keeps
// at least one). The neuron's update writes them and clopath_synapse's send() reads them,
// both on the neuron's thread: no atomics.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "../model.h"
#include "../synapse.h"

namespace sd {

struct ClopathNeuron : Population {
  // NEST's ClopathArchivingNode parameters, one value per neuron (A_LTD_const: 0 or 1)
  std::vector<double> A_LTD, A_LTP, u_ref_squared, theta_plus, theta_minus, A_LTD_const,
      delay_u_bars;

  struct Entry {
    double t, dw;   // ms (the end of the step), the weight change before the synapse's factor
    uint32_t access;  // LTP: how many incoming synapses have read it
  };
  struct History {
    std::vector<Entry> ltp;  // live entries are [ltp_first, size())
    size_t ltp_first = 0;
    std::vector<Entry> ltd;  // ring of max_delay + 1 entries (empty: not written)
    size_t ltd_current = 0;
    std::vector<double> delayed_plus, delayed_minus;  // ring of the delay line
    size_t delayed_idx = 0;
  };
  std::vector<History> clopath;  // per neuron
  long tics_per_step = 100;      // NEST's tics (1 us) per step: times as NEST computes them
  double h_ms = 0.1;             // the resolution in ms, as NEST's Time::get_resolution()

  // Before the first step (prepare()): the delay lines, and the LTD rings of the neurons
  // some plasticity reads. Called once; later calls (a second run) keep the histories.
  void prepare_clopath(double h) {
    if (!clopath.empty()) return;
    tics_per_step = std::llround(h * 1000.0);
    h_ms = double(tics_per_step) * 0.001;
    clopath.resize(n);
    for (size_t i = 0; i < n; ++i) {
      History& c = clopath[i];
      const size_t len = size_t(std::llround(delay_u_bars[i] * (1.0 / h_ms))) + 1;
      c.delayed_plus.assign(len, 0.0);
      c.delayed_minus.assign(len, 0.0);
      if (incoming(i) > 0) c.ltd.assign(size_t(std::max(max_delay, 1L)) + 1, Entry{0.0, 0.0, 0});
    }
  }

  // At the end of step `step` of neuron i (time (step + 1) h), with the state after it.
  void write_clopath_history(size_t i, long step, double u, double u_bar_plus, double u_bar_minus,
                             double u_bar_bar) {
    History& c = clopath[i];
    const double t_ms = double((step + 1) * tics_per_step) * 0.001;
    c.delayed_plus[c.delayed_idx] = u_bar_plus;
    c.delayed_minus[c.delayed_idx] = u_bar_minus;
    c.delayed_idx = (c.delayed_idx + 1) % c.delayed_plus.size();
    const double del_u_bar_plus = c.delayed_plus[c.delayed_idx];
    const double del_u_bar_minus = c.delayed_minus[c.delayed_idx];
    const uint32_t readers = incoming(i);
    if (readers == 0) return;
    if (u > theta_plus[i] && del_u_bar_plus > theta_minus[i]) {
      while (c.ltp.size() - c.ltp_first > 1 && c.ltp[c.ltp_first].access >= readers) ++c.ltp_first;
      if (c.ltp_first > 64 && c.ltp_first * 2 > c.ltp.size()) {
        c.ltp.erase(c.ltp.begin(), c.ltp.begin() + long(c.ltp_first));
        c.ltp_first = 0;
      }
      const double dw = A_LTP[i] * (u - theta_plus[i]) * (del_u_bar_plus - theta_minus[i]) * h_ms;
      c.ltp.push_back({t_ms, dw, 0});
    }
    if (del_u_bar_minus > theta_minus[i]) {
      const double dw = A_LTD_const[i] != 0.0
                            ? A_LTD[i] * (del_u_bar_minus - theta_minus[i])
                            : A_LTD[i] * u_bar_bar * u_bar_bar * (del_u_bar_minus - theta_minus[i]) /
                                  u_ref_squared[i];
      c.ltd[c.ltd_current] = {t_ms, dw, 0};
      c.ltd_current = (c.ltd_current + 1) % c.ltd.size();
    }
  }

  // The LTP entries of neuron i with t1 < t <= t2 (NEST's get_LTP_history, with its 1e-6 ms
  // margin), marked as read.
  std::pair<const Entry*, const Entry*> LTP_history(size_t i, double t1, double t2) {
    History& c = clopath[i];
    Entry* b = c.ltp.data() + c.ltp_first;
    Entry* e = c.ltp.data() + c.ltp.size();
    Entry* start = std::partition_point(b, e, [t1](const Entry& x) { return x.t - 1.0e-6 < t1; });
    Entry* finish =
        std::partition_point(start, e, [t2](const Entry& x) { return x.t - 1.0e-6 < t2; });
    for (Entry* x = start; x != finish; ++x) ++x->access;
    return {start, finish};
  }

  // The LTD entry of neuron i written at t (within stdp_eps), 0 if there is none (any more).
  double LTD_value(size_t i, double t) const {
    const History& c = clopath[i];
    if (c.ltd.empty() || t < 0.0) return 0.0;
    const size_t len = c.ltd.size();
    for (size_t k = 1; k <= len; ++k) {  // newest first: times fall
      const Entry& x = c.ltd[(c.ltd_current + len - k) % len];
      if (std::fabs(t - x.t) < kStdpEps) return x.dw;
      if (x.t < t) break;
    }
    return 0.0;
  }

 private:
  uint32_t incoming(size_t i) const { return archive == nullptr ? 0 : archive[i].n_incoming; }
};

// The ClopathArchivingNode parameters of a model's definition (NEST's names and checks).
template <class M>
Define<M>& clopath_params(Define<M>& d) {
  return d.param("A_LTD", &M::A_LTD)
      .param("A_LTD_const", &M::A_LTD_const)
      .param("A_LTP", &M::A_LTP)
      .param("delay_u_bars", &M::delay_u_bars)
      .param("theta_minus", &M::theta_minus)
      .param("theta_plus", &M::theta_plus)
      .param("u_ref_squared", &M::u_ref_squared)
      .check("u_ref_squared", ">", 0.0)
      .check("delay_u_bars", ">=", 0.0);
}

}  // namespace sd
