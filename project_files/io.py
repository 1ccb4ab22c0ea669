"""Reading and writing project files: JSON text <-> validated, frozen ``Project`` objects.

Files are written sparse (values equal to the catalog or dataclass default are left out), with
sorted keys and 2-space indentation, so that diffs of saved projects stay small and readable.
Loading upgrades old format versions first, then validates, then builds the objects.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from . import catalog, parameters, spatial
from .project import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Connection,
    CopyModel,
    Node,
    ParamValue,
    Position,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
    resolve_model,
)
from .upgrades import upgrade
from .validation import DEPTH_MAX, Problem, ProjectError, nesting_depth, validate

RANDOM_BOUNDS = ("low", "high", "bound")


# ---------------------------------------------------------------- reading


def load(path: str | os.PathLike) -> Project:
    """Read, upgrade and validate the project file at ``path``."""
    path = Path(path)
    return loads(path.read_text(encoding="utf-8"), source=str(path))


def loads(text: str, source: str = "<string>") -> Project:
    """Parse project JSON; invalid JSON becomes a ``ProjectError`` naming line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise ProjectError(source, [Problem("", message)]) from None
    except RecursionError:
        message = f"invalid JSON: nested more than {DEPTH_MAX} levels deep; not a project file"
        raise ProjectError(source, [Problem("", message)]) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ProjectError(source, [Problem("", f"invalid JSON: {exc}")]) from None
    return from_dict(data, source)


def from_dict(data: Any, source: str = "<dict>") -> Project:
    """Upgrade ``data`` to the current format, validate it and build the ``Project``."""
    if nesting_depth(data) > DEPTH_MAX:
        message = f"nested more than {DEPTH_MAX} levels deep; not a project file"
        raise ProjectError(source, [Problem("", message)])
    data = upgrade(data)
    problems = validate(data)
    if problems:
        raise ProjectError(source, problems)
    return _project(data)


def _project(data: dict) -> Project:
    sim = data.get("simulation", {})
    defaults = Simulation()
    simulation = Simulation(
        duration=float(sim.get("duration", defaults.duration)),
        resolution=float(sim.get("resolution", defaults.resolution)),
        seed=int(sim.get("seed", defaults.seed)),
        threads=int(sim.get("threads", defaults.threads)),
    )
    copies = _copy_models(data.get("copy_models", {}))
    return Project(
        name=data.get("name", Project.name),
        description=data.get("description", ""),
        simulation=simulation,
        nodes=tuple(_node(n, copies) for n in data.get("nodes", ())),
        connections=tuple(_connection(c, copies) for c in data.get("connections", ())),
        copy_models=frozen_map(copies),
    )


def param_specs(copies, model: str) -> dict[str, catalog.ParamSpec]:
    """The parameter specs of ``model``: a built-in neuron, device or synapse model, or a
    copy model of one."""
    base = resolve_model(copies, model)[0]
    if base in catalog.synapse_models():
        return dict(catalog.synapse_models()[base])
    return dict(catalog.model(base).params)


def _copy_models(data: dict) -> dict[str, CopyModel]:
    raw = {name: CopyModel(entry["model"]) for name, entry in data.items()}
    out = {}
    for name, entry in data.items():
        specs = param_specs(raw, name)
        params = {k: param_from_json(v, specs[k].type) for k, v in entry.get("params", {}).items()}
        out[name] = CopyModel(entry["model"], frozen_map(params))
    return out


def _node(data: dict, copies: dict | None = None) -> Node:
    specs = param_specs(copies or {}, data["model"])
    params = {
        name: param_from_json(value, specs[name].type)
        for name, value in data.get("params", {}).items()
    }
    pos = data.get("position", {})
    layer = spatial.layer_from_json(data["spatial"]) if "spatial" in data else None
    size = data.get("size", layer.size if layer is not None and layer.size else 1)
    return Node(
        id=data["id"],
        model=data["model"],
        size=int(size),
        label=data.get("label", ""),
        params=frozen_map(params),
        position=Position(float(pos.get("x", 0.0)), float(pos.get("y", 0.0))),
        color=data.get("color", ""),
        spatial=layer,
    )


def _rule_arg(key: str, value: Any) -> ParamValue:
    """A rule argument's Python form: a mask read-only, ``p`` an expression if a string."""
    if key == "mask":
        return spatial.freeze(value)
    return param_from_json(value, "float") if key == "p" else value


