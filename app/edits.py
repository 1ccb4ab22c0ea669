"""Edits of a project, as pure functions: each takes a ``Project`` and returns a new one.

The editor (canvas, inspector, project manager) only ever calls these; whether the result is
accepted is decided by validation in ``ProjectSession.apply``, so an edit here never needs to
know every rule of the format.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from spikedesk.project_files import catalog
from spikedesk.project_files.project import (
    Connection,
    CopyModel,
    Node,
    Position,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    frozen_map,
)
from spikedesk.project_files.spatial import Layer

DEFAULT_NEURONS = 100


def empty_project(name: str = "Untitled") -> Project:
    return Project(name=name, simulation=Simulation())


def kind(model: str) -> str:
    return catalog.model(model).kind


def fresh_id(project: Project, prefix: str) -> str:
    """The first ``prefix<k>`` (k = 1, 2, ...) no node or connection uses yet."""
    taken = {n.id for n in project.nodes} | {c.id for c in project.connections}
    k = 1
    while f"{prefix}{k}" in taken:
        k += 1
    return f"{prefix}{k}"


def add_node(project: Project, model: str, x: float, y: float) -> tuple[Project, str]:
    """A new node of ``model`` at (x, y); neurons start as a population of 100."""
    is_neuron = kind(model) == "neuron"
    node_id = fresh_id(project, catalog.model(model).id_prefix)
    node = Node(
        id=node_id,
        model=model,
        size=DEFAULT_NEURONS if is_neuron else 1,
        label=node_id,
        position=Position(round(float(x), 1), round(float(y), 1)),
    )
    return replace(project, nodes=project.nodes + (node,)), node_id


def duplicate_node(project: Project, node_id: str, dx: float = 60.0, dy: float = 60.0):
    """A copy of a node (model, size, parameters, colour) beside it, labelled "<label> copy";
    its connections are not copied. Returns the project and the copy's id."""
    node = project.node(node_id)
    new_id = fresh_id(project, catalog.model(project.base_model(node.model)).id_prefix)
    copy = replace(
        node,
        id=new_id,
        label=f"{node.label or node.id} copy",
        position=Position(round(node.position.x + dx, 1), round(node.position.y + dy, 1)),
    )
    return replace(project, nodes=project.nodes + (copy,)), new_id


def duplicate_nodes(
    project: Project, node_ids: list[str], dx: float = 60.0, dy: float = 60.0
) -> tuple[Project, list[str]]:
    """Copies of several nodes (as ``duplicate_node``) and of the connections among them,
    so a copied group is wired as the original; connections to nodes outside the group are
    not copied. Returns the project and the copies' ids, in the order of ``node_ids``."""
    ids = list(dict.fromkeys(node_ids))
    new_ids: dict[str, str] = {}
    for node_id in ids:
        project, new_ids[node_id] = duplicate_node(project, node_id, dx, dy)
    for conn in [c for c in project.connections if c.source in new_ids and c.target in new_ids]:
        copy = replace(
            conn,
            id=fresh_id(project, "c"),
            source=new_ids[conn.source],
            target=new_ids[conn.target],
        )
        project = replace(project, connections=project.connections + (copy,))
    return project, [new_ids[i] for i in ids]


def move_nodes(project: Project, moves: list[tuple[str, float, float]]) -> Project:
    """Several nodes moved in one edit (one undo step): ``(id, x, y)`` each."""
    for node_id, x, y in moves:
        project = move_node(project, node_id, x, y)
    return project


def delete_nodes(project: Project, node_ids: list[str]) -> Project:
    """Several nodes (and every connection touching them) removed in one edit."""
    for node_id in dict.fromkeys(node_ids):
        project = delete(project, "node", node_id)
    return project


def set_color(project: Project, node_ids: list[str], color: str) -> Project:
    """The colour of several nodes (``""``: their kind's colour)."""
    for node_id in dict.fromkeys(node_ids):
        project = _replace_node(project, node_id, color=color)
    return project


def move_node(project: Project, node_id: str, x: float, y: float) -> Project:
    position = Position(round(float(x), 1), round(float(y), 1))
    return _replace_node(project, node_id, position=position)


def connect(project: Project, source: str, target: str) -> tuple[Project, str]:
    """Connect two nodes the way NEST does, whichever way the user drew the arrow.

    Drawing neuron -> voltmeter means "record this neuron", which NEST writes as
    voltmeter -> neuron (a sampler connects to what it records; likewise a generator with
    recordables, dc_generator -> multimeter); spike_recorder -> neuron (or a correlation
    detector -> neuron) is turned into neuron -> recorder (they receive spikes).
    """
    src, tgt = project.node(source), project.node(target)
    src_spec, tgt_spec = (
        catalog.model(project.base_model(src.model)),
        catalog.model(project.base_model(tgt.model)),
    )
    sampled = src_spec.kind == "neuron" or (src_spec.kind == "stimulator" and src_spec.recordables)
    if tgt_spec.is_sampler and sampled:
        source, target = target, source
    elif (
        src_spec.is_spike_recorder or src_spec.is_correlation_detector
    ) and tgt_spec.kind == "neuron":
        source, target = target, source
    # a spike recorder or sampler twice on a node records everything twice (a correlation
    # detector takes a population twice, once per channel)
    devices = any(s.is_spike_recorder or s.is_sampler for s in (src_spec, tgt_spec))
    twin = next((c for c in project.connections if (c.source, c.target) == (source, target)), None)
    if devices and twin is not None:
        raise ValueError(
            f"{_name(project, source)} and {_name(project, target)} are already connected "
            f"({twin.id})"
        )
    conn_id = fresh_id(project, "c")
    conn = Connection(id=conn_id, source=source, target=target)
    return replace(project, connections=project.connections + (conn,)), conn_id


