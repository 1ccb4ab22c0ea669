// Python bindings of the kernel: build a network, run it with the GIL released, fetch events.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "network.h"

namespace py = pybind11;
using sd::Network;
using sd::Parameter;
using sd::RandomSpec;
using sd::RuleSpec;

namespace {

// A random parameter in its first form, {"kind": "uniform", "a": ..., "b": ..., "low", "high",
// "redraw"}: today's random objects, kept for callers of the engine API.
RandomSpec to_random_spec(const py::dict& d) {
  RandomSpec s;
  const auto kind = d["kind"].cast<std::string>();
  if (kind == "uniform") s.kind = RandomSpec::kUniform;
  else if (kind == "normal") s.kind = RandomSpec::kNormal;
  else if (kind == "lognormal") s.kind = RandomSpec::kLognormal;
  else if (kind == "exponential") s.kind = RandomSpec::kExponential;
  else if (kind == "constant") s.kind = RandomSpec::kConstant;
  else throw std::invalid_argument("unknown distribution " + kind);
  s.a = d.contains("a") ? d["a"].cast<double>() : 0.0;
  s.b = d.contains("b") ? d["b"].cast<double>() : 0.0;
  if (d.contains("low") && !d["low"].is_none()) s.low = d["low"].cast<double>();
  if (d.contains("high") && !d["high"].is_none()) s.high = d["high"].cast<double>();
  s.redraw = d.contains("redraw") && d["redraw"].cast<bool>();
  return s;
}

// One node of an expression program [op, [numbers], child, ...] (project_files/parameters
// program()), children first; returns the node's index.
int add_program(Parameter& p, const py::handle& node, int depth) {
  if (depth > 200) throw std::invalid_argument("parameter expression nested too deeply");
  const auto items = node.cast<py::sequence>();
  if (items.size() < 2) throw std::invalid_argument("a parameter node is [op, [numbers], ...]");
  std::vector<int> children;
  for (size_t i = 2; i < items.size(); ++i) children.push_back(add_program(p, items[i], depth + 1));
  return p.add(items[0].cast<std::string>(), items[1].cast<std::vector<double>>(), children);
}

// A parameter from Python: a number, an expression program (a list), or a random object
// in its first form (a dict).
Parameter to_spec(const py::object& value) {
  if (py::isinstance<py::dict>(value)) return Parameter(to_random_spec(value.cast<py::dict>()));
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    Parameter p = Parameter::empty_tree();
    add_program(p, value, 0);
    return p;
  }
  return Parameter(value.cast<double>());
}

// NEST's mask dictionary: {"circular": {"radius": 0.5}, "anchor": [0.1, 0.0]}; list-valued
// keys (lower_left, upper_right) become key_0, key_1, ...
sd::Mask to_mask(const py::dict& mask) {
  std::string kind;
  std::map<std::string, double> numbers;
  std::vector<double> anchor;
  for (auto [key, value] : mask) {
    const std::string name = key.cast<std::string>();
    if (name == "anchor") {
      anchor = value.cast<std::vector<double>>();
      continue;
    }
    if (!kind.empty()) throw std::invalid_argument("mask: give one mask kind, not " + kind + " and " + name);
    kind = name;
    for (auto [k, v] : value.cast<py::dict>()) {
      const std::string arg = k.cast<std::string>();
      if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
        auto xs = v.cast<std::vector<double>>();
        for (size_t i = 0; i < xs.size(); ++i) numbers[arg + "_" + std::to_string(i)] = xs[i];
      } else {
        numbers[arg] = v.cast<double>();
      }
    }
  }
  if (kind.empty()) throw std::invalid_argument("mask: no mask kind given");
  return sd::Mask(kind, numbers, anchor);
}

template <class T>
py::array_t<T> to_array(std::vector<T>&& v) {
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(heap->size(), heap->data(), owner);
}

}  // namespace

