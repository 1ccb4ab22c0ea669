"""Export a project as a clean, commented PyNEST script that runs on NEST 3.x unchanged.

Nodes are created in project order, so NEST numbers them exactly as spikedesk does; only the
parameters the user set are written (NEST's defaults are spikedesk's defaults).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

from . import parameters
from .nest_translation import (
    RANDOM_ARGS,
    NestConnection,
    NestCopyModel,
    NodeRef,
    creates_size,
    describe,
    positions_args,
)
from .project import Node, Project, RandomParameter
from .spatial import Layer


def variable_names(nodes: Iterable[Node]) -> dict[str, str]:
    """A readable, unique Python identifier per node id."""
    names: dict[str, str] = {}
    taken = {"nest", "np", "print", "len", "sum"}
    for node in nodes:
        base = re.sub(r"\W", "_", node.id) or "node"
        if base[0].isdigit():
            base = f"n_{base}"
        if keyword.iskeyword(base):
            base += "_"
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[node.id] = name
    return names


def _number(value: float) -> str:
    return repr(float(value)) if not isinstance(value, bool) else repr(value)


def value_code(value: object, names: dict[str, str] | None = None) -> str:
    """Python source for a parameter value (numbers, lists, random parameters, expressions;
    a node reference is the node's variable, from ``names``)."""
    if isinstance(value, NodeRef):
        return (names or {}).get(value.id, value.id)
    if isinstance(value, parameters.Expression):
        return parameters.pynest_code(value.tree())
    if isinstance(value, RandomParameter):
        args = ", ".join(
            f"{k}={_number(value.args[k])}"
            for k in RANDOM_ARGS[value.distribution]
            if k in value.args
        )
        code = f"nest.random.{value.distribution}({args})"
        if value.low is None and value.high is None:
            return code
        if value.bound == "redraw":
            bounds = []
            if value.low is not None:
                bounds.append(f"min={_number(value.low)}")
            if value.high is not None:
                bounds.append(f"max={_number(value.high)}")
            return f"nest.math.redraw({code}, {', '.join(bounds)})"
        if value.low is not None:
            code = f"nest.math.max({code}, {_number(value.low)})"
        if value.high is not None:
            code = f"nest.math.min({code}, {_number(value.high)})"
        return code
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_code(v) for v in value) + "]"
    if isinstance(value, dict):  # a mask
        return "{" + ", ".join(f"{k!r}: {value_code(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot export {value!r}")


def _params_code(params: dict | list | None, indent: str) -> str:
    if not params:
        return ""
    if isinstance(params, list):  # one dict per node element
        dicts = [
            "{" + ", ".join(f"{name!r}: {value_code(v)}" for name, v in p.items()) + "}"
            for p in params
        ]
        inner = f",\n{indent}    ".join(dicts)
        return f", params=[\n{indent}    {inner},\n{indent}]"
    entries = [f"{indent}    {name!r}: {value_code(value)}," for name, value in params.items()]
    return ", params={\n" + "\n".join(entries) + f"\n{indent}}}"


def positions_code(layer: Layer) -> str:
    """``nest.spatial.grid(...)`` or ``nest.spatial.free(...)`` for a node's layer."""
    kind, args = positions_args(layer)
    inner = ", ".join(f"{k}={value_code(v)}" for k, v in args.items())
    return f"nest.spatial.{kind}({inner})"


def _selection(name: str, indices: tuple[int, ...] | None) -> str:
    if indices is None:
        return name
    return f"{name}[{list(indices)!r}]"


def _dict_code(spec: dict, names: dict[str, str] | None = None) -> str:
    return "{" + ", ".join(f"{k!r}: {value_code(v, names)}" for k, v in spec.items()) + "}"


def _copy_code(copy: NestCopyModel, names: dict[str, str]) -> str:
    params = f", {_dict_code(copy.params, names)}" if copy.params else ""
    return f"nest.CopyModel({copy.existing!r}, {copy.new!r}{params})"


def _connect_code(conn: NestConnection, names: dict[str, str]) -> str:
    src = _selection(names[conn.source], conn.source_indices)
    tgt = _selection(names[conn.target], conn.target_indices)
    if conn.syn_spec is None:  # recorders take no weight or delay
        return f"nest.Connect({src}, {tgt}, {_dict_code(conn.conn_spec)})"
    syn_spec = _dict_code(conn.syn_spec, names)
    return f"nest.Connect({src}, {tgt}, {_dict_code(conn.conn_spec)}, {syn_spec})"


