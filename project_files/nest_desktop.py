"""Import NEST Desktop project files (3.x and 4.x exports) as spikedesk projects.

NEST Desktop refers to nodes by list position; here every node gets a stable id. Models that
NEST Desktop copied under a new name (``models: [{"existing", "new", "params"}]``) are folded
back into the model they copy. What spikedesk cannot simulate (conductance-based or
compartmental neurons, plastic synapses, spatial nodes, weight recorders) is reported all at
once, each problem naming the project, the node or connection and what is unsupported.
"""

from __future__ import annotations

import math
from typing import Any

from . import catalog
from .project import (
    Connection,
    Node,
    Position,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)
from .validation import Problem, ProjectError, validate

# Parameters NEST Desktop stores that change nothing in a simulation here.
IGNORED_PARAMS = {"record_to", "label", "precise_times", "time_in_steps"}
RANDOM_TYPES = {"uniform": ("min", "max"), "normal": ("mean", "std"),
                "lognormal": ("mean", "std"), "exponential": ("beta",)}  # fmt: skip


def projects_in(data: Any) -> list[dict]:
    """The project objects of a NEST Desktop file: one, a list, or ``{"projects": [...]}``."""
    if isinstance(data, list):
        return [p for p in data if isinstance(p, dict)]
    if isinstance(data, dict) and isinstance(data.get("projects"), list):
        return [p for p in data["projects"] if isinstance(p, dict)]
    if isinstance(data, dict) and "network" in data:
        return [data]
    return []


def import_data(data: Any, source: str = "<nest-desktop>") -> list[Project]:
    """Every project in ``data``; raises ``ProjectError`` listing all unsupported features."""
    found = projects_in(data)
    if not found:
        raise ProjectError(source, [Problem("", "no NEST Desktop project found in this file")])
    projects, problems = [], []
    for number, raw in enumerate(found):
        name = str(raw.get("name") or f"project {number + 1}")
        where = f"project {name!r}"
        project, found_problems = _project(raw, name, where)
        problems += found_problems
        if project is not None and not found_problems:
            problems += [Problem(f"{where} > {p.path}", p.message) for p in validate(project)]
            projects.append(project)
    if problems:
        raise ProjectError(source, problems)
    return projects


