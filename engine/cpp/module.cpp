// The one PYBIND11_MODULE of the engine; each area registers itself from its own bind_*.cpp.
#include <pybind11/pybind11.h>

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "spikedesk's C++/OpenMP point-neuron simulator";
  m.attr("version") = "0.1.0";
}