def like_sibling(project: Project, conn_id: str) -> tuple[Project, Connection] | None:
    """A population projects with one kind of synapse (Dale's principle): a new connection
    onto neurons takes the rule and synapse of its source's latest other connection onto
    neurons (``E -> I`` drawn after ``E -> E`` is set up). Returns the project with the copied
    settings and the connection they came from, or ``None`` if there is none."""
    conn = connection(project, conn_id)

    def onto_neurons(c: Connection) -> bool:
        return kind(project.base_model(project.node(c.target).model)) == "neuron"

    if not onto_neurons(conn):
        return None
    sibling = next(
        (
            c
            for c in reversed(project.connections)
            if c.source == conn.source and c.id != conn_id and onto_neurons(c)
        ),
        None,
    )
    if sibling is None or (sibling.rule, sibling.synapse) == (conn.rule, conn.synapse):
        return None
    return _replace_conn(project, conn_id, rule=sibling.rule, synapse=sibling.synapse), sibling


def _name(project: Project, node_id: str) -> str:
    node = project.node(node_id)
    return node.label or node.id


def delete(project: Project, what: str, item_id: str) -> Project:
    """Remove a node (with every connection touching it) or one connection."""
    if what == "node":
        project.node(item_id)  # KeyError for an unknown id
        return replace(
            project,
            nodes=tuple(n for n in project.nodes if n.id != item_id),
            connections=tuple(
                c for c in project.connections if item_id not in (c.source, c.target)
            ),
        )
    connection(project, item_id)
    return replace(project, connections=tuple(c for c in project.connections if c.id != item_id))


def connection(project: Project, conn_id: str) -> Connection:
    for conn in project.connections:
        if conn.id == conn_id:
            return conn
    raise KeyError(conn_id)


def set_node(project: Project, node_id: str, **fields: Any) -> Project:
    """Change label, size, model or color of a node. A new model keeps the parameters that
    model also has."""
    if "model" in fields:
        spec = catalog.model(project.base_model(fields["model"]))
        node = project.node(node_id)
        # a copy model's own values apply to the node: the node's values for them go
        own = project.model_params(fields["model"])
        kept = {k: v for k, v in node.params.items() if k in spec.params and k not in own}
        fields["params"] = frozen_map(kept)
        if spec.kind != "neuron":
            fields["size"] = 1
    return _replace_node(project, node_id, **fields)


COPY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _single(value: Any) -> bool:
    """A value a copy model may hold (no per-neuron list, no random parameter)."""
    return not isinstance(value, (tuple, list, RandomParameter))


def save_copy_model(project: Project, node_id: str, name: str) -> Project:
    """NEST's ``CopyModel``: a new model ``name`` with the node's model and its single-valued
    parameters as defaults; the node then uses it (its per-neuron and random values stay
    on the node). Other nodes may pick the model in their model menu."""
    name = name.strip()
    if not COPY_NAME.fullmatch(name):
        raise ValueError(
            f"a model name is letters, digits and _ and does not start with a digit: {name!r}"
        )
    if name in project.copy_models or name in catalog.models() or name in catalog.synapse_models():
        raise ValueError(f"a model named {name!r} exists already")
    node = project.node(node_id)
    params = {k: v for k, v in node.params.items() if _single(v)}
    rest = {k: v for k, v in node.params.items() if not _single(v)}
    copies = {**project.copy_models, name: CopyModel(node.model, frozen_map(params))}
    project = replace(project, copy_models=frozen_map(copies))
    return _replace_node(project, node_id, model=name, params=frozen_map(rest))


def update_copy_model(project: Project, node_id: str) -> Project:
    """The node's single-valued parameters become its copy model's defaults (so every node of
    that model has them, unless it sets its own)."""
    node = project.node(node_id)
    if node.model not in project.copy_models:
        raise ValueError(f"{node.model} is a built-in model, not a copy model")
    old = project.copy_models[node.model]
    params = {**old.params, **{k: v for k, v in node.params.items() if _single(v)}}
    rest = {k: v for k, v in node.params.items() if not _single(v)}
    copies = {**project.copy_models, node.model: replace(old, params=frozen_map(params))}
    project = replace(project, copy_models=frozen_map(copies))
    return _replace_node(project, node_id, params=frozen_map(rest))