def _values(
    params: Any, where: str, problems: list[Problem], hidden: set[str] | None = None
) -> dict[str, Any]:
    """Parameter values by id; ``hidden`` collects the ids NEST Desktop marks invisible."""
    out: dict[str, Any] = {}
    for entry in params or []:
        if not isinstance(entry, dict) or "id" not in entry:
            continue
        pid, value = entry["id"], entry.get("value")
        if hidden is not None and entry.get("visible") is False:
            hidden.add(pid)
        kind = (entry.get("type") or {}).get("id", "constant").removeprefix("random.")
        if kind != "constant":
            spec = entry.get("type", {})
            specs = {p["id"]: float(p["value"]) for p in spec.get("specs", []) if "id" in p}
            if kind == "np.linspace" and {"start", "stop", "num"} <= set(specs):
                num = int(specs["num"])
                step = (specs["stop"] - specs["start"]) / (num - 1) if num > 1 else 0.0
                out[pid] = tuple(specs["start"] + i * step for i in range(num))
            elif kind == "np.arange" and {"start", "stop"} <= set(specs):
                step = specs.get("step", 1.0)
                count = max(0, math.ceil((specs["stop"] - specs["start"]) / step))
                out[pid] = tuple(specs["start"] + i * step for i in range(count))
            elif kind in RANDOM_TYPES:
                args = {p["id"]: float(p["value"]) for p in spec.get("specs", []) if "id" in p}
                out[pid] = RandomParameter(kind, frozen_map(args))
            else:
                problems.append(
                    Problem(f"{where}.params.{pid}", f"parameter type {kind!r} is not supported")
                )
            continue
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        out[pid] = value
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _project(raw: dict, name: str, where: str) -> tuple[Project | None, list[Problem]]:
    problems: list[Problem] = []
    network = raw.get("network") or {}
    copies: dict[str, tuple[str, dict]] = {}
    for copy in network.get("models") or []:
        params = _values(copy.get("params"), f"{where} > models.{copy.get('new')}", problems)
        copies[str(copy.get("new"))] = (str(copy.get("existing")), params)

    nodes: list[Node] = []
    counters: dict[str, int] = {}
    for index, raw_node in enumerate(network.get("nodes") or []):
        path = f"{where} > nodes[{index}]"
        model = str(raw_node.get("model", ""))
        hidden: set[str] = set()
        params = _values(raw_node.get("params"), path, problems, hidden)
        if model in copies:
            model, inherited = copies[model]
            params = {**inherited, **params}
        if "spatial" in raw_node:
            problems.append(Problem(path, "spatial (layer) nodes are not supported"))
        if "compartments" in raw_node:
            problems.append(Problem(path, "compartmental neurons are not supported"))
        if model not in catalog.models():
            problems.append(
                Problem(f"{path}.model", f"model {model!r} is not supported by spikedesk")
            )
            nodes.append(Node(id=f"unsupported{index}", model=model))
            continue
        spec = catalog.model(model)
        variables = next((e for e in spec.events if e in spec.params), None)
        records = raw_node.get("records")
        if spec.is_sampler and variables and isinstance(records, list) and variables not in params:
            # NEST Desktop 4 keeps a sampler's record_from as "records": [{"id": "V_m"}, ...]
            params[variables] = [str(r["id"]) for r in records if isinstance(r, dict) and "id" in r]
        kept = {}
        for pid, value in params.items():
            if pid in IGNORED_PARAMS:
                continue
            if pid not in spec.params:
                problems.append(
                    Problem(f"{path}.params.{pid}", f"{model} has no parameter {pid!r} here")
                )
                continue
            if (
                spec.params[pid].type.startswith("list")
                and pid in hidden
                and isinstance(value, (int, float))
            ):
                continue  # a hidden scalar stands for an unset list (spike_weights: 0)
            if isinstance(value, tuple) and not spec.params[pid].type.startswith("list"):
                pass  # one value per element (np.linspace / np.arange)
            elif spec.params[pid].type.startswith("list") and isinstance(value, (int, float)):
                value = [value]
            if isinstance(value, float) and spec.params[pid].type == "int":
                value = int(value)
            if isinstance(value, list):
                value = tuple(value)
            if not isinstance(value, RandomParameter) and _same(value, spec.params[pid].default):
                continue
            kept[pid] = value
        short = spec.id_prefix
        counters[short] = counters.get(short, 0) + 1
        view = raw_node.get("view") or {}
        pos = view.get("position") or {}
        color = view.get("color") or ""
        nodes.append(
            Node(
                id=f"{short}{counters[short]}",
                model=model,
                size=int(raw_node.get("size", 1)),
                params=frozen_map(kept),
                position=Position(float(pos.get("x", 0.0)), float(pos.get("y", 0.0))),
                **({"color": color.lower()} if _is_color(color) else {}),
            )
        )

    connections: list[Connection] = []
    for index, raw_conn in enumerate(network.get("connections") or []):
        path = f"{where} > connections[{index}]"
        try:
            source, target = nodes[int(raw_conn["source"])], nodes[int(raw_conn["target"])]
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append(Problem(path, "source or target does not name a node of this project"))
            continue
        rule_args = _values(raw_conn.get("params"), path, problems)
        rule = str(raw_conn.get("rule") or "all_to_all")
        allowed = set(catalog.rules().get(rule, {})) | set(catalog.rule_options())
        options = catalog.rule_options()
        rule_args = {
            k: v
            for k, v in rule_args.items()
            if k in allowed and not (k in options and v == options[k].get("default"))
        }
        for key in ("indegree", "outdegree", "N"):
            if key in rule_args:
                rule_args[key] = int(rule_args[key])
        synapse_raw = raw_conn.get("synapse") or {}
        synapse_model = str(synapse_raw.get("model") or "static_synapse")
        synapse_params: dict[str, Any] = {}
        if synapse_model in copies:
            synapse_model, synapse_params = copies[synapse_model]
            synapse_params = dict(synapse_params)
        synapse_params.update(_values(synapse_raw.get("params"), path + ".synapse", problems))
        if synapse_model not in catalog.synapse_models():
            problems.append(
                Problem(
                    f"{path}.synapse.model",
                    f"synapse model {synapse_model!r} is not supported by spikedesk",
                )
            )
            continue
        extra = set(synapse_params) - {"weight", "delay"}
        if extra:
            problems.append(
                Problem(f"{path}.synapse", f"unsupported synapse parameters {sorted(extra)}")
            )
        recorder = "recorder" in (
            catalog.models().get(source.model, None) and catalog.model(source.model).kind,
            catalog.models().get(target.model, None) and catalog.model(target.model).kind,
        )
        weight = synapse_params.get("weight", 1.0)
        delay = synapse_params.get("delay", 1.0)
        connections.append(
            Connection(
                id=f"{source.id}-{target.id}"
                + (
                    f"-{index}"
                    if any(c.id == f"{source.id}-{target.id}" for c in connections)
                    else ""
                ),
                source=source.id,
                target=target.id,
                rule=Rule(rule, frozen_map(rule_args)),
                synapse=Synapse(
                    model="static_synapse",
                    weight=1.0 if recorder else _number(weight),
                    delay=1.0 if recorder else _number(delay),
                ),
            )
        )

    kernel = (raw.get("simulation") or {}).get("kernel") or {}
    simulation = Simulation(
        duration=float((raw.get("simulation") or {}).get("time", 1000.0)),
        resolution=float(kernel.get("resolution", 0.1)),
        seed=int(kernel.get("rngSeed", 1)),
        threads=int(kernel.get("localNumThreads", 1)),
    )
    project = Project(
        name=name,
        description=str(raw.get("description") or ""),
        simulation=simulation,
        nodes=tuple(nodes),
        connections=tuple(connections),
    )
    return project, problems


def _number(value: Any) -> Any:
    return value if isinstance(value, RandomParameter) else float(value)


def _is_color(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 7 and value.startswith("#")
