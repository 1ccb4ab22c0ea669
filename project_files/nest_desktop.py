"""Import NEST Desktop project files (3.x and 4.x exports) as spikedesk projects.

What NEST Desktop simulates is what it writes into its PyNEST script, and that is what is
imported:

- Only *visible* parameters are applied (``"visible": false`` marks a value NEST Desktop keeps in
  the file but leaves out of the script, so NEST's default, or the copy model's value, holds).
  A parameter without the key is visible (3.0 files and 4.x exports, which list only the
  visible ones).
- Copy models (``network.models: [{"existing", "new", "params"}]``: NEST's ``CopyModel``)
  become the project's ``copy_models`` (a copy of a copy is folded down to one copy of the
  built-in model) with their visible parameters, and nodes and connections keep using them by
  name. A synapse copy's weight and delay are written into the connections using it unless
  they set their own (spikedesk keeps weight and delay on connections), which is noted.
- Synapse parameters (Tsodyks U, tau_rec, ..., STDP's) are imported by NEST's names; a
  ``weight_recorder`` names a weight recorder node by NEST Desktop's label (``wr1``: the
  first weight recorder), which is the id the node gets here.

``read`` returns every project with the notes on what was approximated (synapse copies'
weights written into connections, hidden values left out, ignored recorder weights, ...).
- Spatial nodes (``"spatial": {"positions": "grid" | "free", "specs": {...}}``) become layers
  as NEST Desktop's script creates them: a grid is ``nest.spatial.grid(shape)`` (``shape``, or
  ``columns`` and ``rows``), free positions are the listed ``pos`` (rounded to two decimals, as
  the script writes them) or ``nest.spatial.free(nest.random.uniform(-0.5, 0.5),
  num_dimensions=...)``. The script leaves ``extent``, ``center`` and ``edgeWrap`` out, so they
  are left out here too (noted where they would change anything). A connection's ``mask``
  (``{"masktype", "specs"}``, an ``anchor`` among the specs) becomes the rule's mask, and is
  noted: NEST Desktop draws it but its script does not pass it to NEST. Connection parameters
  of the types ``spatial.distance`` (``a * distance + c``) and ``spatial_distributions.*`` (of
  the distance) become expressions (a kernel ``p``, a weight or a delay).

What spikedesk cannot simulate (compartmental neurons, synapse models or
parameters outside the catalog) and what is malformed are problems, all reported at once,
each naming the project, the node or connection and the parameter. Malformed input never
raises anything but ``ProjectError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import catalog, parameters, spatial
from .project import (
    Connection,
    CopyModel,
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
RANDOM_TYPES = parameters.registry.RANDOM_OBJECT_ARGS  # NEST Desktop's random types: NEST's
# NEST Desktop's kernels of the distance (its script: nest.<type>(nest.spatial.distance, ...))
# (the registry's kernels of one parameter, and their number arguments)
SPATIAL_KERNELS = {
    name: tuple(a.name for a in f.args if a.kind != "parameter")
    for name, f in parameters.FUNCTIONS.items()
    if name.startswith("spatial_distributions.")
    and [a.kind for a in f.args].count("parameter") == 1
}
# Larger magnitudes are no NEST Desktop value (and overflow later arithmetic).
MAX_MAGNITUDE = 1e12
MAX_VALUES = 1_000_000  # values one list / np.linspace / np.arange may give
MAX_SIZE = 10_000_000  # neurons in one node
MAX_LISTED = 6  # paths named in one note
INTERNAL = "internal error while reading this"


class _Bad(Exception):
    """One malformed value: ``message`` says what is wrong (the caller knows where)."""


@dataclass
class Imported:
    """One project of a NEST Desktop file: the project, or the problems that stop it."""

    name: str
    project: Project | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def projects_in(data: Any) -> list[dict]:
    """The project objects of a NEST Desktop file: one, a list, or ``{"projects": [...]}``."""
    if isinstance(data, list):
        return [p for p in data if isinstance(p, dict)]
    if isinstance(data, dict) and isinstance(data.get("projects"), list):
        return [p for p in data["projects"] if isinstance(p, dict)]
    if isinstance(data, dict) and "network" in data:
        return [data]
    return []


def read(data: Any, source: str = "<nest-desktop>") -> list[Imported]:
    """Every project in ``data``, each imported or with its problems; raises ``ProjectError``
    only when the file holds no NEST Desktop project at all."""
    found = projects_in(data)
    if not found:
        raise ProjectError(source, [Problem("", "no NEST Desktop project found in this file")])
    out = []
    for number, raw in enumerate(found):
        name = raw.get("name")
        name = name.strip() if isinstance(name, str) and name.strip() else f"project {number + 1}"
        reader = _Reader(f"project {name!r}")
        try:
            project = reader.project(raw, name)
        except Exception as exc:  # a bug here must not take the app down: report it
            reader.problem("", f"{INTERNAL} project ({type(exc).__name__}: {exc})")
            project = None
        if project is not None and not reader.problems:
            try:
                found_problems = validate(project)
            except Exception as exc:
                found_problems = [Problem("", f"{INTERNAL} project ({type(exc).__name__}: {exc})")]
            for p in found_problems:
                reader.problems.append(Problem(_join(reader.where, p.path), p.message))
        ok = project if not reader.problems else None
        out.append(Imported(name, ok, reader.problems, reader.notes))
    return out


def import_data(data: Any, source: str = "<nest-desktop>") -> list[Project]:
    """Every project in ``data``; raises ``ProjectError`` listing all problems of all of them."""
    found = read(data, source)
    problems = [p for item in found for p in item.problems]
    if problems:
        raise ProjectError(source, problems)
    return [item.project for item in found if item.project is not None]


def notes_of(data: Any, source: str = "<nest-desktop>") -> list[str]:
    """What importing ``data`` approximated, one sentence each (naming project and part)."""
    return [note for item in read(data, source) for note in item.notes]


def _join(where: str, path: str) -> str:
    return f"{where} > {path}" if path else where


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalar(value: Any) -> Any:
    """A number, boolean or string from the file (numeric strings become numbers)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_MAGNITUDE:
            raise _Bad(f"{_short(value)} is out of range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise _Bad(f"{_short(value)} is not a finite number of sensible size")
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 64:
            return value  # a long text is no number; the model decides if it may be text
        try:
            number = float(text)
        except ValueError:
            return value
        if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
            raise _Bad(f"{_short(value)} is not a finite number of sensible size")
        return number
    raise _Bad(f"must be a number, got {_kind(value)}")


def _value(value: Any) -> Any:
    """A parameter value: a scalar or a flat list of scalars."""
    if isinstance(value, list):
        if len(value) > MAX_VALUES:
            raise _Bad(f"a list of {len(value)} values is too long (at most {MAX_VALUES})")
        if any(isinstance(v, (list, dict)) for v in value):
            raise _Bad("nested lists are not supported")
        return [_scalar(v) for v in value]
    return _scalar(value)


def _number(value: Any, what: str = "") -> float:
    try:
        value = _scalar(value)
    except _Bad as exc:
        raise _Bad(f"{what}{exc}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"{what}must be a number, got {_short(value)}")
    return float(value)


def _whole(value: Any, what: str, low: int, high: int) -> int:
    number = _number(value, what)
    if number != int(number):
        raise _Bad(f"{what}must be a whole number, got {_short(value)}")
    if not low <= number <= high:
        raise _Bad(f"{what}must be between {low} and {high}, got {_short(value)}")
    return int(number)


def _as_list(value: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(f"{what} must be a list, got {_kind(value)}")
    return value


def _as_dict(value: Any, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad(f"{what} must be an object, got {_kind(value)}")
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (type(a) is type(b) and a == b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@dataclass
class _Param:
    value: Any
    visible: bool


def _count(count: int, what: str) -> str:
    return f"{count} {what}{'s' if count != 1 else ''}"


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:MAX_LISTED])
    return shown + (f" and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else "")


class _Reader:
    """Reads one NEST Desktop project, collecting problems and notes."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.hidden: list[str] = []  # hidden values that differ from what applies

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(_join(self.where, path), message))

    def note(self, message: str) -> None:
        self.notes.append(f"{self.where}: {message}")

    # ------------------------------------------------------------ parameters
    def params(self, raw: Any, path: str) -> dict[str, _Param]:
        """Parameter entries by id (visible or not); malformed ones become problems."""
        try:
            entries = _as_list(raw, "params")
        except _Bad as exc:
            self.problem(f"{path}.params", str(exc).removeprefix("params "))
            return {}
        out: dict[str, _Param] = {}
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict):
                self.problem(
                    f"{path}.params[{number}]",
                    f"must be an object with an id and a value, got {_kind(entry)}",
                )
                continue
            pid = entry.get("id")
            if not isinstance(pid, str) or not pid:
                self.problem(f"{path}.params[{number}]", "has no parameter id")
                continue
            where = f"{path}.params.{pid}"
            visible = entry.get("visible", True)
            if not isinstance(visible, bool):
                self.problem(f"{where}.visible", f"must be true or false, got {_short(visible)}")
                continue
            try:
                value = self.param_value(entry)
            except _Bad as exc:
                self.problem(where, str(exc))
                continue
            out[pid] = _Param(value, visible)
        return out

    def param_value(self, entry: dict) -> Any:
        kind_spec = entry.get("type")
        if kind_spec is None:
            kind = "constant"
        elif isinstance(kind_spec, dict):
            kind = kind_spec.get("id", "constant")
        elif isinstance(kind_spec, str):
            kind, kind_spec = kind_spec, {}
        else:
            raise _Bad(f"its type must be an object, got {_kind(kind_spec)}")
        if not isinstance(kind, str):
            raise _Bad(f"its type id must be a string, got {_kind(kind)}")
        kind = kind.removeprefix("random.")
        if kind == "constant":
            if "value" not in entry:
                raise _Bad("has no value")
            return _value(entry["value"])
        specs: dict[str, float] = {}
        for spec in _as_list(kind_spec.get("specs"), "its type specs"):
            if isinstance(spec, dict) and isinstance(spec.get("id"), str):
                specs[spec["id"]] = _number(spec.get("value"), f"its {spec['id']} ")
        if kind == "np.linspace":
            if not {"start", "stop", "num"} <= set(specs):
                raise _Bad("np.linspace needs start, stop and num")
            num = _whole(specs["num"], "np.linspace num ", 1, MAX_VALUES)
            step = (specs["stop"] - specs["start"]) / (num - 1) if num > 1 else 0.0
            return tuple(specs["start"] + i * step for i in range(num))
        if kind == "np.arange":
            if not {"start", "stop"} <= set(specs):
                raise _Bad("np.arange needs start and stop")
            step = specs.get("step", 1.0)
            if step == 0:
                raise _Bad("np.arange step must not be 0")
            count = max(0, math.ceil((specs["stop"] - specs["start"]) / step))
            if not 1 <= count <= MAX_VALUES:
                raise _Bad(f"np.arange gives {count} values (1 to {MAX_VALUES} are possible)")
            return tuple(specs["start"] + i * step for i in range(count))
        if kind == "spatial.distance":  # NEST Desktop: a * distance + c
            a, c = specs.get("a", 1.0), specs.get("c", 0.0)
            text = "spatial.distance" if a == 1 else f"{a!r} * spatial.distance"
            return parameters.Expression(text if c == 0 else f"{text} + {c!r}")
        if kind in SPATIAL_KERNELS:
            args = ", ".join(f"{k}={specs[k]!r}" for k in SPATIAL_KERNELS[kind] if k in specs)
            sep = ", " if args else ""
            return parameters.Expression(f"{kind}(spatial.distance{sep}{args})")
        if kind in RANDOM_TYPES:
            missing = [a for a in RANDOM_TYPES[kind] if a not in specs]
            if missing:
                raise _Bad(f"the {kind} distribution needs {', '.join(missing)}")
            args = {a: specs[a] for a in RANDOM_TYPES[kind]}
            return RandomParameter(kind, frozen_map(args))
        raise _Bad(f"parameter type {kind!r} is not supported")

    def applied(self, params: dict[str, _Param], under: dict[str, Any], path: str,
                defaults: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
        """The visible values over ``under``; hidden values that differ are remembered."""
        out = dict(under)
        for pid, param in params.items():
            if param.visible:
                out[pid] = param.value
            elif pid not in IGNORED_PARAMS:
                effective = out.get(pid, defaults.get(pid))
                if effective is not None and not _same(param.value, effective):
                    self.hidden.append(f"{path}.{pid}")
        return out

    # ------------------------------------------------------------ project
    def project(self, raw: dict, name: str) -> Project | None:
        try:
            network = _as_dict(raw.get("network"), "network")
            simulation = self.simulation(raw)
            description = raw.get("description")
            description = description if isinstance(description, str) else ""
        except _Bad as exc:
            self.problem("", str(exc))
            return None
        self.copies = self.copy_models(network)
        self.used: dict[str, int] = {}
        self.folded: dict[str, int] = {}  # synapse copies whose weight/delay went to connections
        self.empty: set[str] = set()  # copies with nothing of their own: folded away
        nodes = self.nodes(network)
        connections = self.connections(network, nodes)
        copy_models = self.kept_copies(nodes)
        for new, count in self.folded.items():
            existing, params = self.copies[new]
            values = ", ".join(
                f"{k} {_short(v)}" for k, v in sorted(params.items()) if k in ("weight", "delay")
            )
            self.note(
                f"copy model {new!r} ({existing}, {values}) was written into the "
                f"{_count(count, 'connection')} using it (spikedesk keeps weight and delay on "
                "connections)"
            )
        if self.hidden:
            self.note(
                f"{_count(len(self.hidden), 'hidden value')} that NEST Desktop keeps but does not "
                "apply (NEST's default holds, as in NEST Desktop): " + _listed(self.hidden)
            )
        if self.problems:
            return None
        return Project(
            name=name,
            description=description,
            simulation=simulation,
            nodes=tuple(n for n in nodes if n is not None),
            connections=tuple(connections),
            copy_models=frozen_map(copy_models),
        )

    def kept_copies(self, nodes: list[Node | None]) -> dict[str, CopyModel]:
        """The used copy models as spikedesk copy models of their built-in model: typed
        parameters, without a synapse's weight and delay (those went to the connections)."""
        out = {}
        for new in self.used:
            if new in self.empty:
                continue
            existing, params = self.copies[new]
            path = f"models.{new}.params"
            if new in catalog.models() or new in catalog.synapse_models():
                self.problem(f"models.{new}", f"copy model {new!r} has a built-in model's name")
                continue
            synapse = existing in catalog.synapse_models()
            if not synapse and existing not in catalog.models():
                continue  # an unknown base model: said where the copy is used
            specs = (
                catalog.synapse_models()[existing] if synapse else catalog.model(existing).params
            )
            kept = {}
            for pid, value in params.items():
                if pid in IGNORED_PARAMS or (synapse and pid in ("weight", "delay")):
                    continue
                if pid not in specs:
                    self.problem(f"{path}.{pid}", f"{existing} has no parameter {pid!r} here")
                    continue
                try:
                    value = self.typed_param(value, specs[pid], nodes)
                except _Bad as exc:
                    self.problem(f"{path}.{pid}", str(exc))
                    continue
                if isinstance(value, (tuple, RandomParameter)) and specs[pid].type in (
                    "float",
                    "int",
                    "bool",
                ):
                    self.problem(f"{path}.{pid}", "a copy model's value must be one number")
                    continue
                if not _same(value, specs[pid].default):
                    kept[pid] = value
            out[new] = CopyModel(existing, frozen_map(kept))
        return out

    def typed_param(self, value: Any, spec: catalog.ParamSpec, nodes: list[Node | None]) -> Any:
        """A parameter value as the catalog types it; a node reference (weight_recorder)
        becomes the id of the node NEST Desktop's label names."""
        if spec.type != "node":
            return _typed(value, spec.type)
        if isinstance(value, str):
            found = [n for n in nodes if n is not None and n.id == value]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found = [nodes[int(value)]] if 0 <= value < len(nodes) and value == int(value) else []
        else:
            found = []
        if not found or found[0] is None:
            raise _Bad(f"names no node of this project ({_short(value)})")
        return found[0].id

    def simulation(self, raw: dict) -> Simulation:
        sim = _as_dict(raw.get("simulation"), "simulation")
        kernel = _as_dict(sim.get("kernel"), "simulation.kernel")
        out = {}
        for key, spec, convert in (
            ("time", "duration", lambda v: _number(v, "simulation time ")),
            ("resolution", "resolution", lambda v: _number(v, "simulation resolution ")),
            ("rngSeed", "seed", lambda v: _whole(v, "simulation seed ", 0, 2**63)),
            ("localNumThreads", "threads", lambda v: _whole(v, "threads ", 0, 2**31)),
        ):
            source = sim if key == "time" else kernel
            if source.get(key) is not None:
                out[spec] = convert(source[key])
        return Simulation(**out)

    def copy_models(self, network: dict) -> dict[str, tuple[str, dict[str, Any]]]:
        """Copy model name -> (the built-in model it copies, its visible parameters)."""
        raw: dict[str, tuple[str, dict[str, _Param]]] = {}
        try:
            entries = _as_list(network.get("models"), "network.models")
        except _Bad as exc:
            self.problem("models", str(exc).removeprefix("network.models "))
            return {}
        for number, entry in enumerate(entries):
            path = f"models[{number}]"
            if not isinstance(entry, dict):
                self.problem(path, f"must be an object, got {_kind(entry)}")
                continue
            new, existing = entry.get("new"), entry.get("existing")
            if not isinstance(new, str) or not isinstance(existing, str):
                self.problem(path, "a copy model needs the names 'existing' and 'new'")
                continue
            raw[new] = (existing, self.params(entry.get("params"), f"models.{new}"))
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for new in raw:  # a copy of a copy: fold down to the built-in model
            chain, name, params = [new], raw[new][0], dict()
            layers = [raw[new][1]]
            while name in raw and name not in chain:
                chain.append(name)
                layers.append(raw[name][1])
                name = raw[name][0]
            if name in raw:
                self.problem(f"models.{new}", f"copy models copy each other in a circle: {chain}")
                continue
            for layer in reversed(layers):
                params.update({k: p.value for k, p in layer.items() if p.visible})
            out[new] = (name, params)
        return out

    def resolve(self, model: str) -> tuple[str, dict[str, Any]]:
        if model in self.copies:
            self.used[model] = self.used.get(model, 0) + 1
            return self.copies[model]
        return model, {}

    def kept_name(self, model: str) -> str:
        """The model name a node or connection keeps: the copy's, unless the copy sets
        nothing but weight and delay (then it is folded into its users, as before version 2:
        the built-in model, and for nodes the copy's name as label)."""
        if model not in self.copies:
            return model
        base, params = self.copies[model]
        if set(params) - {"weight", "delay", *IGNORED_PARAMS}:
            return model
        self.empty.add(model)
        return base

    # ------------------------------------------------------------ nodes
    def nodes(self, network: dict) -> list[Node | None]:
        try:
            entries = _as_list(network.get("nodes"), "network.nodes")
        except _Bad as exc:
            self.problem("nodes", str(exc).removeprefix("network.nodes "))
            return []
        self.counters: dict[str, int] = {}
        out: list[Node | None] = []
        for index, raw_node in enumerate(entries):
            path = f"nodes[{index}]"
            before = len(self.problems)
            try:
                node = self.node(raw_node, path)
            except _Bad as exc:
                self.problem(path, str(exc))
                node = None
            except Exception as exc:
                self.problem(path, f"{INTERNAL} node ({type(exc).__name__}: {exc})")
                node = None
            out.append(node if len(self.problems) == before else None)
        return out

    def node(self, raw: Any, path: str) -> Node | None:
        if not isinstance(raw, dict):
            raise _Bad(f"must be an object, got {_kind(raw)}")
        model = raw.get("model")
        if not isinstance(model, str):
            raise _Bad(f"model must be a model name, got {_kind(model)}")
        params = self.params(raw.get("params"), path)
        copy_name = model
        model, inherited = self.resolve(model)
        inherited = {k: v for k, v in inherited.items() if k not in IGNORED_PARAMS}
        unsupported = False
        layer = None
        if "spatial" in raw:
            try:
                layer = self.layer(raw["spatial"], f"{path}.spatial", raw.get("size"))
            except _Bad as exc:
                self.problem(f"{path}.spatial", str(exc))
                unsupported = True
        if "compartments" in raw:
            self.problem(path, "compartmental neurons are not supported")
            unsupported = True
        if model not in catalog.models():
            self.problem(f"{path}.model", f"model {model!r} is not supported by spikedesk")
            return None
        if unsupported:
            return None
        spec = catalog.model(model)
        values = self.applied(params, {}, f"{path}.params", {**spec.defaults(), **inherited})
        records = raw.get("records")
        if "record_from" in spec.params and isinstance(records, list) and records:
            # NEST Desktop writes a multimeter's chosen records as its record_from
            names = [r.get("id") if isinstance(r, dict) else r for r in records]
            if not all(isinstance(n, str) for n in names):
                raise _Bad(f"records must name recordable variables, got {_short(records)}")
            values.setdefault("record_from", names)
        kept = {}
        for pid, value in values.items():
            if pid in IGNORED_PARAMS:
                continue
            if pid not in spec.params:
                self.problem(f"{path}.params.{pid}", f"{model} has no parameter {pid!r} here")
                continue
            param_spec = spec.params[pid]
            if (
                param_spec.type.startswith("list")
                and pid in params
                and not params[pid].visible
                and isinstance(value, (int, float))
            ):
                continue  # a hidden scalar stands for an unset list (spike_weights: 0)
            try:
                value = _typed(value, param_spec.type)
            except _Bad as exc:
                self.problem(f"{path}.params.{pid}", str(exc))
                continue
            under = inherited.get(pid, param_spec.default)
            if not isinstance(value, RandomParameter) and _same(value, under):
                continue
            kept[pid] = value
        size = 1 if raw.get("size") is None else _whole(raw["size"], "size ", 1, MAX_SIZE)
        if layer is not None and layer.size is not None and layer.size != size:
            self.note(f"{path}: size {size} differs from its layer's {layer.size} positions; "
                      "the layer's count holds (NEST takes no size with a grid)")  # fmt: skip
            size = layer.size
        if layer is not None and spec.kind != "neuron":
            self.problem(f"{path}.spatial", f"a spatial layer places neurons; {model} is a "
                                            f"{spec.kind}")  # fmt: skip
            return None
        short = spec.id_prefix
        self.counters[short] = self.counters.get(short, 0) + 1
        view = raw.get("view") if isinstance(raw.get("view"), dict) else {}
        pos = view.get("position") if isinstance(view.get("position"), dict) else {}
        try:
            position = Position(_number(pos.get("x", 0.0)), _number(pos.get("y", 0.0)))
        except _Bad:
            position = Position()
            self.note(f"{path}: its canvas position {_short(pos)} is unusable; placed at 0, 0")
        color = view.get("color")
        return Node(
            id=f"{short}{self.counters[short]}",
            model=self.kept_name(copy_name),
            size=size,
            label=copy_name if self.kept_name(copy_name) != copy_name else "",
            params=frozen_map(kept),
            position=position,
            **({"color": color.lower()} if _is_color(color) else {}),
            spatial=layer,
        )

    def layer(self, raw: Any, path: str, size: Any) -> spatial.Layer | None:
        """The layer NEST Desktop's script creates for a node's ``spatial`` entry (None: no
        positions). Raises ``_Bad`` for what cannot be a layer."""
        raw = _as_dict(raw, "spatial")
        kind = raw.get("positions")
        if kind in (None, "", "none"):
            return None
        specs = _as_dict(raw.get("specs"), "spatial specs")
        if kind == "grid":
            shape = specs.get("shape")
            if shape is None and ("columns" in specs or "rows" in specs):
                shape = [specs.get("columns", 1), specs.get("rows", 1)]
            shape = [_whole(v, "grid shape ", 1, MAX_SIZE) for v in _as_list(shape, "shape")]
            if len(shape) not in (2, 3):
                raise _Bad(f"a grid shape has 2 or 3 numbers, got {_short(shape)}")
            if math.prod(shape) > MAX_SIZE:
                raise _Bad(f"a grid of {math.prod(shape)} neurons is too large")
            data: dict = {"grid": {"shape": shape}}
            dims = len(shape)
        elif kind == "free":
            dims = _whole(specs.get("numDimensions", 2), "numDimensions ", 2, 3)
            points = _as_list(specs.get("pos"), "pos")
            if points:
                if len(points) > MAX_SIZE:
                    raise _Bad(f"{len(points)} positions are too many")
                rows = []
                for p in points:
                    row = _as_list(p, "a position")
                    if len(row) != dims:
                        raise _Bad(f"a position needs {dims} numbers, got {_short(p)}")
                    rows.append([round(_number(v, "a position "), 2) for v in row])
                data = {"free": {"pos": rows}}
            else:
                data = {"free": {"pos": "random.uniform(min=-0.5, max=0.5)",
                                 "num_dimensions": dims}}  # fmt: skip
        else:
            raise _Bad(f"positions must be 'grid' or 'free', got {_short(kind)}")
        left_out = []
        if specs.get("edgeWrap"):
            left_out.append("edgeWrap")
        for key, default in (("extent", 1.0), ("center", 0.0)):
            value = specs.get(key)
            if isinstance(value, list) and any(
                not _same(_number(v, f"{key} "), default) for v in value
            ):
                left_out.append(key)
        if left_out:
            self.note(f"{path}: NEST Desktop's script creates the layer without "
                      f"{', '.join(left_out)}; so does spikedesk")  # fmt: skip
        problems: list[str] = []
        found = spatial.check_layer(lambda where, msg: problems.append(msg), data, "spatial")
        if found is None:
            raise _Bad("; ".join(problems) or "not a layer")
        return found

    # ------------------------------------------------------------ connections
    def connections(self, network: dict, nodes: list[Node | None]) -> list[Connection]:
        try:
            entries = _as_list(network.get("connections"), "network.connections")
        except _Bad as exc:
            self.problem("connections", str(exc).removeprefix("network.connections "))
            return []
        out: list[Connection] = []
        self.recorder_weights: list[str] = []
        self.dropped: list[str] = []
        for index, raw_conn in enumerate(entries):
            path = f"connections[{index}]"
            try:
                conn = self.connection(raw_conn, path, nodes, out)
            except _Bad as exc:
                self.problem(path, str(exc))
                conn = None
            except Exception as exc:
                self.problem(path, f"{INTERNAL} connection ({type(exc).__name__}: {exc})")
                conn = None
            if conn is not None:
                out.append(conn)
        if self.recorder_weights:
            self.note(
                "recorder connections carry no weight or delay in spikedesk; ignored the ones "
                "set on " + _listed(self.recorder_weights)
            )
        if self.dropped:
            self.note("connection settings spikedesk does not use were left out: "
                      + _listed(self.dropped))  # fmt: skip
        return out

    def connection(
        self, raw: Any, path: str, nodes: list[Node | None], done: list[Connection]
    ) -> Connection | None:
        if not isinstance(raw, dict):
            raise _Bad(f"must be an object, got {_kind(raw)}")
        ends = []
        for end in ("source", "target"):
            value = raw.get(end)
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _Bad(f"its {end} must be a node's position in the list, got {_kind(value)}")
            try:
                number = _whole(value, "", 0, len(nodes) - 1) if nodes else None
            except _Bad:
                number = None
            if number is None:
                raise _Bad(f"its {end} {_short(value)} does not name a node of this project")
            ends.append(nodes[number])
        source, target = ends
        rule_params = self.params(raw.get("params"), path)
        synapse_raw = raw.get("synapse")
        if synapse_raw is not None and not isinstance(synapse_raw, dict):
            raise _Bad(f"its synapse must be an object, got {_kind(synapse_raw)}")
        synapse_raw = synapse_raw or {}
        synapse_params = self.params(synapse_raw.get("params"), f"{path}.synapse")
        rule = raw.get("rule", "all_to_all")
        rule = "all_to_all" if rule is None or rule == "" else rule
        if not isinstance(rule, str):
            raise _Bad(f"its rule must be a rule name, got {_kind(rule)}")
        if rule not in catalog.rules():
            self.problem(f"{path}.rule", f"connection rule {rule!r} is not supported")
            return None
        synapse_model = synapse_raw.get("model") or "static_synapse"
        if not isinstance(synapse_model, str):
            raise _Bad(f"its synapse model must be a name, got {_kind(synapse_model)}")
        if source is None or target is None:
            return None  # the node's own problem is reported
        base, inherited = self.resolve(synapse_model)
        if base not in catalog.synapse_models():
            self.problem(
                f"{path}.synapse.model",
                f"synapse model {base!r} is not supported by spikedesk",
            )
            return None
        specs = catalog.synapse_models()[base]
        defaults = {k: p.default for k, p in specs.items()}
        own = self.applied(synapse_params, {}, f"{path}.synapse", {**defaults, **inherited})
        synapse = {**inherited, **own}
        unknown = sorted(set(own) - set(specs))
        if unknown:
            self.problem(
                f"{path}.synapse",
                f"{base} has no parameters {unknown} (spikedesk's catalog: NEST's names)",
            )
            return None
        params = {}
        for pid in sorted(set(own) - {"weight", "delay"}):
            try:
                value = self.typed_param(own[pid], specs[pid], nodes)
            except _Bad as exc:
                self.problem(f"{path}.synapse.params.{pid}", str(exc))
                return None
            if isinstance(value, (tuple, RandomParameter)):
                self.problem(f"{path}.synapse.params.{pid}", "must be one number")
                return None
            if not _same(value, inherited.get(pid, specs[pid].default)):
                params[pid] = value
        if synapse_model in self.copies and any(
            k in inherited and k not in own for k in ("weight", "delay")
        ):
            self.folded[synapse_model] = self.folded.get(synapse_model, 0) + 1
        args = self.rule_args(rule, rule_params, path)
        if args is None:
            return None
        if raw.get("mask") is not None:
            mask = self.mask(raw["mask"], f"{path}.mask")
            if mask is not None:
                args["mask"] = spatial.freeze(mask)
        recorder = "recorder" in (
            catalog.model(self.copies.get(source.model, (source.model,))[0]).kind,
            catalog.model(self.copies.get(target.model, (target.model,))[0]).kind,
        )
        values = {}
        for key in ("weight", "delay"):
            value = synapse.get(key, defaults[key])
            if recorder:
                if key in synapse and not _same(value, defaults[key]):
                    self.recorder_weights.append(f"{path}.{key}")
                value = defaults[key]
            try:
                values[key] = _typed(value, "float")
            except _Bad as exc:
                self.problem(f"{path}.synapse.params.{key}", str(exc))
                return None
            if isinstance(values[key], tuple):
                self.problem(f"{path}.synapse.params.{key}", "one value per connection is not "
                             "supported; give one value or a random one")  # fmt: skip
                return None
        conn_id = f"{source.id}-{target.id}"
        if any(c.id == conn_id for c in done):
            conn_id += f"-{path.removeprefix('connections[').removesuffix(']')}"
        return Connection(
            id=conn_id,
            source=source.id,
            target=target.id,
            rule=Rule(rule, frozen_map(args)),
            synapse=Synapse(
                model=self.kept_name(synapse_model),
                weight=values["weight"],
                delay=values["delay"],
                params=frozen_map(params),
            ),
        )

    def mask(self, raw: Any, path: str) -> dict | None:
        """NEST's mask dictionary of NEST Desktop's ``{"masktype", "specs"}`` (an anchor among
        the specs becomes the mask's anchor); None without a mask."""
        try:
            raw = _as_dict(raw, "mask")
            kind = raw.get("masktype", "none")
            if kind in (None, "none"):
                return None
            if kind not in spatial.MASKS:
                raise _Bad(f"mask type {_short(kind)} is not one of {', '.join(spatial.MASKS)}")
            body, anchor = {}, None
            for key, value in _as_dict(raw.get("specs"), "mask specs").items():
                if isinstance(value, list):
                    value = [_number(v, f"{key} ") for v in value]
                else:
                    value = _number(value, f"{key} ")
                if key == "anchor":
                    anchor = value
                else:
                    body[key] = value
        except _Bad as exc:
            self.problem(path, str(exc))
            return None
        mask: dict[str, Any] = {kind: body}
        if anchor is not None and any(v != 0 for v in anchor):
            mask["anchor"] = anchor
        self.note(f"{path}: the {kind} mask is applied; NEST Desktop draws it, but its own script "
                  "does not pass it to NEST")  # fmt: skip
        return mask

    def rule_args(self, rule: str, params: dict[str, _Param], path: str) -> dict | None:
        own = catalog.rules()[rule]
        options = {
            **{k: v for k, v in catalog.spatial_rule_options().items() if rule in v["rules"]},
            **catalog.rule_options(),
        }
        args: dict[str, Any] = {}
        for key, param in params.items():
            spec = own.get(key) or options.get(key)
            if spec is None or not param.visible:
                if param.visible:
                    self.dropped.append(f"{path}.{key}")
                continue
            try:
                value = _typed(param.value, spec.get("type", "float"))
            except _Bad as exc:
                self.problem(f"{path}.params.{key}", str(exc))
                return None
            if isinstance(value, (tuple, RandomParameter)) or (
                isinstance(value, parameters.Expression) and key != "p"
            ):
                self.problem(f"{path}.params.{key}", "must be one number")
                return None
            if key in options and _same(value, options[key].get("default")):
                continue
            args[key] = value
        return args


def _typed(value: Any, kind: str) -> Any:
    """``value`` as the catalog's type ``kind`` ("float", "int", "bool", "list[...]")."""
    if isinstance(value, RandomParameter):
        if kind not in ("float", "int"):
            raise _Bad("cannot be random")
        return value
    if isinstance(value, parameters.Expression):
        if kind != "float":
            raise _Bad(f"must be a number, got the expression {value.text!r}")
        return value
    if kind.startswith("list"):
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if kind == "list[str]":
            if not all(isinstance(v, str) for v in items):
                raise _Bad(f"must be a list of names, got {_short(value)}")
            return tuple(items)
        return tuple(_typed(v, "float") for v in items)
    if isinstance(value, tuple):  # one value per element (np.linspace / np.arange)
        return tuple(_typed(v, kind) for v in value)
    if isinstance(value, list):
        raise _Bad(f"must be one value, got a list {_short(value)}")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        raise _Bad(f"must be true or false, got {_short(value)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"must be a number, got {_short(value)}")
    if kind == "int":
        if value != int(value):
            raise _Bad(f"must be a whole number, got {_short(value)}")
        return int(value)
    return float(value)


def _is_color(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 7 and value.startswith("#")
