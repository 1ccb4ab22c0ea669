// _core.models(): every registered model with its parameters, constraints, recordables and
// input routing, read from the registry (model.h).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "model.h"

namespace py = pybind11;

void register_models(py::module_& m) {
  m.def("models", [] {
    py::dict out;
    for (auto& [name, def] : sd::Registry::instance().all()) {
      py::dict d;
      d["kind"] = def.kind;
      d["params"] = def.params;
      d["recordables"] = def.recordables;
      py::list constraints;
      for (const sd::Constraint& c : def.constraints) {
        py::object rhs = c.rhs_param.empty() ? py::object(py::float_(c.rhs_value))
                                             : py::object(py::str(c.rhs_param));
        constraints.append(py::make_tuple(c.param, c.op, rhs));
      }
      d["constraints"] = constraints;
      if (def.kind == "neuron") {
        d["routing"] = def.routing == sd::Routing::kSigned   ? "signed"
                       : def.routing == sd::Routing::kSingle ? "single"
                                                             : "receptors";
        d["precise"] = def.precise;  // takes spikes with their offsets (the *_ps models)
        d["ignored_receptors"] = def.ignored_receptors;  // receptors 1..n seen by STDP only
      }
      if (def.kind == "neuron") {
        py::dict receptors;
        for (size_t k = 0; k < def.receptors.size(); ++k)
          receptors[py::str(def.receptors[k])] = k + 1;
        d["receptors"] = receptors;
        d["receptor_ports"] = def.receptor_ports.empty() ? py::object(py::none())
                                                         : py::object(py::str(def.receptor_ports));
      }
      if (def.kind == "recorder")
        d["records"] = def.recorder == sd::RecorderKind::kSpikes    ? "spikes"
                       : def.recorder == sd::RecorderKind::kWeights ? "weights"
                                                                    : "samples";
      if (def.kind == "synapse") {
        py::dict defaults;
        for (size_t i = 0; i < def.params.size(); ++i)
          defaults[py::str(def.params[i])] = def.defaults[i];
        d["defaults"] = defaults;
        d["common"] = def.common;
        d["archive"] = def.archive;  // reads the postsynaptic spike archive (STDP)
      }
      out[py::str(name)] = d;
    }
    return out;
  });
}
