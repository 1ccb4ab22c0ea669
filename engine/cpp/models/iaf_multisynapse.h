// Shared by iaf_psc_exp_multisynapse and iaf_psc_alpha_multisynapse: the membrane of the
// iaf_psc_* models with one synaptic current per receptor port. `tau_syn` is one list for the
// node; its length is the number of receptors (ports 1..n, Routing::kReceptors).
//
// NEST names the current of receptor k "I_syn_k" and grows its recordables with tau_syn; a
// model definition here has a fixed list of recordables, so I_syn_1 .. I_syn_<kMaxRecorded>
// are declared and a population records those of its own receptors (asking for another is an
// error naming the receptor count). I_syn, the sum over all receptors, is always recordable.
#pragma once
#include <string>
#include <utility>

#include "exact_integration.h"

namespace sd {

constexpr size_t kMaxRecordedReceptors = 8;

struct IafMultisynapse : IafMembrane {
  std::vector<double> tau_syn;  // one per receptor, the same for every neuron of the node
  size_t receptors = 0;

  void init() override {
    IafMembrane::init();
    receptors = tau_syn.size();
  }
  void prepare(double h) override {
    IafMembrane::prepare(h);
    // NEST's form of P30 for the multisynapse models
    for (size_t i = 0; i < n; ++i) P30[i] = tau_m[i] / C_m[i] * (1.0 - P33[i]);
  }
  size_t ports() const override { return receptors; }

  std::string unrecordable(const std::string& name) const override {
    if (name.rfind("I_syn_", 0) != 0) return {};
    const size_t k = std::stoul(name.substr(6));
    if (k >= 1 && k <= receptors) return {};
    return "the node has " + std::to_string(receptors) + " receptors (tau_syn)";
  }

};

// V_m, I_syn (the sum) and I_syn_1 .. I_syn_kMaxRecordedReceptors; M::current(i, k) is the
// current of receptor k (0-based) of neuron i.
template <class M, size_t... K>
Define<M>& record_receptor_currents(Define<M>& d, std::index_sequence<K...>) {
  d.record("I_syn", [](const M& m, size_t i) {
    double sum = 0.0;
    for (size_t k = 0; k < m.receptors; ++k) sum += m.current(i, k);
    return sum;
  });
  static const std::string names[] = {("I_syn_" + std::to_string(K + 1))...};
  (d.record(names[K].c_str(),
            [](const M& m, size_t i) { return K < m.receptors ? m.current(i, K) : NAN; }),
   ...);
  return d.record("V_m", [](const M& m, size_t i) { return IafMembrane::v_m(m, i); });
}

template <class M>
Define<M> define_multisynapse(const char* name, bool has_v_min) {
  Define<M> d = define_iaf_membrane<M>(name, has_v_min);
  d.list("tau_syn", &M::tau_syn).check("tau_syn", ">", 0.0).receptor_ports("tau_syn");
  return record_receptor_currents(d, std::make_index_sequence<kMaxRecordedReceptors>{});
}

}  // namespace sd
