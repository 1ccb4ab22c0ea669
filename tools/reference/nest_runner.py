"""Run a spikedesk project dict on NEST 3.10 and return its recorders' events.

A tool for generating committed reference data only: spikedesk itself never imports NEST.
The project dict mirrors ``spikedesk.project_files.project`` field by field (the same
layout the validation tests turn into a ``Project``):

    {"name", "simulation": {duration, resolution, seed, threads},
     "nodes": [{"id", "model", "size", "params"}],
     "connections": [{"id", "source", "target", "rule": {"rule", "params"},
                      "synapse": {"model", "weight", "delay", "receptor_type"?}}]}

``receptor_type`` (int, optional) selects the target's receptor port (multisynapse models,
ht_neuron). List-valued model parameters (``LIST_PARAMS``: spike_times, tau_syn, q_sfa, ...)
are set on the whole node; a list of lists gives one list per neuron. Any other list is one
value per neuron.

Recorder wiring follows NEST: voltmeter/multimeter are connection *sources* (they are
connected to the neurons they sample), spike_recorder is a connection *target*.
Nodes are created in list order, so global ids are 1-based in node order as in NEST.

Format version 2 (issue 10) adds synapses with state:

- ``synapse.params``: the synapse model's parameters by NEST's names; ``weight_recorder`` and
  ``volume_transmitter`` name nodes of those models. NEST accepts its *common* parameters
  (``COMMON``: weight_recorder, volume_transmitter, the ``_hom`` parameters, and
  stdp_dopamine_synapse's c and n, which Connect refuses with threads > 1) only through
  CopyModel/SetDefaults, so every connection with synapse params gets its own copy
  ``<model>__<connection id>`` holding them; the rest go into the syn_spec.
- ``copy_models``: ``{name: {"model", "params"}}`` in order, each a NEST CopyModel; node
  copies are made before the nodes are created, synapse copies after (they may name
  weight_recorder / volume_transmitter nodes).
- weight_recorder nodes are recorders (no connections; their events are
  senders/targets/times/weights); a volume_transmitter is an ordinary connection target.
- ``connection_tables=True`` also returns, per connection between two neurons, NEST's
  final connection table (GetConnections after the run): sources, targets (gids, int64),
  weights, delays (ms), sorted by (source, target, delay, weight).
"""

from __future__ import annotations

import time
from typing import Any

RECORDERS = ("spike_recorder", "voltmeter", "multimeter", "weight_recorder")
WEIGHT_FIELDS = ("senders", "targets", "times", "weights")
# NEST's common synapse properties: CopyModel/SetDefaults only (found by comparing GetDefaults
# with a connection's GetStatus in NEST 3.10). c and n of stdp_dopamine_synapse are per
# connection but Connect refuses them with threads > 1 (stdp_dopamine_synapse.h).
COMMON = {
    "static_synapse_hom_w": ("weight",),
    "stdp_synapse_hom": ("tau_plus", "lambda", "alpha", "mu_plus", "mu_minus", "Wmax"),
    "stdp_pl_synapse_hom": ("tau_plus", "lambda", "alpha", "mu"),
    "stdp_dopamine_synapse": (
        "volume_transmitter",
        "A_plus",
        "A_minus",
        "tau_plus",
        "tau_c",
        "tau_n",
        "b",
        "Wmin",
        "Wmax",
        "c",
        "n",
    ),
    "tsodyks_synapse_hom": ("tau_psc", "tau_fac", "tau_rec", "U", "weight"),
}
NODE_REFS = ("weight_recorder", "volume_transmitter")
NO_DELAY = ("gap_junction",)  # NEST refuses a delay for these (secondary events)
# recorders whose results are status values, not events (NEST's names)
DETECTOR_FIELDS = {
    "correlation_detector": ("histogram", "histogram_correction", "count_histogram", "n_events"),
    "correlomatrix_detector": ("covariance", "count_covariance", "n_events"),
}
# parameters whose value is itself a list (not one value per neuron)
LIST_PARAMS = (
    "spike_times",
    "spike_weights",
    "spike_multiplicities",
    "pulse_times",
    "record_from",
    "amplitude_times",
    "amplitude_values",
    "rate_times",
    "rate_values",
    "tau_syn",
    "E_rev",
    "q_sfa",
    "tau_sfa",
    "q_stc",
    "tau_stc",
)