def set_node_param(project: Project, node_id: str, name: str, value: Any) -> Project:
    """Set one parameter; ``None`` removes it (back to the model's default)."""
    params = dict(project.node(node_id).params)
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return _replace_node(project, node_id, params=frozen_map(params))


def set_node_params(project: Project, node_id: str, values: dict[str, Any]) -> Project:
    """Set several parameters as one edit (``None`` removes one), so the node's whole new
    parameter set is validated together: V_reset=0 with V_th=20 is fine even though
    V_reset=0 alone is not below the old V_th=-55 (NEST's copy-validate-commit)."""
    params = dict(project.node(node_id).params)
    for name, value in values.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return _replace_node(project, node_id, params=frozen_map(params))


def set_rule(project: Project, conn_id: str, rule: str) -> Project:
    """A new rule keeps allow_autapses/allow_multapses and gets its required arguments."""
    old = connection(project, conn_id).rule
    options = {k: v for k, v in old.params.items() if k in catalog.rule_options()}
    for name, spec in catalog.rules()[rule].items():
        options[name] = old.params.get(name, _rule_default(name, spec))
    return _replace_conn(project, conn_id, rule=Rule(rule, frozen_map(options)))


def _rule_default(name: str, spec: dict) -> Any:
    return {"indegree": 10, "outdegree": 10, "N": 100, "p": 0.1}.get(
        name, 1 if spec.get("type") == "int" else 0.1
    )


def set_rule_param(project: Project, conn_id: str, name: str, value: Any) -> Project:
    """Set one argument of a connection's rule (None: leave it out, e.g. no mask)."""
    old = connection(project, conn_id).rule
    params = dict(old.params)
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return _replace_conn(project, conn_id, rule=Rule(old.rule, frozen_map(params)))


def set_layer(project: Project, node_id: str, layer: Layer | None) -> Project:
    """A node's spatial layer (None: not spatial); a grid or listed positions fix its size."""
    fields: dict[str, Any] = {"spatial": layer}
    if layer is not None and layer.size is not None:
        fields["size"] = layer.size
    return _replace_node(project, node_id, **fields)


def set_synapse(project: Project, conn_id: str, **fields: Any) -> Project:
    """Change synapse model, weight or delay of a connection. A new model keeps the synapse
    parameters that model also has (a copy model's: those of its built-in model)."""
    old = connection(project, conn_id).synapse
    if "model" in fields and fields["model"] != old.model:
        specs = catalog.synapse_models().get(synapse_base(project, fields["model"]))
        if specs is not None:
            fields["params"] = frozen_map({k: v for k, v in old.params.items() if k in specs})
    return _replace_conn(project, conn_id, synapse=replace(old, **fields))


def set_synapse_params(project: Project, conn_id: str, values: dict[str, Any]) -> Project:
    """Set several synapse parameters (``synapse.params``, NEST's names) as one edit; ``None``
    removes one (back to the model's default), so the whole set is validated together."""
    old = connection(project, conn_id).synapse
    params = dict(old.params)
    for name, value in values.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return _replace_conn(project, conn_id, synapse=replace(old, params=frozen_map(params)))


def synapse_base(project: Project, model: str) -> str:
    """The built-in synapse model behind ``model`` (itself, or the base of a copy model of a
    format-2 project)."""
    copies = getattr(project, "copy_models", None) or {}
    seen = set()
    while model in copies and model not in seen:
        seen.add(model)
        model = copies[model].model
    return model


def set_description(project: Project, text: str) -> Project:
    return replace(project, description=str(text))


def set_simulation(project: Project, **fields: Any) -> Project:
    return replace(project, simulation=replace(project.simulation, **fields))


def weight_sign(value: Any) -> int:
    """+1 excitatory, -1 inhibitory, from a number or a random weight's centre."""
    if isinstance(value, RandomParameter):
        args = dict(value.args)
        centre = args.get("mean", (args.get("min", 0.0) + args.get("max", 0.0)) / 2)
        return -1 if centre < 0 else 1
    try:
        return -1 if float(value) < 0 else 1
    except (TypeError, ValueError):
        return 1


def set_target_indices(project: Project, conn_id: str, values: list[float]) -> Project:
    """Restrict a connection to some neurons of its target (0-based, kept sorted and each
    once); empty means all."""
    ints = [int(v) for v in values]
    if ints != list(values):
        raise ValueError("neuron indices are whole numbers, e.g. 0, 1, 5")
    return _replace_conn(project, conn_id, target_indices=tuple(sorted(set(ints))) or None)


def _replace_node(project: Project, node_id: str, **fields: Any) -> Project:
    project.node(node_id)
    nodes = tuple(replace(n, **fields) if n.id == node_id else n for n in project.nodes)
    return replace(project, nodes=nodes)


def _replace_conn(project: Project, conn_id: str, **fields: Any) -> Project:
    connection(project, conn_id)
    conns = tuple(replace(c, **fields) if c.id == conn_id else c for c in project.connections)
    return replace(project, connections=conns)