// A spatial rule around one driver neuron, for the inspector's preview: which of `others`
// lie in the mask centred on `driver` (displacements other - driver in `layer`), and the
// pair parameter p for each (the driver is the target, the others sources; with
// driver_is_source, as for use_on_source and fixed_outdegree, the reverse).
py::dict spatial_preview(const py::object& mask, const py::object& p,
                         py::array_t<double, py::array::c_style | py::array::forcecast> others,
                         std::vector<double> driver, std::vector<double> extent, bool periodic,
                         bool driver_is_source, uint64_t seed) {
  if (others.ndim() != 2) throw std::invalid_argument("spatial: positions must be (n, dims)");
  const int dims = int(others.shape(1));
  const size_t n = size_t(others.shape(0));
  if (int(driver.size()) != dims || int(extent.size()) != dims)
    throw std::invalid_argument("spatial: the driver and the extent need one number per dimension");
  sd::Layer layer;
  layer.dims = dims;
  layer.periodic = periodic;
  for (int d = 0; d < dims; ++d) layer.extent[d] = extent[size_t(d)];
  const sd::Mask m = mask.is_none() ? sd::Mask() : to_mask(mask.cast<py::dict>());
  if (m.active() && m.dims() != dims)
    throw std::invalid_argument("mask: a " + std::to_string(m.dims()) + "D mask on a " +
                                std::to_string(dims) + "D layer");
  const Parameter kernel = to_spec(p);
  std::vector<double> inside(n), value(n);
  const double* pos = others.data();
  for (size_t i = 0; i < n; ++i) {
    double d[3];
    for (int q = 0; q < dims; ++q) d[q] = pos[i * size_t(dims) + size_t(q)] - driver[size_t(q)];
    inside[i] = !m.active() || m.contains(d, layer) ? 1.0 : 0.0;
    sd::Where w;
    w.source = driver_is_source ? driver.data() : pos + i * size_t(dims);
    w.target = driver_is_source ? pos + i * size_t(dims) : driver.data();
    w.dims = dims;
    w.extent = layer.extent;
    w.periodic = periodic;
    sd::Stream st(seed, sd::kConnect, i, 0);
    value[i] = kernel.value(st, w);
  }
  py::dict out;
  out["inside"] = to_array(std::move(inside));
  out["p"] = to_array(std::move(value));
  return out;
}