def _connection(data: dict, copies: dict | None = None) -> Connection:
    rule_data = dict(data.get("rule", {}))
    rule_name = rule_data.pop("rule", Rule.rule)
    syn = dict(data.get("synapse", {}))
    model = syn.pop("model", Synapse.model)
    specs = param_specs(copies or {}, model)
    # an unset weight or delay is the model's default (vogels_sprekeler_synapse: weight 0.5)
    weight = param_from_json(syn.pop("weight", specs["weight"].default), "float")
    delay = param_from_json(syn.pop("delay", specs["delay"].default), "float")
    receptor_type = int(syn.pop("receptor_type", Synapse.receptor_type))
    extra = {k: param_from_json(v, specs[k].type) for k, v in syn.pop("params", {}).items()}
    return Connection(
        id=data["id"],
        source=data["source"],
        target=data["target"],
        rule=Rule(rule_name, frozen_map({k: _rule_arg(k, v) for k, v in rule_data.items()})),
        synapse=Synapse(model, weight, delay, frozen_map(extra), receptor_type),
        source_indices=_indices(data.get("source_indices")),
        target_indices=_indices(data.get("target_indices")),
    )


def _indices(value: list[int] | None) -> tuple[int, ...] | None:
    return None if value is None else tuple(int(i) for i in value)


def param_from_json(value: Any, type_name: str) -> ParamValue:
    """Turn a validated JSON parameter value into its Python form (floats, tuples, random)."""
    if isinstance(value, dict):
        args = {k: float(v) for k, v in value.items() if k not in ("random", *RANDOM_BOUNDS)}
        return RandomParameter(
            distribution=value["random"],
            args=frozen_map(args),
            low=None if value.get("low") is None else float(value["low"]),
            high=None if value.get("high") is None else float(value["high"]),
            bound=value.get("bound", "clip"),
        )
    if isinstance(value, list):
        return tuple(param_from_json(v, _element_type(type_name)) for v in value)
    if isinstance(value, str) and type_name == "float":
        return parameters.Expression(value)
    return _scalar(value, type_name)


def _element_type(type_name: str) -> str:
    return type_name[5:-1] if type_name.startswith("list[") else type_name


def _scalar(value: Any, type_name: str) -> Any:
    if type_name == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# ---------------------------------------------------------------- writing


def to_dict(project: Project) -> dict:
    """The sparse JSON form: defaults (catalog or dataclass) are omitted."""
    sim_defaults = Simulation()
    simulation = {
        key: getattr(project.simulation, key)
        for key in ("duration", "resolution", "seed", "threads")
        if getattr(project.simulation, key) != getattr(sim_defaults, key)
    }
    out: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": project.name,
        "simulation": simulation,
        "nodes": [_node_dict(n, project.copy_models) for n in project.nodes],
        "connections": [_connection_dict(c, project.copy_models) for c in project.connections],
    }
    if project.copy_models:
        out["copy_models"] = {
            name: {"model": copy.model}
            | (
                {"params": {k: param_to_json(v) for k, v in copy.params.items()}}
                if copy.params
                else {}
            )  # fmt: skip
            for name, copy in project.copy_models.items()
        }
    if project.description:
        out["description"] = project.description
    return out


def _defaults(copies, model: str) -> dict[str, Any] | None:
    """What a parameter of ``model`` is when not set: the copy model's value, else the
    catalog's default (None: an unknown model, nothing is left out)."""
    try:
        base, inherited = resolve_model(copies, model)
    except ValueError:
        return None
    if base in catalog.synapse_models():
        specs = catalog.synapse_models()[base]
    elif base in catalog.models():
        specs = catalog.models()[base].params
    else:
        return None
    return {name: spec.default for name, spec in specs.items()} | {
        k: param_to_json(v) for k, v in inherited.items()
    }


def _node_dict(node: Node, copies=None) -> dict:
    out: dict[str, Any] = {"id": node.id, "model": node.model}
    if node.label:
        out["label"] = node.label
    if node.size != 1:
        out["size"] = node.size
    defaults = _defaults(copies or {}, node.model) or {}
    params = {}
    for name, value in node.params.items():
        json_value = param_to_json(value)
        if name in defaults and _same(json_value, defaults[name]):
            continue
        params[name] = json_value
    if params:
        out["params"] = params
    if node.position != Position():
        out["position"] = {"x": node.position.x, "y": node.position.y}
    if node.color:
        out["color"] = node.color
    if node.spatial is not None:
        out["spatial"] = spatial.layer_to_json(node.spatial)
        if node.spatial.size == node.size:
            out.pop("size", None)  # the layer gives it
    return out


