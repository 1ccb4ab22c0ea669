"""Export a project as a clean, commented PyNEST script that runs on NEST 3.x unchanged.

Nodes are created in project order, so NEST numbers them exactly as spikedesk does; only the
parameters the user set are written (NEST's defaults are spikedesk's defaults).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import replace

from . import catalog
from .project import Connection, Node, Project, RandomParameter, frozen_map

RANDOM_ARGS = {
    "uniform": ("min", "max"),
    "normal": ("mean", "std"),
    "lognormal": ("mean", "std"),
    "exponential": ("beta",),
}


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


def value_code(value: object) -> str:
    """Python source for a parameter value (numbers, lists, random parameters)."""
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
    raise TypeError(f"cannot export {value!r}")


def _model_defaults(node: Node) -> dict:
    """The node's values of parameters NEST takes only as model defaults (CopyModel)."""
    spec = catalog.model(node.model)
    return {k: v for k, v in node.params.items() if spec.params[k].model_default}


def _params_code(node: Node, indent: str) -> str:
    spec = catalog.model(node.model)
    kept = {k: v for k, v in node.params.items() if not spec.params[k].model_default}
    node = replace(node, params=frozen_map(kept))
    if not node.params:
        return ""
    per_device_lists = any(
        spec.params[name].type.startswith("list")
        and isinstance(value, (list, tuple))
        and value
        and isinstance(value[0], (list, tuple))
        for name, value in node.params.items()
    )
    if per_device_lists:  # one dict per node element
        dicts = []
        for i in range(node.size):
            entries = []
            for name, value in sorted(node.params.items()):
                is_list = spec.params[name].type.startswith("list")
                per_neuron = isinstance(value, (list, tuple)) and (
                    not is_list or (value and isinstance(value[0], (list, tuple)))
                )
                entries.append(f"{name!r}: {value_code(value[i] if per_neuron else value)}")
            dicts.append("{" + ", ".join(entries) + "}")
        inner = f",\n{indent}    ".join(dicts)
        return f", params=[\n{indent}    {inner},\n{indent}]"
    entries = [
        f"{indent}    {name!r}: {value_code(value)}," for name, value in sorted(node.params.items())
    ]
    return ", params={\n" + "\n".join(entries) + f"\n{indent}}}"


def _selection(name: str, indices: tuple[int, ...] | None) -> str:
    if indices is None:
        return name
    return f"{name}[{list(indices)!r}]"


def _connect_code(conn: Connection, names: dict[str, str], to_recorder: bool) -> str:
    conn_spec = {"rule": conn.rule.rule, **dict(conn.rule.params)}
    conn_code = "{" + ", ".join(f"{k!r}: {value_code(v)}" for k, v in conn_spec.items()) + "}"
    if to_recorder:  # recorders take no weight or delay
        src = _selection(names[conn.source], conn.source_indices)
        tgt = _selection(names[conn.target], conn.target_indices)
        return f"nest.Connect({src}, {tgt}, {conn_code})"
    syn = conn.synapse
    syn_items = {
        "synapse_model": syn.model,
        "weight": syn.weight,
        "delay": syn.delay,
        **dict(syn.params),
    }
    if syn.receptor_type:
        syn_items["receptor_type"] = syn.receptor_type
    syn_code = "{" + ", ".join(f"{k!r}: {value_code(v)}" for k, v in syn_items.items()) + "}"
    src = _selection(names[conn.source], conn.source_indices)
    tgt = _selection(names[conn.target], conn.target_indices)
    return f"nest.Connect({src}, {tgt}, {conn_code}, {syn_code})"


def export(project: Project) -> str:
    """The PyNEST script for ``project``; the same project always gives the same text."""
    names = variable_names(project.nodes)
    kinds = {n.id: catalog.model(n.model).kind for n in project.nodes}
    sim = project.simulation
    lines = ['"""' + (project.name or "spikedesk project") + " (exported from spikedesk)."]
    if project.description:
        lines += ["", *project.description.strip().splitlines()]
    lines += ["", "Runs on NEST 3.x: python this_script.py", '"""', "", "import nest", ""]
    lines += [
        "# Kernel: resolution in ms, the seed of NEST's random numbers, threads per process.",
        "nest.ResetKernel()",
        f"nest.resolution = {_number(sim.resolution)}",
        f"nest.rng_seed = {int(sim.seed)}",
        f"nest.local_num_threads = {int(sim.threads)}",
        "",
        "# Nodes, created in project order so that global ids match spikedesk's numbering.",
    ]
    for node in project.nodes:
        label = f"  # {node.label}" if node.label else ""
        size = f", {node.size}" if node.size != 1 else ""
        model = node.model
        defaults = _model_defaults(node)
        if defaults:  # NEST takes these only on the model: a copy of it for this node
            model = f"{node.model}_{names[node.id]}"
            code = "{" + ", ".join(f"{k!r}: {value_code(v)}" for k, v in sorted(defaults.items()))
            lines.append(f"nest.CopyModel({node.model!r}, {model!r}, {code}}})")
        lines.append(
            f"{names[node.id]} = nest.Create({model!r}{size}{_params_code(node, '')}){label}"
        )
    lines += [
        "",
        "# Connections: conn_spec and syn_spec as in NEST (weights in pA or mV, delays in ms).",
    ]
    # samplers and spike recorders take no weight or delay; correlation detectors weigh spikes
    detectors = {n.id for n in project.nodes if catalog.model(n.model).is_correlation_detector}
    lines += [
        _connect_code(
            c,
            names,
            "recorder" in (kinds[c.source], kinds[c.target]) and c.target not in detectors,
        )
        for c in project.connections
    ]
    lines += ["", f"nest.Simulate({_number(sim.duration)})", ""]

    recorders = [n for n in project.nodes if kinds[n.id] == "recorder"]
    if not recorders:
        return "\n".join(lines) + "\n"
    lines += [
        "# Results: events of every recorder, and mean rates of the recorded populations.",
        "",
        "",
        "def rate(senders, population):",
        '    """Mean firing rate in spikes/s of ``population`` among ``senders``."""',
        "    first, last = population[0].global_id, population[-1].global_id",
        "    count = sum(1 for s in senders if first <= s <= last)",
        f"    return count / len(population) / ({_number(sim.duration)} / 1000.0)",
        "",
        "",
    ]
    for rec in recorders:
        var = names[rec.id]
        spec = catalog.model(rec.model)
        if spec.is_correlation_detector:  # results are status values, not events
            fields = ", ".join(repr(e) for e in spec.events)
            lines.append(f"print({rec.id!r}, {var}.get([{fields}]))")
            continue
        lines.append(f"events = {var}.get('events')")
        if catalog.model(rec.model).is_spike_recorder:
            lines.append(f"print({rec.id!r}, len(events['senders']), 'spikes')")
            sources = [c.source for c in project.connections if c.target == rec.id]
            for pop_id in dict.fromkeys(sources):
                if kinds[pop_id] == "neuron":
                    lines.append(
                        f"print('  {pop_id}:', round(rate(events['senders'], {names[pop_id]}), 2), "
                        "'spikes/s')"
                    )
        else:
            lines.append(f"print({rec.id!r}, len(events['times']), 'samples')")
    return "\n".join(lines) + "\n"
