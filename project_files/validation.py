"""Validation of project JSON against the format and the model catalog.

Every problem is collected (never stop at the first) as ``Problem(path, message)``, where the
path is a JSON path like ``nodes[2].params.tau_m`` and the message a plain sentence, so a person
can fix a whole file in one pass.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
from dataclasses import dataclass
from typing import Any

from . import catalog, parameters, spatial
from .project import FORMAT_NAME, FORMAT_VERSION, Project

DISTRIBUTIONS: dict[str, tuple[str, ...]] = parameters.registry.RANDOM_OBJECT_ARGS
BOUNDS = ("clip", "redraw")
SEED_MAX = 2**32 - 1
TIC = 0.001  # ms; NEST times are whole tics
THREADS_MAX = 256  # beyond this OpenMP can take the process down (libgomp exits, segfaults)
STEPS_MAX = 2**53  # whole steps a run may have: exact in a double, far beyond any real run
COUNT_MAX = 2**31 - 1  # sizes, indices, degrees, numbers of synapses
INT_MAX = 2**63 - 1  # integer parameters are 64-bit in the engine
DEPTH_MAX = 64  # nesting of JSON arrays and objects; a project needs 5
TOP_KEYS = ("format", "version", "name", "description", "simulation", "copy_models", "nodes",
            "connections")  # fmt: skip
COPY_KEYS = ("model", "params")
SYNAPSE_KEYS = ("model", "weight", "delay", "receptor_type", "params")
SIM_KEYS = ("duration", "resolution", "seed", "threads")
NODE_KEYS = ("id", "label", "model", "size", "params", "position", "color", "spatial")
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
CONN_KEYS = ("id", "source", "target", "rule", "synapse", "source_indices", "target_indices")
OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "!=": lambda a, b: a != b,
}
NEGATION = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "!=": "=="}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ProjectError(ValueError):
    """A project file (``source``) has problems; ``str()`` lists every one of them."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        lines = [f"{source}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def show(value: Any, limit: int = 200) -> str:
    """A value as it appears in JSON, for messages (shortened past ``limit`` characters)."""
    if is_int(value) and abs(value) > 10**30:
        return _big(value)
    try:
        text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except (ValueError, RecursionError):
            text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 5] + " ..."


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value: Any) -> bool:
    """A number that converts to a finite double (huge integers do not)."""
    if is_int(value):
        return abs(value) <= sys.float_info.max
    return is_number(value) and math.isfinite(value)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(project_or_dict: Project | Any) -> list[Problem]:
    """Every problem of a project (a ``Project`` or its JSON dict); empty when valid."""
    if isinstance(project_or_dict, Project):
        from .io import to_dict  # io imports this module

        project_or_dict = to_dict(project_or_dict)
    if nesting_depth(project_or_dict) > DEPTH_MAX:
        return [Problem("", f"nested more than {DEPTH_MAX} levels deep; not a project file")]
    return _Validator().run(project_or_dict)


def nesting_depth(data: Any, limit: int = DEPTH_MAX) -> int:
    """How deeply lists and objects nest in ``data`` (counted without recursion, and only
    up to just past ``limit``), so a hostile file cannot exhaust the stack."""
    deepest = 0
    todo = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, (list, tuple)):
            continue
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        todo.extend((v, depth + 1) for v in value)
    return deepest