def _nest():
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    return nest


def _value(nest, value: Any) -> Any:
    """Translate a random parameter dict into nest.random.* through the parameter language's
    one registry (project_files.parameters: clip is math.min/max, redraw math.redraw)."""
    if isinstance(value, dict) and "distribution" in value:
        from spikedesk.project_files import parameters

        spec = {"random": value["distribution"], **value.get("args", {})}
        spec.update({k: value[k] for k in ("low", "high", "bound") if value.get(k) is not None})
        return parameters.to_nest(parameters.from_random(spec), nest)
    return value


def _root_model(copies: dict, model: str) -> str:
    seen = set()
    while model in copies:
        if model in seen:
            raise ValueError(f"copy_models: {model!r} copies itself")
        seen.add(model)
        model = copies[model]["model"]
    return model


def _synapse_value(nest, handles: dict, key: str, value: Any) -> Any:
    if key in NODE_REFS:
        return handles[value]
    return value


def run_project(
    project: dict,
    *,
    threads: int | None = None,
    seed: int | None = None,
    connection_tables: bool = False,
) -> dict[str, Any]:
    """Build and simulate ``project`` on a fresh NEST kernel.

    Returns ``{"events": {recorder_id: {field: ndarray}}, "node_ids": {id: (first, size)},
    "build_seconds", "simulate_seconds"}`` and, with ``connection_tables``,
    ``"connections": {connection id: {sources, targets, weights, delays}}``.
    """
    import numpy as np

    nest = _nest()
    sim = project.get("simulation", {})
    nest.ResetKernel()
    t0 = time.perf_counter()
    nest.SetKernelStatus(
        {
            "resolution": float(sim.get("resolution", 0.1)),
            "local_num_threads": int(threads or sim.get("threads", 1)),
            "rng_seed": int(seed if seed is not None else sim.get("seed", 1)),
        }
    )
    copies = project.get("copy_models", {})
    synapse_models = set(nest.synapse_models)
    # node copies first (nodes use them); synapse copies may name nodes
    for name, copy in copies.items():
        if _root_model(copies, name) not in synapse_models:
            nest.CopyModel(copy["model"], name, dict(copy.get("params", {})))
    handles = {}
    node_ids = {}
    models = {}
    for node in project["nodes"]:
        size = int(node.get("size", 1))
        params = {}
        per_neuron = {}
        for key, value in node.get("params", {}).items():
            if isinstance(value, list) and (
                key not in LIST_PARAMS or (value and all(isinstance(v, list) for v in value))
            ):
                per_neuron[key] = value
            else:
                params[key] = _value(nest, value)
        handle = nest.Create(node["model"], size)
        plain = {k: v for k, v in params.items() if not hasattr(v, "GetValue")}
        if plain:
            handle.set(plain)
        for key, value in params.items():
            if key not in plain:
                handle.set({key: value})
        for key, values in per_neuron.items():
            if key in LIST_PARAMS:  # one list per neuron
                handle.set([{key: list(v)} for v in values])
            else:
                handle.set({key: list(values)})
        handles[node["id"]] = handle
        node_ids[node["id"]] = (int(handle[0].global_id), size)
        models[node["id"]] = _root_model(copies, node["model"])
    for name, copy in copies.items():
        if _root_model(copies, name) in synapse_models:
            params = {
                k: _synapse_value(nest, handles, k, v) for k, v in copy.get("params", {}).items()
            }
            nest.CopyModel(copy["model"], name, params)
    element = {nid: nest.GetDefaults(m, "element_type") for nid, m in models.items()}
    tables = {}
    for conn in project.get("connections", []):
        rule = conn.get("rule", {"rule": "all_to_all"})
        conn_spec = {"rule": rule.get("rule", "all_to_all"), **rule.get("params", {})}
        syn = conn.get("synapse", {})
        model = syn.get("model", "static_synapse")
        root = _root_model(copies, model)
        common_names = ("weight_recorder", *COMMON.get(root, ()))
        syn_params = syn.get("params", {})
        common = {
            k: _synapse_value(nest, handles, k, v)
            for k, v in syn_params.items()
            if k in common_names
        }
        if root in COMMON and "weight" in COMMON[root] and "weight" in syn:
            common["weight"] = syn["weight"]
        neurons = element[conn["source"]] == "neuron" and element[conn["target"]] == "neuron"
        if common or (connection_tables and neurons):
            copy_name = f"{model}__{conn['id']}"
            nest.CopyModel(model, copy_name, common)
            model = copy_name
        syn_spec = {"synapse_model": model}
        src, tgt = handles[conn["source"]], handles[conn["target"]]
        if conn.get("source_indices") is not None:
            src = src[list(conn["source_indices"])]
        if conn.get("target_indices") is not None:
            tgt = tgt[list(conn["target_indices"])]
        if models[conn["source"]] not in ("voltmeter", "multimeter"):
            if "weight" not in COMMON.get(root, ()):
                syn_spec["weight"] = _value(nest, syn.get("weight", 1.0))
            if root not in NO_DELAY:
                syn_spec["delay"] = _value(nest, syn.get("delay", 1.0))
        if syn.get("receptor_type") is not None:
            syn_spec["receptor_type"] = int(syn["receptor_type"])
        for key, value in syn_params.items():
            if key not in common_names:
                syn_spec[key] = value
        nest.Connect(src, tgt, conn_spec, syn_spec)
        if connection_tables and neurons:
            tables[conn["id"]] = (handles[conn["source"]], handles[conn["target"]], model, root)
    t1 = time.perf_counter()
    nest.Simulate(float(sim.get("duration", 1000.0)))
    t2 = time.perf_counter()
    events = {}
    for node in project["nodes"]:
        root = models[node["id"]]
        if root == "weight_recorder":
            ev = handles[node["id"]].get("events")
            events[node["id"]] = {
                k: np.asarray(ev[k], dtype=np.int64 if k in ("senders", "targets") else np.float64)
                for k in WEIGHT_FIELDS
            }
        elif root in RECORDERS:
            ev = handles[node["id"]].get("events")
            events[node["id"]] = {
                k: np.asarray(v, dtype=np.int64 if k == "senders" else np.float64)
                for k, v in ev.items()
            }
        elif root in DETECTOR_FIELDS:
            status = handles[node["id"]].get(list(DETECTOR_FIELDS[root]))
            events[node["id"]] = {
                k: np.asarray(v, dtype=np.int64 if k == "n_events" else np.float64)
                for k, v in status.items()
            }
    out = {
        "events": events,
        "node_ids": node_ids,
        "build_seconds": t1 - t0,
        "simulate_seconds": t2 - t1,
    }
    if connection_tables:
        out["connections"] = {
            cid: connection_table(nest, src, tgt, model, "weight" in COMMON.get(root, ()))
            for cid, (src, tgt, model, root) in tables.items()
        }
    return out