void register_network(py::module_& m) {
  m.def("spatial_preview", &spatial_preview, py::arg("mask"), py::arg("p"), py::arg("others"),
        py::arg("driver"), py::arg("extent"), py::arg("edge_wrap") = false,
        py::arg("driver_is_source") = false, py::arg("seed") = 1,
        "A spatial rule around one driver: {inside: 1/0 per candidate, p: its value}.");
  py::class_<Network>(m, "Network")
      .def(py::init<double, uint64_t, int, int, int>(), py::arg("resolution"), py::arg("seed"),
           py::arg("threads") = 1, py::arg("rank") = 0, py::arg("n_ranks") = 1)
      .def("add_node", &Network::add_node, py::arg("model"), py::arg("size"), py::arg("params"),
           py::arg("each") = std::vector<sd::Params>{})
      .def("set_record_from", &Network::set_record_from)
      .def(
          "set_layer",
          [](Network& net, size_t node,
             py::array_t<double, py::array::c_style | py::array::forcecast> positions,
             std::vector<double> extent, bool periodic) {
            if (positions.ndim() != 2)
              throw std::invalid_argument("spatial: positions must be an (n, dims) array");
            std::vector<double> flat(positions.data(), positions.data() + positions.size());
            net.set_layer(node, flat, int(positions.shape(1)), extent, periodic);
          },
          py::arg("node"), py::arg("positions"), py::arg("extent"), py::arg("edge_wrap") = false)
      .def(
          "set_wfr",
          [](Network& net, bool use, double comm_interval, double tol, long max_iterations,
             long order) {
            Network::Wfr w;
            w.use = use;
            w.comm_interval = comm_interval;
            w.tol = tol;
            w.max_iterations = max_iterations;
            w.order = order;
            net.set_wfr(w);
          },
          py::arg("use_wfr") = true, py::arg("wfr_comm_interval") = 1.0, py::arg("wfr_tol") = 1e-4,
          py::arg("wfr_max_iterations") = 15, py::arg("wfr_interpolation_order") = 3)
      .def(
          "connect",
          [](Network& net, size_t source, size_t target, const py::dict& rule,
             const py::object& weight, const py::object& delay, uint32_t index,
             std::vector<uint64_t> source_indices, std::vector<uint64_t> target_indices,
             long receptor, const std::string& synapse, const py::dict& synapse_params) {
            sd::Params sp;
            for (auto [name, value] : synapse_params)
              sp[name.cast<std::string>()] = {value.cast<double>()};
            RuleSpec r;
            r.rule = rule["rule"].cast<std::string>();
            if (rule.contains("indegree")) r.indegree = rule["indegree"].cast<long long>();
            if (rule.contains("outdegree")) r.outdegree = rule["outdegree"].cast<long long>();
            if (rule.contains("N")) r.total = rule["N"].cast<long long>();
            if (rule.contains("p")) {
              r.p = to_spec(rule["p"]);
              r.has_kernel = r.rule == "fixed_indegree" || r.rule == "fixed_outdegree";
            }
            if (rule.contains("mask")) r.mask = to_mask(rule["mask"].cast<py::dict>());
            if (rule.contains("use_on_source")) r.use_on_source = rule["use_on_source"].cast<bool>();
            if (rule.contains("allow_autapses")) r.allow_autapses = rule["allow_autapses"].cast<bool>();
            if (rule.contains("allow_multapses"))
              r.allow_multapses = rule["allow_multapses"].cast<bool>();
            const Parameter w = to_spec(weight), d = to_spec(delay);
            py::gil_scoped_release release;
            net.connect(source, target, r, w, d, index, source_indices, target_indices, receptor,
                        synapse, sp);
          },
          py::arg("source"), py::arg("target"), py::arg("rule"), py::arg("weight"),
          py::arg("delay"), py::arg("index"), py::arg("source_indices") = std::vector<uint64_t>{},
          py::arg("target_indices") = std::vector<uint64_t>{}, py::arg("receptor") = 0,
          py::arg("synapse") = "static_synapse", py::arg("synapse_params") = py::dict())
      .def("build", &Network::build, py::call_guard<py::gil_scoped_release>())
      .def("connections",
           [](Network& net, uint32_t index) {
             Network::Table t;
             {
               py::gil_scoped_release release;
               t = net.connections(index);
             }
             py::dict out;
             out["sources"] = to_array(std::move(t.sources));
             out["targets"] = to_array(std::move(t.targets));
             out["weights"] = to_array(std::move(t.weights));
             out["delays"] = to_array(std::move(t.delays));
             return out;
           })
      .def("run", &Network::run, py::arg("steps"), py::call_guard<py::gil_scoped_release>())
      .def("prepare", &Network::prepare, py::arg("total_steps"), py::arg("min_delay") = 0,
           py::arg("max_delay") = 0, py::call_guard<py::gil_scoped_release>())
      .def("run_slice",
           [](Network& net) {
             std::vector<int64_t> gids, lags;
             std::vector<double> offsets;
             {
               py::gil_scoped_release release;
               net.run_slice(gids, lags, offsets);
             }
             return py::make_tuple(to_array(std::move(gids)), to_array(std::move(lags)),
                                   to_array(std::move(offsets)));
           })
      .def(
          "deliver",
          [](Network& net, py::array_t<int64_t, py::array::c_style | py::array::forcecast> gids,
             py::array_t<int64_t, py::array::c_style | py::array::forcecast> lags,
             std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>> offsets) {
            std::vector<int64_t> g(gids.data(), gids.data() + gids.size());
            std::vector<int64_t> l(lags.data(), lags.data() + lags.size());
            std::vector<double> o;
            if (offsets) o.assign(offsets->data(), offsets->data() + offsets->size());
            py::gil_scoped_release release;
            net.deliver(g, l, o);
          },
          py::arg("gids"), py::arg("lags"), py::arg("offsets") = py::none())
      .def("local_gids", [](const Network& net) { return to_array(net.local_gids()); })
      .def("local_delay_extrema", &Network::local_delay_extrema)
      .def_property_readonly("remaining", &Network::remaining)
      .def_property_readonly("max_delay", &Network::max_delay)
      .def("first_gid", &Network::first_gid)
      .def("synapse_count", &Network::synapse_count)
      .def_property_readonly("now", &Network::now)
      .def_property_readonly("min_delay", &Network::min_delay)
      .def(
          "draw",
          [](const Network& net, const py::object& spec, uint32_t key, uint64_t first_gid,
             size_t n, std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>>
                           positions) {
            std::vector<double> flat;
            int dims = 0;
            if (positions && positions->size() > 0) {
              if (positions->ndim() != 2)
                throw std::invalid_argument("draw: positions must be an (n, dims) array");
              flat.assign(positions->data(), positions->data() + positions->size());
              dims = int(positions->shape(1));
            }
            return to_array(net.draw(to_spec(spec), key, first_gid, n, flat, dims));
          },
          py::arg("spec"), py::arg("key"), py::arg("first_gid"), py::arg("size"),
          py::arg("positions") = py::none())
      .def("take_events", [](Network& net, size_t node) {
        Network::Events ev;
        {
          py::gil_scoped_release release;
          ev = net.take_events(node);
        }
        py::dict out;
        if (ev.state) {  // detectors: NEST's status values with their shapes
          for (size_t i = 0; i < ev.names.size(); ++i) {
            py::array a = to_array(std::move(ev.values[i]))
                              .reshape(std::vector<py::ssize_t>(ev.shapes[i].begin(),
                                                                ev.shapes[i].end()));
            out[py::str(ev.names[i])] = ev.integer[i] ? a.attr("astype")("int64") : a;
          }
          return out;
        }
        out["senders"] = to_array(std::move(ev.senders));
        if (ev.weights) out["targets"] = to_array(std::move(ev.targets));
        out["times"] = to_array(std::move(ev.times));
        for (size_t i = 0; i < ev.names.size(); ++i)
          out[py::str(ev.names[i])] = to_array(std::move(ev.values[i]));
        return out;
      });
}