class _Validator:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.resolution = 0.1
        # copy model name -> (built-in model, merged parameters); only well-formed ones
        self.copies: dict[str, tuple[str, dict]] = {}
        # whether the parameters being checked belong to a spatial node (or a connection
        # between two), so expressions may use positions
        self.spatial_here = False

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def run(self, data: Any) -> list[Problem]:
        if not isinstance(data, dict):
            self.add("", f"a project must be a JSON object, got {type_name(data)}")
            return self.problems
        self.header(data)
        self.unknown_keys(data, TOP_KEYS, "")
        for key in ("name", "description"):
            if key in data and not isinstance(data[key], str):
                self.add(key, f"must be a string, got {show(data[key])}")
        self.simulation(data.get("simulation", {}))
        copies = self.copy_models(data.get("copy_models", {}))
        nodes = self.nodes(data.get("nodes", []))
        self.copy_params(copies, nodes)
        self.connections(data.get("connections", []), nodes)
        return self.problems

    # ------------------------------------------------------------ copy models

    def copy_models(self, copies: Any) -> dict[str, dict]:
        """Check names and chains of the copy models; remember (base, merged params) of each
        usable one. Their parameters are checked once the nodes are known (node references)."""
        if not isinstance(copies, dict):
            self.add(
                "copy_models", f'must be an object {{"name": {{"model": ...}}}}, got {show(copies)}'
            )
            return {}
        entries: dict[str, dict] = {}
        for name, entry in copies.items():
            path = f"copy_models.{name}"
            if not name:
                self.add("copy_models", "a copy model needs a non-empty name")
                continue
            if name in catalog.models() or name in catalog.synapse_models():
                self.add(
                    path,
                    f"copy model {show(name)} shadows the built-in model {name}; "
                    "choose another name",
                )
                continue
            if not isinstance(entry, dict):
                self.add(
                    path,
                    f'must be an object {{"model": ..., "params": {{...}}}}, got {show(entry)}',
                )
                continue
            self.unknown_keys(entry, COPY_KEYS, path)
            model = entry.get("model")
            if not isinstance(model, str) or not model:
                self.add(f"{path}.model", f"must name the model it copies, got {show(model)}")
                continue
            params = entry.get("params", {})
            if not isinstance(params, dict):
                self.add(f"{path}.params", f"must be an object, got {show(params)}")
                continue
            entries[name] = {"model": model, "params": params}
        in_cycles: set[str] = set()
        for name in entries:
            chain, model = [name], entries[name]["model"]
            while model in entries and model not in chain:
                chain.append(model)
                model = entries[model]["model"]
            path = f"copy_models.{name}.model"
            builtin = model in catalog.models() or model in catalog.synapse_models()
            if model in chain:
                if name not in in_cycles:  # one problem per cycle
                    cycle = chain[chain.index(model) :]
                    in_cycles.update(cycle)
                    shown = " -> ".join([*chain, model])
                    self.add(path, f"copy model {show(name)} copies itself: {shown}")
                continue
            if not builtin and model in copies:
                continue  # the broken copy model it builds on has its own problem
            if not builtin:
                self.add(path, f"copy model {show(name)}: " + unknown_model_message(model))
                continue
            merged: dict = {}
            for link in reversed(chain):
                merged.update(entries[link]["params"])
            self.copies[name] = (model, merged)
        return {name: entries[name] for name in self.copies}

    def copy_params(self, copies: dict[str, dict], nodes: dict[str, dict]) -> None:
        """A copy model's own parameters: known to the built-in model, single values,
        constraints over the whole chain."""
        for name, entry in copies.items():
            base, merged = self.copies[name]
            path = f"copy_models.{name}.params"
            synapse = base in catalog.synapse_models()
            specs = catalog.synapse_models()[base] if synapse else catalog.model(base).params
            for pname, value in entry["params"].items():
                where = f"{path}.{pname}"
                pspec = specs.get(pname)
                if synapse and pname in ("weight", "delay"):
                    self.add(
                        where,
                        f"a copy of a synapse model leaves {pname} to its connections; "
                        f"set it on each connection's synapse",
                    )
                    continue
                if pspec is None:
                    known = ", ".join(sorted(specs)) or "none"
                    self.add(where, f"unknown parameter of {base}; its parameters are: {known}")
                    continue
                if pspec.type == "node":
                    self.node_ref(where, value, pspec, nodes)
                    continue
                if isinstance(value, dict) or (
                    isinstance(value, list) and not pspec.type.startswith("list[")
                ):
                    self.add(
                        where,
                        "a copy model's parameters are single values (NEST's model "
                        "defaults); set per-neuron or random values on the nodes, "
                        f"got {show(value)}",
                    )
                    continue
                constraints = (
                    catalog.synapse_constraints(base)
                    if synapse
                    else catalog.model(base).constraints
                )
                self.value(where, value, pspec, None, self.bounds(constraints, pname))
            if synapse:
                given = {k: v for k, v in merged.items() if k in specs}
                self.relations(given, catalog.synapse_constraints(base), specs, path)
            else:
                self.model_constraints(merged, catalog.model(base), path)

    def resolve(self, model: Any) -> tuple[Any, dict]:
        """(built-in model, parameters its copy models set) of a model name."""
        if isinstance(model, str) and model in self.copies:
            return self.copies[model]
        return model, {}

    def node_ref(self, path: str, value: Any, pspec: catalog.ParamSpec, nodes: dict) -> None:
        """A parameter naming a node (weight_recorder, volume_transmitter) by its id."""
        role = pspec.node_role
        having = ", ".join(m.name for m in catalog.models().values() if m.role == role)
        if not isinstance(value, str):
            self.add(path, f"must be the id of a {having} node, got {show(value)}")
        elif value not in nodes:
            self.add(path, f"no node has the id {show(value)} (it must name a {having} node)")
        else:
            spec = nodes[value]["spec"]
            if spec is not None and spec.role != role:
                self.add(
                    path,
                    f"node {show(value)} is a {spec.name}; {pspec.name} must name a {having} node",
                )

    # ------------------------------------------------------------ header and simulation

    def header(self, data: dict) -> None:
        fmt = data.get("format")
        if fmt is None:
            self.add("format", f'missing; a project file starts with "format": "{FORMAT_NAME}"')
        elif fmt != FORMAT_NAME:
            self.add("format", f'must be "{FORMAT_NAME}", got {show(fmt)}')
        version = data.get("version")
        if version is None:
            self.add("version", "missing; must be the format version number, e.g. 1")
        elif not is_int(version) or version < 1:
            self.add("version", f"must be an integer >= 1, got {show(version)}")
        elif version > FORMAT_VERSION:
            self.add(
                "version",
                f"format version {version} is newer than this build of spikedesk knows "
                f"({FORMAT_VERSION}); update spikedesk to open this file",
            )

    def simulation(self, sim: Any) -> None:
        if not isinstance(sim, dict):
            self.add("simulation", f"must be an object, got {show(sim)}")
            return
        self.unknown_keys(sim, SIM_KEYS, "simulation")
        for key in ("duration", "resolution"):
            if key in sim:
                value = sim[key]
                if not self.finite(f"simulation.{key}", value):
                    continue
                if value <= 0:
                    self.add(f"simulation.{key}", f"must be > 0, got {show(value)}")
                elif key == "resolution":
                    if value < TIC:
                        self.add(
                            "simulation.resolution",
                            f"must be >= {TIC} ms (NEST's tic), got {show(value)}",
                        )
                    elif multiple_of(value, TIC):
                        self.resolution = float(value)
                    else:
                        self.add(
                            "simulation.resolution",
                            f"must be a multiple of {TIC} ms (NEST's tic), got {show(value)}",
                        )
        duration = sim.get("duration")
        if is_finite(duration) and duration > 0:
            if duration / self.resolution > STEPS_MAX:
                self.add(
                    "simulation.duration",
                    f"{show(duration)} ms is more than {STEPS_MAX} steps of "
                    f"{_num(self.resolution)} ms",
                )
            elif not multiple_of(duration, self.resolution):
                self.add(
                    "simulation.duration",
                    f"must be a multiple of the resolution "
                    f"({_num(self.resolution)} ms), got {show(duration)}",
                )
        if "seed" in sim:
            seed = sim["seed"]
            if not is_int(seed):
                self.add("simulation.seed", f"must be an integer, got {show(seed)}")
            elif not 1 <= seed <= SEED_MAX:
                self.add("simulation.seed", f"must be between 1 and {SEED_MAX}, got {_big(seed)}")
        if "threads" in sim:
            threads = sim["threads"]
            if not is_int(threads):
                self.add("simulation.threads", f"must be an integer, got {show(threads)}")
            elif not 1 <= threads <= THREADS_MAX:
                self.add(
                    "simulation.threads",
                    f"must be between 1 and {THREADS_MAX}, got {_big(threads)}",
                )

    # ------------------------------------------------------------ nodes

    def nodes(self, nodes: Any) -> dict[str, dict]:
        """Check every node; return the usable ones by id (for connection checks)."""
        if not isinstance(nodes, list):
            self.add("nodes", f"must be a list, got {show(nodes)}")
            return {}
        seen: dict[str, dict] = {}
        for i, node in enumerate(nodes):
            path = f"nodes[{i}]"
            if not isinstance(node, dict):
                self.add(path, f"must be an object, got {show(node)}")
                continue
            self.unknown_keys(node, NODE_KEYS, path)
            node_id = node.get("id")
            if not isinstance(node_id, str) or not node_id:
                self.add(f"{path}.id", f"must be a non-empty string, got {show(node_id)}")
            elif node_id in seen:
                self.add(f"{path}.id", f"duplicate node id {show(node_id)}")
            if "color" in node and not (
                isinstance(node["color"], str) and COLOR.fullmatch(node["color"])
            ):
                self.add(f"{path}.color", f'must be a colour "#rrggbb", got {show(node["color"])}')
            if "label" in node and not isinstance(node["label"], str):
                self.add(f"{path}.label", f"must be a string, got {show(node['label'])}")
            size = node.get("size", 1)
            size_ok = is_int(size) and 1 <= size <= COUNT_MAX
            if not is_int(size):
                self.add(f"{path}.size", f"must be an integer >= 1, got {show(size)}")
            elif size < 1:
                self.add(f"{path}.size", f"must be >= 1, got {size}")
            elif not size_ok:
                self.add(f"{path}.size", f"must be <= {COUNT_MAX}, got {_big(size)}")
            self.position(node.get("position", {}), f"{path}.position")
            model = node.get("model")
            base, inherited = self.resolve(model)
            spec = catalog.models().get(base) if isinstance(base, str) else None
            layer = None
            if "spatial" in node:
                layer = spatial.check_layer(self.add, node["spatial"], f"{path}.spatial")
                if spec is not None and spec.kind != "neuron":
                    self.add(f"{path}.spatial", f"a spatial layer places neurons; {spec.name} "
                                                f"is a {spec.kind}")  # fmt: skip
                    layer = None
            if layer is not None and layer.size is not None:
                if "size" in node and size_ok and size != layer.size:
                    self.add(
                        f"{path}.size",
                        f"is {size} but the layer has {layer.size} positions; "
                        "leave size out or make them agree",
                    )
                size, size_ok = layer.size, True
            if model is None:
                self.add(f"{path}.model", "missing; name a model, e.g. iaf_psc_alpha")
            elif spec is None and isinstance(base, str) and base in catalog.synapse_models():
                what = f"{show(model)} is a copy of {base}" if model != base else show(model)
                self.add(
                    f"{path}.model",
                    f"{what}: a synapse model; a node needs a neuron or device model",
                )
            elif spec is None:
                self.add(f"{path}.model", unknown_model_message(model))
            params = node.get("params", {})
            if spec is not None:
                self.spatial_here = "spatial" in node  # a broken layer: no follow-up errors
                self.params(params, spec, size if size_ok else None, path, inherited)
                self.spatial_here = False
            if isinstance(node_id, str) and node_id and node_id not in seen:
                seen[node_id] = {
                    "path": path,
                    "spec": spec,
                    "layer": layer,
                    "spatial": "spatial" in node,
                    "size": size if size_ok else None,
                    "params": {**inherited, **params} if isinstance(params, dict) else inherited,
                }
        return seen

    def position(self, pos: Any, path: str) -> None:
        if not isinstance(pos, dict):
            self.add(path, f'must be an object {{"x": ..., "y": ...}}, got {show(pos)}')
            return
        self.unknown_keys(pos, ("x", "y"), path)
        for key in ("x", "y"):
            if key in pos:
                self.finite(f"{path}.{key}", pos[key])

    def params(
        self,
        params: Any,
        spec: catalog.ModelSpec,
        size: int | None,
        node_path: str,
        inherited: dict | None = None,
    ):
        """A node's parameters; ``inherited``: what its copy model sets (checked there)."""
        path = f"{node_path}.params"
        if not isinstance(params, dict):
            self.add(path, f"must be an object, got {show(params)}")
            return
        for name, value in params.items():
            pspec = spec.params.get(name)
            if pspec is None:
                known = ", ".join(sorted(spec.params)) or "none"
                self.add(
                    f"{path}.{name}",
                    f"unknown parameter of {spec.name}; its parameters are: {known}",
                )
                continue
            if isinstance(value, dict) and spec.kind != "neuron":
                self.add(
                    f"{path}.{name}",
                    f"a random value applies to neuron parameters only; {spec.name} is a "
                    f"{spec.kind}: give a number",
                )
                continue
            self.value(f"{path}.{name}", value, pspec, size, self.bounds(spec.constraints, name))
        self.model_constraints({**(inherited or {}), **params}, spec, path)

    def bounds(self, constraints, name: str) -> list[tuple[str, float, bool]]:
        """The catalog's bounds on one parameter: (operator, limit, limit is the resolution)."""
        out = []
        for left, op, right in constraints:
            if left != name:
                continue
            if right == catalog.RESOLUTION:
                out.append((op, self.resolution, True))
            elif is_number(right):
                out.append((op, float(right), False))
        return out

    def value(
        self,
        path: str,
        value: Any,
        pspec: catalog.ParamSpec,
        size: int | None,
        bounds: list[tuple[str, float, bool]],
    ) -> None:
        """A parameter value: scalar, per-neuron list or random parameter for scalar types;
        a list (or per-neuron list of lists) for list types."""
        type_ = pspec.type
        if type_.startswith("list["):
            element = type_[5:-1]
            if not isinstance(value, list):
                self.add(path, f"must be a list of {element}s, got {show(value)}")
                return
            if element == "float" and value and all(isinstance(v, list) for v in value):
                self.per_neuron_length(path, value, size)
                for i, item in enumerate(value):
                    self.plain_list(f"{path}[{i}]", item, element, pspec, bounds)
                return
            self.plain_list(path, value, element, pspec, bounds)
            return
        if isinstance(value, dict):
            if type_ != "float":
                self.add(path, f"a random value needs a float parameter, this one is {type_}")
                return
            self.random(path, value, pspec.name, bounds)
            return
        if isinstance(value, str) and type_ == "float" and takes_expression(path):
            self.expression(path, value, pspec.name, bounds)
            return
        if isinstance(value, list):
            if type_ == "bool":
                self.add(path, f"must be true or false, got {show(value)}")
                return
            self.per_neuron_length(path, value, size)
            for i, item in enumerate(value):
                if self.scalar(f"{path}[{i}]", item, type_):
                    self.constraint(f"{path}[{i}]", pspec, bounds, item)
            return
        if self.scalar(path, value, type_):
            self.constraint(path, pspec, bounds, value)

    def per_neuron_length(self, path: str, value: list, size: int | None) -> None:
        if size is not None and len(value) != size:
            self.add(
                path, f"a per-neuron list needs {size} values (the node's size), got {len(value)}"
            )

    def plain_list(
        self,
        path: str,
        value: list,
        element: str,
        pspec: catalog.ParamSpec,
        bounds: list[tuple[str, float, bool]],
    ) -> None:
        ok = True
        for i, item in enumerate(value):
            if element == "str":
                if not isinstance(item, str):
                    self.add(f"{path}[{i}]", f"must be a string, got {show(item)}")
                    ok = False
            elif not self.finite(f"{path}[{i}]", item):
                ok = False
        if not ok or element == "str":
            return
        what = "times" if pspec.unit == "ms" else "values"
        if pspec.order == "strictly increasing":
            if any(b <= a for a, b in zip(value, value[1:], strict=False)):
                self.add(path, f"{what} must be strictly increasing, got {show(value)}")
        elif pspec.order == "increasing":
            if any(b < a for a, b in zip(value, value[1:], strict=False)):
                self.add(path, f"{what} must be sorted in increasing order, got {show(value)}")
        if pspec.min_each is not None:
            below = [t for t in value if t < pspec.min_each]
            if below:
                self.add(path, f"{what} must be >= {_num(pspec.min_each)}, got {show(below[0])}")
        if pspec.max_each is not None:
            above = [t for t in value if t > pspec.max_each]
            if above:
                self.add(path, f"{what} must be <= {_num(pspec.max_each)}, got {show(above[0])}")
        if pspec.whole_each:
            broken = [t for t in value if not float(t).is_integer()]
            if broken:
                self.add(path, f"{what} must be whole numbers, got {show(broken[0])}")
        for i, item in enumerate(value):
            self.constraint(f"{path}[{i}]", pspec, bounds, item)

    def scalar(self, path: str, value: Any, type_: str) -> bool:
        if type_ == "bool":
            if not isinstance(value, bool):
                self.add(path, f"must be true or false, got {show(value)}")
                return False
            return True
        if type_ == "int":
            if not is_int(value):
                self.add(path, f"must be an integer, got {show(value)}")
                return False
            if abs(value) > INT_MAX:
                self.add(path, f"must be between {-INT_MAX} and {INT_MAX}, got {_big(value)}")
                return False
            return True
        if type_ == "str":
            if not isinstance(value, str):
                self.add(path, f"must be a string, got {show(value)}")
                return False
            return True
        return self.finite(path, value)

    def finite(self, path: str, value: Any) -> bool:
        if not is_number(value):
            self.add(path, f"must be a number, got {show(value)}")
            return False
        if is_int(value):
            if abs(value) > sys.float_info.max:  # beyond every double: float() overflows
                self.add(path, f"must be a finite number, got {_big(value)}")
                return False
            return True
        if math.isnan(value) or (math.isinf(value)):
            self.add(path, f"must be a finite number, got {value}")
            return False
        return True

    def random(
        self, path: str, value: dict, name: str, bounds: list[tuple[str, float, bool]]
    ) -> None:
        dist = value.get("random")
        if not isinstance(dist, str) or dist not in DISTRIBUTIONS:
            known = ", ".join(DISTRIBUTIONS)
            self.add(f"{path}.random", f"unknown distribution {show(dist)}; use one of {known}")
            return
        needed = DISTRIBUTIONS[dist]
        for key in value:
            if key not in ("random", "low", "high", "bound", *needed):
                self.add(
                    f"{path}.{key}",
                    f"unknown argument of a {dist} distribution "
                    f"(it takes {', '.join(needed)}, and optional low, high, bound)",
                )
        ok = True
        for key in needed:
            if key not in value:
                self.add(path, f"a {dist} distribution needs {show(key)}")
                ok = False
            elif not self.finite(f"{path}.{key}", value[key]):
                ok = False
        for key in ("low", "high"):
            if (
                key in value
                and value[key] is not None
                and not self.finite(f"{path}.{key}", value[key])
            ):
                ok = False
        if "bound" in value and value["bound"] not in BOUNDS:
            self.add(f"{path}.bound", f'must be "clip" or "redraw", got {show(value["bound"])}')
        if not ok:
            return
        if dist in ("normal", "lognormal") and value["std"] < 0:
            self.add(f"{path}.std", f"must be >= 0, got {show(value['std'])}")
        if dist == "uniform" and value["min"] > value["max"]:
            self.add(
                path, f"min must be <= max, got min {show(value['min'])} > max {show(value['max'])}"
            )
        if dist == "exponential" and value["beta"] <= 0:
            self.add(f"{path}.beta", f"must be > 0, got {show(value['beta'])}")
        low, high = value.get("low"), value.get("high")
        if low is not None and high is not None and low > high:
            self.add(path, f"low must be <= high, got low {show(low)} > high {show(high)}")
        # a random value respects a physical constraint when its bounds guarantee it
        for op, limit, _ in bounds:
            if op in (">", ">="):
                strict, edge, key = op == ">", low, "low"
                edge_ok = edge is not None and (edge > limit if strict else edge >= limit)
                if dist == "uniform" and not edge_ok:
                    edge_ok = value["min"] > limit if strict else value["min"] >= limit
                if dist in ("lognormal", "exponential") and limit <= 0:
                    edge_ok = True
            elif op in ("<", "<="):
                strict, edge, key = op == "<", high, "high"
                edge_ok = edge is not None and (edge < limit if strict else edge <= limit)
                if dist == "uniform" and not edge_ok:
                    edge_ok = value["max"] < limit if strict else value["max"] <= limit
            else:
                continue  # "!=": a continuous draw hits one value with probability 0
            if not edge_ok:
                self.add(
                    path,
                    f"{name} must be {op} {_num(limit)}; give the random value "
                    f'a "{key}" bound {op} {_num(limit)}',
                )

    def expression(
        self, path: str, value: str, name: str, bounds: list[tuple[str, float, bool]]
    ) -> None:
        """A parameter expression (project_files.parameters): its syntax and names, with the
        column of a problem, and the physical constraints its values must keep."""
        where = parameters.NODE if path.startswith("nodes") else parameters.CONNECTION
        if re.fullmatch(r"\s*[A-Za-z_]\w*\s*", value):  # a word, not an expression
            self.add(path, f"must be a number, got {show(value)}")
            return
        try:
            expr = parameters.parse(value, where=where, spatial=self.spatial_here)
        except parameters.ExpressionError as exc:
            self.add(path, f"{exc} of {show(value)}")
            return
        span = parameters.interval(expr)
        for op, limit, _ in bounds:
            if not span.satisfies(op, limit):
                self.add(
                    path,
                    f"{name} must be {op} {_num(limit)}, but {show(value)} can take values in "
                    f"[{_num(span.lo)}, {_num(span.hi)}]; bound it with math.max, math.min "
                    "or math.redraw",
                )

    # ------------------------------------------------------------ physical constraints

    def constraint(
        self,
        path: str,
        pspec: catalog.ParamSpec,
        bounds: list[tuple[str, float, bool]],
        value: Any,
    ) -> None:
        if not is_number(value):
            return
        if pspec.multiple_of == catalog.RESOLUTION and value >= self.resolution:
            if not multiple_of(value, self.resolution):
                self.add(
                    path,
                    f"must be a multiple of the resolution ({_num(self.resolution)} "
                    f"ms), got {show(value)}",
                )
        for op, limit, is_resolution in bounds:
            if not OPS[op](value, limit):
                extra = " (the simulation resolution)" if is_resolution else ""
                self.add(path, f"must be {op} {_num(limit)}{extra}, got {show(value)}")

    def model_constraints(self, params: dict, spec: catalog.ModelSpec, path: str) -> None:
        """The checks that need the node's whole parameter set (set values over defaults),
        so a node is validated as one transaction, as NEST's copy-validate-commit does."""
        self.relations(params, spec.constraints, spec.params, path)
        for pname, pspec in spec.params.items():
            other = pspec.same_length_as
            if other is None or other not in spec.params:
                continue
            t = params.get(other, spec.params[other].default)
            v = params.get(pname, pspec.default)
            if not (isinstance(t, list) and isinstance(v, list)):
                continue
            if pspec.may_be_empty and not v:
                continue
            if len(t) != len(v) and not _nested(t) and not _nested(v):
                self.add(
                    f"{path}.{pname}",
                    f"needs one value per entry of {other} ({len(t)}), got {len(v)}",
                )

    def relations(self, given: dict, constraints, specs: dict, path: str) -> None:
        """Constraints between two parameters, and resolution bounds on unset defaults."""
        for left, op, right in constraints:
            if left not in specs:
                continue
            if right == catalog.RESOLUTION:
                default = specs[left].default
                if (
                    left not in given
                    and is_number(default)
                    and not OPS[op](default, self.resolution)
                ):
                    unit = f" {specs[left].unit}" if specs[left].unit else ""
                    article = "an" if left[0] in "aeiou" else "a"
                    self.add(
                        f"{path}.{left}",
                        f"the default {left} {default}{unit} is below the resolution "
                        f"{_num(self.resolution)} ms; set {article} {left}",
                    )
                continue
            if not isinstance(right, str) or right not in specs:
                continue
            a = given.get(left, specs[left].default)
            b = given.get(right, specs[right].default)
            if not is_number(b):
                continue
            for value in a if isinstance(a, list) else [a]:
                if is_number(value) and not OPS[op](value, b):
                    where = left if left in given or right not in given else right
                    self.add(
                        f"{path}.{where}",
                        f"{left} must be {op} {right}, got {left} {show(value)} "
                        f"{NEGATION[op]} {right} {show(b)}",
                    )
                    break

    # ------------------------------------------------------------ connections

    def connections(self, conns: Any, nodes: dict[str, dict]) -> None:
        if not isinstance(conns, list):
            self.add("connections", f"must be a list, got {show(conns)}")
            return
        seen: set[str] = set()
        for i, conn in enumerate(conns):
            path = f"connections[{i}]"
            if not isinstance(conn, dict):
                self.add(path, f"must be an object, got {show(conn)}")
                continue
            self.unknown_keys(conn, CONN_KEYS, path)
            conn_id = conn.get("id")
            if not isinstance(conn_id, str) or not conn_id:
                self.add(f"{path}.id", f"must be a non-empty string, got {show(conn_id)}")
            elif conn_id in seen:
                self.add(f"{path}.id", f"duplicate connection id {show(conn_id)}")
            else:
                seen.add(conn_id)
            ends = {}
            for end in ("source", "target"):
                ref = conn.get(end)
                if not isinstance(ref, str):
                    self.add(f"{path}.{end}", f"must be a node id (string), got {show(ref)}")
                elif ref not in nodes:
                    self.add(f"{path}.{end}", f"no node has the id {show(ref)}")
                else:
                    ends[end] = nodes[ref]
            sizes = {}
            for end in ("source", "target"):
                node = ends.get(end)
                sizes[end] = self.indices(conn, end, node["size"] if node else None, path)
            layers = [ends[e].get("layer") if e in ends else None for e in ("source", "target")]
            self.spatial_here = all(ends.get(e, {}).get("spatial") for e in ("source", "target"))
            self.rule(conn.get("rule", {}), f"{path}.rule", sizes, layers)
            self.synapse(conn.get("synapse", {}), f"{path}.synapse", nodes)
            self.spatial_here = False
            if "source" in ends and "target" in ends:
                self.kinds(conn, ends["source"], ends["target"], path)

    def indices(self, conn: dict, end: str, size: int | None, path: str) -> int | None:
        """Check ``source_indices``/``target_indices``; return the number of neurons used."""
        key = f"{end}_indices"
        if key not in conn or conn[key] is None:
            return size
        value = conn[key]
        if not isinstance(value, list) or not value or not all(is_int(v) for v in value):
            self.add(
                f"{path}.{key}", f"must be a non-empty list of neuron indices, got {show(value)}"
            )
            return None
        if any(b <= a for a, b in zip(value, value[1:], strict=False)):
            self.add(f"{path}.{key}", f"indices must be sorted and unique, got {show(value)}")
        if size is not None:
            bad = [v for v in value if not 0 <= v < size]
            if bad:
                self.add(
                    f"{path}.{key}",
                    f"index {bad[0]} is outside the {end} node (0-based, size {size})",
                )
        return len(value)

    def rule(self, rule: Any, path: str, sizes: dict[str, int | None], layers=(None, None)) -> None:
        if not isinstance(rule, dict):
            self.add(path, f'must be an object like {{"rule": "all_to_all"}}, got {show(rule)}')
            return
        name = rule.get("rule", "all_to_all")
        rules = catalog.rules()
        if not isinstance(name, str) or name not in rules:
            known = ", ".join(sorted(rules))
            self.add(f"{path}.rule", f"unknown rule {show(name)}; known rules: {known}")
            return
        args = rules[name]
        options = catalog.rule_options()
        spatial_args = {
            k: v for k, v in catalog.spatial_rule_options().items() if name in v["rules"]
        }
        for key, value in rule.items():
            if key == "rule":
                continue
            spec = args.get(key) or options.get(key) or spatial_args.get(key)
            if spec is None:
                allowed = ", ".join([*args, *options, *spatial_args])
                self.add(f"{path}.{key}", f"unknown argument of rule {name}; it takes {allowed}")
                continue
            if key in spatial_args and key not in args and not self.spatial_here:
                self.add(f"{path}.{key}", f"{key} applies to connections between spatial nodes; "
                                          "give both nodes a spatial layer")  # fmt: skip
                continue
            if key == "mask":
                dims = {layer.dimensions for layer in layers if layer is not None}
                if len(dims) > 1:
                    self.add(f"{path}.{key}", "the source and target layers differ in "
                                              "dimensions (2D and 3D)")  # fmt: skip
                    continue
                mask_ok = spatial.check_mask(
                    self.add, value, f"{path}.{key}", dims.pop() if dims else None
                )
                # the layer the mask is applied to (NEST 3.10's direction, docs/spatial.md)
                on_targets = spatial.mask_on_targets(name, rule.get("use_on_source") is True)
                pool = layers[1] if on_targets else layers[0]
                if mask_ok and pool is not None and (why := spatial.oversized(value, pool)):
                    self.add(f"{path}.{key}", why)
                continue
            if key == "p" and isinstance(value, str):
                self.expression(f"{path}.{key}", value, "p", [])  # NEST: < 0 never, > 1 always
                continue
            if spec["type"] == "bool":
                if not isinstance(value, bool):
                    self.add(f"{path}.{key}", f"must be true or false, got {show(value)}")
            elif spec["type"] == "int":
                if not is_int(value):
                    self.add(f"{path}.{key}", f"must be an integer, got {show(value)}")
                elif not 0 <= value <= COUNT_MAX:
                    self.add(
                        f"{path}.{key}", f"must be between 0 and {COUNT_MAX}, got {_big(value)}"
                    )
            elif self.finite(f"{path}.{key}", value) and key == "p" and not 0 <= value <= 1:
                self.add(
                    f"{path}.{key}", f"must be a probability between 0 and 1, got {show(value)}"
                )
        for key, spec in args.items():
            if spec.get("required") and key not in rule:
                self.add(path, f"rule {name} needs {show(key)}")
        src, tgt = sizes.get("source"), sizes.get("target")
        if name == "one_to_one" and src is not None and tgt is not None and src != tgt:
            self.add(
                f"{path}.rule",
                f"one_to_one needs equally many sources and targets, got {src} and {tgt}",
            )
        no_multapses = rule.get("allow_multapses") is False
        for key, pool in (("indegree", src), ("outdegree", tgt)):
            n = rule.get(key)
            if no_multapses and is_int(n) and pool is not None and n > pool:
                self.add(
                    f"{path}.{key}",
                    f"{key} {n} exceeds the {pool} available neurons "
                    "while allow_multapses is false",
                )

    def synapse(self, syn: Any, path: str, nodes: dict[str, dict]) -> None:
        if not isinstance(syn, dict):
            self.add(path, f"must be an object, got {show(syn)}")
            return
        model = syn.get("model", "static_synapse")
        base, inherited = self.resolve(model)
        specs = catalog.synapse_models().get(base) if isinstance(base, str) else None
        if specs is None:
            copies = sorted(c for c, (b, _) in self.copies.items() if b in catalog.synapse_models())
            known = ", ".join([*sorted(catalog.synapse_models()), *copies])
            what = f"copy model {show(model)} of {base}" if model != base else show(model)
            builtin = isinstance(base, str) and base in catalog.models()
            kind = "not a synapse model" if builtin else "unknown synapse model"
            self.add(f"{path}.model", f"{kind} {what}; known: {known}")
            return
        constraints = catalog.synapse_constraints(base)
        for key, value in syn.items():
            if key == "model":
                continue
            if key == "receptor_type":
                if not is_int(value) or not 0 <= value <= COUNT_MAX:
                    self.add(f"{path}.{key}", f"must be an integer >= 0, got {_big(value)}")
                continue
            if key == "synapse_model":
                self.add(f"{path}.{key}", 'write the synapse model as "model"')
                continue
            if key == "params":
                self.synapse_params(value, f"{path}.params", base, specs, nodes)
                continue
            if key in specs and key not in ("weight", "delay"):
                self.add(
                    f"{path}.{key}",
                    f'a parameter of {base}: write it into "params" ("params": {{"{key}": ...}})',
                )
                continue
            if key not in SYNAPSE_KEYS:
                self.add(
                    f"{path}.{key}", f"unknown key; allowed keys here: {', '.join(SYNAPSE_KEYS)}"
                )
                continue
            if isinstance(value, list):
                self.add(f"{path}.{key}", f"must be a number or a random value, got {show(value)}")
                continue
            if isinstance(value, dict) and specs[key].common:
                self.add(
                    f"{path}.{key}",
                    f"{key} of {base} is shared by all its synapses (a NEST common "
                    "property): give one number, not a random value",
                )
                continue
            self.value(f"{path}.{key}", value, specs[key], None, self.bounds(constraints, key))
        own = syn.get("params", {}) if isinstance(syn.get("params", {}), dict) else {}
        given = {k: v for k, v in {**inherited, **own}.items() if k in specs}
        given.update({k: syn[k] for k in ("weight", "delay") if k in syn})
        self.relations(given, constraints, specs, path)
        for pname, pspec in specs.items():
            if pspec.required and pname not in given:
                having = ", ".join(
                    m.name for m in catalog.models().values() if m.role == pspec.node_role
                )
                self.add(
                    f"{path}.params",
                    f"{base} needs {show(pname)}: the id of a {having} node",
                )

    def synapse_params(
        self, params: Any, path: str, base: str, specs: dict, nodes: dict[str, dict]
    ) -> None:
        if not isinstance(params, dict):
            self.add(path, f"must be an object of {base}'s parameters, got {show(params)}")
            return
        constraints = catalog.synapse_constraints(base)
        for name, value in params.items():
            where = f"{path}.{name}"
            if name in ("weight", "delay"):
                self.add(where, f'write {name} beside "params" (synapse.{name}), not in it')
                continue
            pspec = specs.get(name)
            if pspec is None:
                known = ", ".join(sorted(k for k in specs if k not in ("weight", "delay")))
                self.add(
                    where, f"unknown parameter of {base}; its parameters are: {known or 'none'}"
                )
                continue
            if pspec.type == "node":
                self.node_ref(where, value, pspec, nodes)
                continue
            if isinstance(value, (dict, list)):
                self.add(where, f"must be a number, got {show(value)}")
                continue
            self.value(where, value, pspec, None, self.bounds(constraints, name))

    def kinds(self, conn: dict, source: dict, target: dict, path: str) -> None:
        """Only connections NEST accepts between neurons and devices, by the devices' roles:
        a sampler connects to the neurons it records, neurons connect to a spike recorder."""
        s, t = source["spec"], target["spec"]
        if s is None or t is None:
            return
        pair = f"{s.name} -> {t.name}"
        for end, spec in (("source", s), ("target", t)):
            if spec.is_weight_recorder:
                self.add(
                    f"{path}.{end}",
                    f"{pair}: a {spec.name} is not connected; name it in the synapse "
                    f'params of the connections it records ("weight_recorder": "{conn[end]}")',
                )
                return
        if s.is_volume_transmitter:
            self.add(
                f"{path}.source",
                f"{pair}: a {s.name} sends nothing; connect neurons to it and name it in the "
                "synapse params of the dopamine synapses "
                f'("volume_transmitter": "{conn["source"]}")',
            )
            return
        if t.is_volume_transmitter:
            if s.kind != "neuron":
                self.add(f"{path}.source", f"{pair}: only neurons connect to a {t.name}")
            return
        # a sampler records neurons and devices with recordables (I of current generators)
        sampled = s.is_sampler and (
            (t.kind == "neuron" and not t.receives_nothing) or bool(t.recordables)
        )
        if t.kind == "stimulator" and not sampled:
            self.add(
                f"{path}.target",
                f"{pair}: nothing can connect into a stimulator; "
                f"connect {s.name if s.kind == 'stimulator' else 'the stimulator'} to neurons",
            )
        elif t.receives_nothing and not sampled:
            self.add(
                f"{path}.target",
                f"{pair}: nothing can connect into a {t.name} (it only sends spikes); "
                f"connect the {t.name} to neurons or a spike recorder",
            )
        elif s.kind == "recorder" and not sampled:
            samplers = ", ".join(m.name for m in catalog.models().values() if m.is_sampler)
            spike = " or ".join(m.name for m in catalog.models().values() if m.is_spike_recorder)
            self.add(
                f"{path}.source",
                f"{pair}: only samplers ({samplers}) connect out, and only to neurons or to "
                f"devices with recordables (spike recorders receive: neuron -> {spike})",
            )
        elif t.kind == "recorder" and not (
            (t.is_spike_recorder or t.is_correlation_detector) and s.kind == "neuron"
        ):
            if t.is_sampler and s.kind == "neuron":
                self.add(
                    f"{path}.target",
                    f"{pair}: a {t.name} is connected to the neurons it "
                    f"records, {t.name} -> {s.name}, not the other way",
                )
            else:
                self.add(f"{path}.target", f"{pair}: a recorder only records neurons")
        if t.is_correlation_detector and s.kind == "neuron":
            # channels: 0 .. N_channels - 1 (correlomatrix), else NEST's two (0 and 1)
            channels = target["params"].get(
                "N_channels", t.params["N_channels"].default if "N_channels" in t.params else 2
            )
            receptor = (conn.get("synapse") or {}).get("receptor_type", 0)
            if (
                is_int(channels)
                and channels >= 1
                and is_int(receptor)
                and not 0 <= receptor < channels
            ):
                self.add(
                    f"{path}.synapse.receptor_type",
                    f"{pair}: the channel must be 0 .. {channels - 1}, got {show(receptor)}",
                )
        if sampled:
            variables = next((e for e in s.events if e in s.params), None)
            if variables is None:
                return
            record = source["params"].get(variables, s.params[variables].default)
            if isinstance(record, list):
                for j, name in enumerate(record):
                    if isinstance(name, str) and name not in t.recordables:
                        can = ", ".join(t.recordables) or "nothing"
                        self.add(
                            f"{source['path']}.params.{variables}[{j}]",
                            f"{show(name)} is not recordable from node {show(conn['target'])} "
                            f"({t.name} records {can})",
                        )
                    elif isinstance(name, str) and not receptor_recordable(name, target):
                        self.add(
                            f"{source['path']}.params.record_from[{j}]",
                            f"{show(name)} is not recordable from node {show(conn['target'])}: "
                            f"it has {receptor_count(target)} receptors (tau_syn)",
                        )

    # ------------------------------------------------------------ helpers

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.add(where, f"unknown key; allowed keys here: {', '.join(allowed)}")