def export(project: Project) -> str:
    """The PyNEST script for ``project``; the same project always gives the same text."""
    network = describe(project)
    names = variable_names(project.nodes)
    kernel = network.kernel
    lines = ['"""' + (network.name or "spikedesk project") + " (exported from spikedesk)."]
    if network.description:
        lines += ["", *network.description.strip().splitlines()]
    lines += ["", "Runs on NEST 3.x: python this_script.py", '"""', "", "import nest", ""]
    lines += [
        "# Kernel: resolution in ms, the seed of NEST's random numbers, threads per process.",
        "nest.ResetKernel()",
        f"nest.resolution = {_number(kernel['resolution'])}",
        f"nest.rng_seed = {kernel['rng_seed']}",
        f"nest.local_num_threads = {kernel['local_num_threads']}",
    ]
    early = [c for c in network.copy_models if not c.after_nodes]
    late = [c for c in network.copy_models if c.after_nodes]
    if early:
        lines += ["", "# Copy models: NEST models with their own defaults."]
        lines += [_copy_code(c, names) for c in early]
    lines += [
        "",
        "# Nodes, created in project order so that global ids match spikedesk's numbering.",
    ]
    for node in network.nodes:
        label = f"  # {node.label}" if node.label else ""
        size = f", {node.size}" if node.size != 1 and creates_size(node) else ""
        params = node.params
        set_after = node.positions is not None and isinstance(params, list)
        if set_after:  # NEST checks a params list against n, which a grid omits: set them after
            params = None
        where = f", positions={positions_code(node.positions)}" if node.positions else ""
        if node.copy_of is not None:  # NEST takes these only on the model: a copy of it
            lines.append(
                f"nest.CopyModel({node.copy_of!r}, {node.model!r}, "
                f"{_dict_code(node.model_params or {})})"
            )
        lines.append(
            f"{names[node.id]} = nest.Create({node.model!r}{size}"
            f"{_params_code(params, '')}{where}){label}"
        )
        if set_after:
            values = _params_code(node.params, "").removeprefix(", params=")
            lines.append(f"{names[node.id]}.set({values})")
    if late:
        lines += [
            "",
            "# Synapse models with their own defaults; parameters NEST shares per model",
            "# (weight_recorder, volume_transmitter, _hom parameters) are set on a copy.",
        ]
        lines += [_copy_code(c, names) for c in late]
    lines += [
        "",
        "# Connections: conn_spec and syn_spec as in NEST (weights in pA or mV, delays in ms).",
    ]
    lines += [_connect_code(c, names) for c in network.connections]
    lines += ["", f"nest.Simulate({_number(network.duration)})", ""]

    if not network.recorders:
        return "\n".join(lines) + "\n"
    lines += [
        "# Results: events of every recorder, and mean rates of the recorded populations.",
        "",
        "",
        "def rate(senders, population):",
        '    """Mean firing rate in spikes/s of ``population`` among ``senders``."""',
        "    first, last = population[0].global_id, population[-1].global_id",
        "    count = sum(1 for s in senders if first <= s <= last)",
        f"    return count / len(population) / ({_number(network.duration)} / 1000.0)",
        "",
        "",
    ]
    for rec in network.recorders:
        var = names[rec.id]
        if rec.status:  # correlation detectors: results are status values, not events
            fields = ", ".join(repr(e) for e in rec.status)
            lines.append(f"print({rec.id!r}, {var}.get([{fields}]))")
            continue
        lines.append(f"events = {var}.get('events')")
        if rec.fields:  # a weight recorder: one event per transmitted spike
            lines.append(f"print({rec.id!r}, len(events['times']), 'weights recorded')")
        elif rec.spikes:
            lines.append(f"print({rec.id!r}, len(events['senders']), 'spikes')")
            for pop_id in rec.populations:
                lines.append(
                    f"print('  {pop_id}:', round(rate(events['senders'], {names[pop_id]}), 2), "
                    "'spikes/s')"
                )
        else:
            lines.append(f"print({rec.id!r}, len(events['times']), 'samples')")
    return "\n".join(lines) + "\n"