def connection_table(nest, source, target, model: str, common_weight: bool) -> dict[str, Any]:
    """NEST's connections of ``model`` from ``source`` to ``target``, sorted by (source,
    target, delay, weight); ``common_weight``: the model's weight is a common property."""
    import numpy as np

    conns = nest.GetConnections(source, target, synapse_model=model)
    if len(conns) == 0:
        empty = np.zeros(0)
        return {
            "sources": empty.astype(np.int64),
            "targets": empty.astype(np.int64),
            "weights": empty,
            "delays": empty,
        }
    got = conns.get(["source", "target", "delay"])
    if len(conns) == 1:
        got = {k: [v] for k, v in got.items()}
    if common_weight:
        got["weight"] = [nest.GetDefaults(model, "weight")] * len(got["source"])  # common weight
    else:
        weights = conns.get("weight")
        got["weight"] = [weights] if len(conns) == 1 else weights
    table = {
        "sources": np.asarray(got["source"], dtype=np.int64),
        "targets": np.asarray(got["target"], dtype=np.int64),
        "weights": np.asarray(got["weight"], dtype=np.float64),
        "delays": np.asarray(got["delay"], dtype=np.float64),
    }
    order = np.lexsort((table["weights"], table["delays"], table["targets"], table["sources"]))
    return {k: v[order] for k, v in table.items()}
