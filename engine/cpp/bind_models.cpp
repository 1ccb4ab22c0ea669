// _core.models(): the models, parameter names and recordables the C++ code implements.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "network.h"

namespace py = pybind11;

void register_models(py::module_& m) {
  m.def("models", [] {
    py::dict out;
    for (auto& [name, info] : sd::model_registry()) {
      py::dict d;
      d["kind"] = info.kind;
      d["params"] = info.params;
      d["recordables"] = info.recordables;
      out[py::str(name)] = d;
    }
    return out;
  });
}
