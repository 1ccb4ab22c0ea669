"""Turn the reference manifests' project dicts into ``Project`` objects and compare events.

The dicts mirror ``spikedesk.project_files.project`` field by field, so they are built with
the dataclasses directly: the validation tests depend on the engine contract
(docs/architecture.md), not on the file reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from spikedesk.project_files.project import (
    Connection,
    Node,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def _param(value):
    if isinstance(value, dict) and "distribution" in value:
        return RandomParameter(
            distribution=value["distribution"],
            args=frozen_map(value.get("args", {})),
            low=value.get("low"),
            high=value.get("high"),
            bound=value.get("bound", "clip"),
        )
    if isinstance(value, list):
        return tuple(_param(v) for v in value)
    return value


def build_project(data: dict) -> Project:
    sim = data.get("simulation", {})
    nodes = tuple(
        Node(
            id=n["id"],
            model=n["model"],
            size=int(n.get("size", 1)),
            params=frozen_map({k: _param(v) for k, v in n.get("params", {}).items()}),
        )
        for n in data["nodes"]
    )
    conns = []
    for c in data.get("connections", []):
        rule = c.get("rule", {})
        syn = c.get("synapse", {})
        conns.append(
            Connection(
                id=c["id"],
                source=c["source"],
                target=c["target"],
                rule=Rule(
                    rule=rule.get("rule", "all_to_all"),
                    params=frozen_map({k: _param(v) for k, v in rule.get("params", {}).items()}),
                ),
                synapse=Synapse(
                    model=syn.get("model", "static_synapse"),
                    weight=_param(syn.get("weight", 1.0)),
                    delay=_param(syn.get("delay", 1.0)),
                    params=frozen_map({k: _param(v) for k, v in syn.get("params", {}).items()}),
                    receptor_type=int(syn.get("receptor_type", 0)),
                ),
                **{
                    key: tuple(c[key])
                    for key in ("source_indices", "target_indices")
                    if c.get(key) is not None
                },
            )
        )
    return Project(
        name=data.get("name", "Untitled"),
        description=data.get("description", ""),
        simulation=Simulation(
            duration=float(sim.get("duration", 1000.0)),
            resolution=float(sim.get("resolution", 0.1)),
            seed=int(sim.get("seed", 1)),
            threads=int(sim.get("threads", 1)),
        ),
        nodes=nodes,
        connections=tuple(conns),
    )


def _plain(value):
    if isinstance(value, RandomParameter):
        out = {"distribution": value.distribution, "args": dict(value.args), "bound": value.bound}
        out.update({k: getattr(value, k) for k in ("low", "high") if getattr(value, k) is not None})
        return out
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def project_dict(project: Project) -> dict:
    """The inverse of ``build_project``: every field explicit, JSON-ready."""
    sim = project.simulation
    conns = []
    for c in project.connections:
        entry = {
            "id": c.id,
            "source": c.source,
            "target": c.target,
            "rule": {
                "rule": c.rule.rule,
                "params": {k: _plain(v) for k, v in c.rule.params.items()},
            },
            "synapse": {
                "model": c.synapse.model,
                "weight": _plain(c.synapse.weight),
                "delay": _plain(c.synapse.delay),
            },
        }
        for key in ("source_indices", "target_indices"):
            if getattr(c, key, None) is not None:
                entry[key] = list(getattr(c, key))
        conns.append(entry)
    return {
        "name": project.name,
        "description": project.description,
        "simulation": {
            "duration": sim.duration,
            "resolution": sim.resolution,
            "seed": sim.seed,
            "threads": sim.threads,
        },
        "nodes": [
            {
                "id": n.id,
                "model": n.model,
                "size": n.size,
                "params": {k: _plain(v) for k, v in n.params.items()},
            }
            for n in project.nodes
        ],
        "connections": conns,
    }


def load_manifest(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text())


def sorted_fields(fields: dict) -> dict[str, np.ndarray]:
    """Events ordered by (sender, time): NEST's order within a step depends on threads."""
    senders = np.asarray(fields["senders"])
    times = np.asarray(fields["times"])
    order = np.lexsort((times, senders))
    return {k: np.asarray(v)[order] for k, v in fields.items()}