def unknown_model_message(model: Any) -> str:
    """Names the closest known models (``spike_detector`` -> ``spike_recorder``) rather than
    all of them; ``spikedesk models`` lists every one."""
    known = sorted(catalog.models())
    close = []
    if isinstance(model, str):
        close = difflib.get_close_matches(model, known, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"unknown model {show(model)}; {hint}(`spikedesk models` lists the {len(known)} models)"


def receptor_count(node: dict) -> int | None:
    """The receptor ports of a node whose model has one per tau_syn entry (multisynapse)."""
    spec = node["spec"]
    if spec is None or not spec.receptor_ports:
        return None
    name = spec.receptor_ports
    ports = node["params"].get(name, spec.params[name].default)
    return len(ports) if isinstance(ports, list) else None


def receptor_recordable(name: str, node: dict) -> bool:
    """I_syn_k of a multisynapse node exists for its receptors k = 1 .. len(tau_syn) only."""
    match = re.fullmatch(r"I_syn_(\d+)", name)
    count = receptor_count(node)
    return match is None or count is None or 1 <= int(match[1]) <= count


def takes_expression(path: str) -> bool:
    """Where a parameter expression may stand: a node's parameters (evaluated per neuron), a
    connection's weight and delay (per synapse); not copy models' or synapse parameters,
    which the engine takes as one number."""
    return path.startswith("nodes[") or path.endswith((".synapse.weight", ".synapse.delay"))


def multiple_of(value: float, step: float) -> bool:
    """Whether ``value`` is a whole number of ``step``s (up to float rounding)."""
    try:
        k = value / step
    except OverflowError:  # a huge integer
        return False
    if not math.isfinite(k):
        return False
    return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))


def _num(value: float) -> str:
    """A limit for messages: 0 rather than 0.0, 0.1 as 0.1."""
    return show(int(value)) if float(value).is_integer() else show(value)


def _big(value: Any) -> str:
    """An integer for messages, shortened when it has more digits than anyone reads."""
    if is_int(value) and abs(value) > 10**30:
        digits = int(abs(value).bit_length() * 0.30103) + 1  # str() refuses > 4300 digits
        return f"an integer of about {digits} digits"
    return show(value)


def _nested(value: list) -> bool:
    return bool(value) and all(isinstance(v, list) for v in value)


def type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), show(value))
