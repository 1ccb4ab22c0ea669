// The one PYBIND11_MODULE of the engine; each area registers itself from its own bind_*.cpp.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void register_network(py::module_& m);
void register_models(py::module_& m);

PYBIND11_MODULE(_core, m) {
  m.doc() = "spikedesk's C++/OpenMP point-neuron simulator";
  m.attr("version") = "0.1.0";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::logic_error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  register_network(m);
  register_models(m);
}
