"""Run a spikedesk project dict on NEST 3.10 and return its recorders' events.

A tool for generating committed reference data only (spikedesk never needs NEST). The
project dict mirrors ``spikedesk.project_files.project`` field by field (the layout the
validation tests turn into a ``Project`` with ``validation_projects.build_project``):

    {"name", "simulation": {duration, resolution, seed, threads},
     "nodes": [{"id", "model", "size", "params"}],
     "connections": [{"id", "source", "target", "rule": {"rule", "params"},
                      "synapse": {"model", "weight", "delay", "receptor_type"?}}]}

The network is built by ``spikedesk.project_files.nest_translation``, the translation the
PyNEST exporter and the NEST backend use, so the reference data, the exported scripts and the
app's comparison are the same NEST network. Nodes are created in list order, so global ids
are 1-based in node order as in spikedesk.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "validation"))


def _nest():
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    return nest


def run_project(
    project: dict, *, threads: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """Build and simulate ``project`` on a fresh NEST kernel.

    Returns ``{"events": {recorder_id: {field: ndarray}}, "node_ids": {id: (first, size)},
    "build_seconds", "simulate_seconds"}``.
    """
    import numpy as np
    from spikedesk.project_files import nest_translation
    from validation_projects import build_project

    built_project = build_project(project)
    sim = built_project.simulation
    built_project = dataclasses.replace(
        built_project,
        simulation=dataclasses.replace(
            sim,
            threads=int(threads or sim.threads),
            seed=int(seed if seed is not None else sim.seed),
        ),
    )
    network = nest_translation.describe(built_project)
    nest = _nest()
    nest.ResetKernel()
    t0 = time.perf_counter()
    built = nest_translation.build(nest, network)
    t1 = time.perf_counter()
    nest.Simulate(network.duration)
    t2 = time.perf_counter()
    events = {}
    for recorder in network.recorders:
        ev = built.handles[recorder.id].get("events")
        events[recorder.id] = {
            k: np.asarray(v, dtype=np.int64 if k == "senders" else np.float64)
            for k, v in ev.items()
        }
    return {
        "events": events,
        "node_ids": built.node_ids,
        "build_seconds": t1 - t0,
        "simulate_seconds": t2 - t1,
    }
