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
"""

from __future__ import annotations

import time
from typing import Any

RECORDERS = ("spike_recorder", "voltmeter", "multimeter")
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
    """Translate a random parameter dict into nest.random.* (clip bounds only)."""
    if isinstance(value, dict) and "distribution" in value:
        args = value.get("args", {})
        dist = value["distribution"]
        if dist == "uniform":
            param = nest.random.uniform(min=args.get("min", 0.0), max=args.get("max", 1.0))
        elif dist == "normal":
            param = nest.random.normal(mean=args.get("mean", 0.0), std=args.get("std", 1.0))
        elif dist == "lognormal":
            param = nest.random.lognormal(mean=args.get("mean", 0.0), std=args.get("std", 1.0))
        elif dist == "exponential":
            param = nest.random.exponential(beta=args.get("beta", 1.0))
        else:
            raise ValueError(f"unknown distribution {dist!r}")
        if value.get("bound", "clip") == "redraw":
            return nest.math.redraw(
                param,
                min=value.get("low", float("-inf")),
                max=value.get("high", float("inf")),
            )
        if value.get("low") is not None:
            param = nest.math.max(param, value["low"])
        if value.get("high") is not None:
            param = nest.math.min(param, value["high"])
        return param
    return value


def run_project(
    project: dict, *, threads: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """Build and simulate ``project`` on a fresh NEST kernel.

    Returns ``{"events": {recorder_id: {field: ndarray}}, "node_ids": {id: (first, size)},
    "build_seconds", "simulate_seconds"}``.
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
        models[node["id"]] = node["model"]
    for conn in project.get("connections", []):
        rule = conn.get("rule", {"rule": "all_to_all"})
        conn_spec = {"rule": rule.get("rule", "all_to_all"), **rule.get("params", {})}
        syn = conn.get("synapse", {})
        syn_spec = {"synapse_model": syn.get("model", "static_synapse")}
        src, tgt = handles[conn["source"]], handles[conn["target"]]
        if conn.get("source_indices") is not None:
            src = src[list(conn["source_indices"])]
        if conn.get("target_indices") is not None:
            tgt = tgt[list(conn["target_indices"])]
        if models[conn["source"]] not in ("voltmeter", "multimeter"):
            syn_spec["weight"] = _value(nest, syn.get("weight", 1.0))
            syn_spec["delay"] = _value(nest, syn.get("delay", 1.0))
        if syn.get("receptor_type") is not None:
            syn_spec["receptor_type"] = int(syn["receptor_type"])
        nest.Connect(src, tgt, conn_spec, syn_spec)
    t1 = time.perf_counter()
    nest.Simulate(float(sim.get("duration", 1000.0)))
    t2 = time.perf_counter()
    events = {}
    for node in project["nodes"]:
        if node["model"] in RECORDERS:
            ev = handles[node["id"]].get("events")
            events[node["id"]] = {
                k: np.asarray(v, dtype=np.int64 if k == "senders" else np.float64)
                for k, v in ev.items()
            }
        elif node["model"] in DETECTOR_FIELDS:
            status = handles[node["id"]].get(list(DETECTOR_FIELDS[node["model"]]))
            events[node["id"]] = {
                k: np.asarray(v, dtype=np.int64 if k == "n_events" else np.float64)
                for k, v in status.items()
            }
    return {
        "events": events,
        "node_ids": node_ids,
        "build_seconds": t1 - t0,
        "simulate_seconds": t2 - t1,
    }