def _connection_dict(conn: Connection, copies=None) -> dict:
    out: dict[str, Any] = {"id": conn.id, "source": conn.source, "target": conn.target}
    rule: dict[str, Any] = {"rule": conn.rule.rule}
    options = catalog.rule_options()
    for key, value in conn.rule.params.items():
        if key in options and _same(value, options[key].get("default")):
            continue
        rule[key] = param_to_json(value)
    if rule != {"rule": Rule.rule}:
        out["rule"] = rule
    synapse = _synapse_dict(conn.synapse, copies or {})
    if synapse:
        out["synapse"] = synapse
    if conn.source_indices is not None:
        out["source_indices"] = list(conn.source_indices)
    if conn.target_indices is not None:
        out["target_indices"] = list(conn.target_indices)
    return out


def _synapse_dict(syn: Synapse, copies) -> dict:
    """Weight and delay are written unless they are the model's defaults; ``params`` holds the
    rest that differs from the (copy) model's defaults."""
    defaults = _defaults(copies, syn.model) or {}
    out: dict[str, Any] = {}
    if syn.model != Synapse.model:
        out["model"] = syn.model
    if syn.receptor_type != Synapse.receptor_type:
        out["receptor_type"] = syn.receptor_type
    for key in ("weight", "delay"):
        json_value = param_to_json(getattr(syn, key))
        if not _same(json_value, defaults.get(key, getattr(Synapse, key))):
            out[key] = json_value
    params = {}
    for key, value in syn.params.items():
        json_value = param_to_json(value)
        if key in defaults and _same(json_value, defaults[key]):
            continue
        params[key] = json_value
    if params:
        out["params"] = params
    return out


def param_to_json(value: ParamValue) -> Any:
    """The JSON form of a parameter value (random parameter object, lists for tuples)."""
    if isinstance(value, RandomParameter):
        out: dict[str, Any] = {"random": value.distribution, **dict(value.args)}
        if value.low is not None:
            out["low"] = value.low
        if value.high is not None:
            out["high"] = value.high
        if value.bound != "clip":
            out["bound"] = value.bound
        return out
    if isinstance(value, parameters.Expression):
        return value.text
    if isinstance(value, (tuple, list)):
        return [param_to_json(v) for v in value]
    if isinstance(value, Mapping):  # a mask
        return spatial.thaw(value)
    return value


def _same(value: Any, default: Any) -> bool:
    """Equal as JSON values, but never confusing True with 1 or a list with a scalar."""
    if isinstance(value, bool) or isinstance(default, bool):
        return type(value) is type(default) and value == default
    if isinstance(value, list) and isinstance(default, list):
        return len(value) == len(default) and all(map(_same, value, default))
    if isinstance(value, (int, float)) and isinstance(default, (int, float)):
        return value == default
    return type(value) is type(default) and value == default


def dumps(project: Project) -> str:
    """Sparse, key-sorted, 2-space indented JSON with a trailing newline."""
    return json.dumps(to_dict(project), indent=2, sort_keys=True, allow_nan=False) + "\n"


def save(project: Project, path: str | os.PathLike) -> None:
    """Write ``project`` atomically: a crash or error leaves the previous file intact.

    An invalid project raises ``ProjectError`` before the disk is touched, so every file
    ``save`` writes can be loaded again.
    """
    path = Path(path)
    problems = validate(project)
    if problems:
        raise ProjectError(str(path), problems)
    text = dumps(project)  # serialise first: a bad value must not touch the disk
    write_text_atomically(path, text)


TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """Temporary files of an atomic write are ``.<name>.<random>.tmp`` beside the file."""
    return f".{path.name}."


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, see ``write_atomically``."""
    data = text.encode("utf-8")
    write_atomically(path, lambda handle: handle.write(data))


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], Any]) -> None:
    """Write ``path`` with ``write(handle)`` (a binary file) through a temporary file and a
    rename, so readers see the old file or the new one, never a part. The rename is made
    durable (the folder is fsynced); a new file gets the user's usual permissions (the
    umask), a replaced file keeps its own."""
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777  # keep the permissions of the file we replace
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename itself is done
    finally:
        os.close(fd)


def current_umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
