"""One translation of a project into NEST terms, shared by everything that talks to NEST.

``describe`` turns a ``Project`` into a plain ``NestNetwork``: the kernel settings, the nodes
with the arguments of ``nest.Create``, the connections with their ``conn_spec`` and
``syn_spec``, and the recorders. The PyNEST exporter (``pynest.py``) renders it as code, the
NEST backend (``engine/backends/nest.py``) executes it with ``build``; so the script a user
downloads and the run the app compares against are the same network by construction.

Nothing here imports NEST at module level: ``build`` takes the ``nest`` module as an argument.
Values stay spikedesk values (numbers, lists, ``RandomParameter``, ``NodeRef``); ``nest_value``
makes a random parameter a ``nest.random`` object only when a network is built, and a
``NodeRef`` (a synapse's weight_recorder / volume_transmitter) becomes the node's handle.

Spatial nodes keep their ``Layer`` (``NestNode.positions``): ``build`` creates them with
``positions=nest.spatial.grid(...)`` / ``nest.spatial.free(...)`` (``positions_args`` gives
the arguments, for the exporter too) and returns NEST's positions (``nest.GetPosition``); a
rule's spatial keys pass through as PyNEST spells them (the mask as a plain dict, ``p`` an
expression made a NEST parameter like any other value).

Synapses: the project's copy models become ``nest.CopyModel`` calls (neuron and device copies
before the nodes are created, synapse copies after, as they may name nodes); a connection's
per-synapse parameters go into its ``syn_spec``; the parameters NEST shares per model (common:
``_hom`` parameters, weight_recorder, volume_transmitter), which ``nest.Connect`` refuses,
become one more ``CopyModel`` per distinct set, which the connection then uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import catalog, parameters, spatial
from .project import Node, Project, RandomParameter, frozen_map
from .spatial import Layer

RANDOM_ARGS = parameters.registry.RANDOM_OBJECT_ARGS


@dataclass(frozen=True)
class NodeRef:
    """A parameter value naming a node (weight_recorder, volume_transmitter): its handle."""

    id: str


@dataclass(frozen=True)
class NestCopyModel:
    """One ``nest.CopyModel(existing, new, params)``; ``after_nodes``: made once the nodes
    exist (synapse copies, whose parameters may name nodes)."""

    existing: str
    new: str
    params: dict[str, Any]
    after_nodes: bool = False


@dataclass(frozen=True)
class NestNode:
    """One ``nest.Create(model, size, params=params)``; ``params`` is None (all defaults), a
    dict (values may be one per element), or a list of one dict per element."""

    id: str
    model: str
    size: int
    label: str
    kind: str  # "neuron", "stimulator", "recorder"
    params: dict[str, Any] | list[dict[str, Any]] | None
    # parameters NEST takes only as model defaults (e.g. individual_spike_trains): the node is
    # created from nest.CopyModel(copy_of, model, model_params)
    copy_of: str | None = None
    model_params: dict[str, Any] | None = None
    # a spatial node: ``nest.Create(model[, size], positions=nest.spatial.grid/free(...))``
    positions: Layer | None = None


@dataclass(frozen=True)
class NestConnection:
    """One ``nest.Connect(source[source_indices], target[target_indices], conn_spec,
    syn_spec)``; ``syn_spec`` is None for recorder wiring (NEST takes no weight or delay)."""

    id: str
    source: str
    target: str
    source_indices: tuple[int, ...] | None
    target_indices: tuple[int, ...] | None
    conn_spec: dict[str, Any]
    syn_spec: dict[str, Any] | None


@dataclass(frozen=True)
class NestRecorder:
    """A recorder and the neuron populations it records (spike recorders: the sources
    connected to it; samplers: the targets they are connected to)."""

    id: str
    spikes: bool  # a spike recorder (else a sampler: voltmeter, multimeter)
    populations: tuple[str, ...]
    status: tuple[str, ...] = ()  # correlation detectors: results are these status values
    # weight recorders: only these event fields, ordered by (time, sender, target) as ours
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class NestNetwork:
    name: str
    description: str
    kernel: dict[str, Any]  # resolution, rng_seed, local_num_threads
    duration: float
    nodes: tuple[NestNode, ...]
    connections: tuple[NestConnection, ...]
    recorders: tuple[NestRecorder, ...]
    copy_models: tuple[NestCopyModel, ...] = ()


def _create_params(
    node: Node, spec: catalog.ModelSpec
) -> dict[str, Any] | list[dict[str, Any]] | None:
    if not node.params:
        return None

    def is_list(name: str) -> bool:
        return name in spec.params and spec.params[name].type.startswith("list")

    per_element_lists = any(
        is_list(name) and isinstance(value, (list, tuple)) and value
        and isinstance(value[0], (list, tuple))
        for name, value in node.params.items()
    )  # fmt: skip
    if not per_element_lists:
        return {name: node.params[name] for name in sorted(node.params)}
    dicts = []
    for i in range(node.size):
        entry = {}
        for name, value in sorted(node.params.items()):
            per_element = isinstance(value, (list, tuple)) and (
                not is_list(name) or (value and isinstance(value[0], (list, tuple)))
            )
            entry[name] = value[i] if per_element else value
        dicts.append(entry)
    return dicts


def _node(n: Node, kind: str, project: Project) -> NestNode:
    spec = catalog.model(project.base_model(n.model))
    defaults = {
        k: v for k, v in n.params.items() if k in spec.params and spec.params[k].model_default
    }
    if not defaults:
        return NestNode(
            n.id, n.model, n.size, n.label, kind, _create_params(n, spec), positions=n.spatial
        )  # fmt: skip
    rest = replace(n, params=frozen_map({k: v for k, v in n.params.items() if k not in defaults}))
    copy = f"{n.model}_{_identifier(n.id)}"
    return NestNode(
        n.id, copy, n.size, n.label, kind, _create_params(rest, spec), n.model,
        {k: defaults[k] for k in sorted(defaults)}, positions=n.spatial,
    )  # fmt: skip


def positions_args(layer: Layer) -> tuple[str, dict[str, Any]]:
    """``nest.spatial.grid`` or ``free`` and its keyword arguments for ``layer`` (values are
    spikedesk values: lists of numbers, or an ``Expression`` for drawn free positions). NEST
    takes ``num_dimensions`` only for drawn positions without an extent."""
    args: dict[str, Any] = {}
    if layer.kind == "grid":
        args["shape"] = list(layer.shape)
        if layer.center is not None:
            args["center"] = list(layer.center)
    elif isinstance(layer.pos, parameters.Expression):
        args["pos"] = layer.pos
        if layer.extent is None:
            args["num_dimensions"] = layer.num_dimensions
    else:
        args["pos"] = [list(p) for p in layer.pos]
    if layer.extent is not None:
        args["extent"] = list(layer.extent)
    if layer.edge_wrap:
        args["edge_wrap"] = True
    return layer.kind, args


def creates_size(node: NestNode) -> bool:
    """Whether ``nest.Create`` takes the node's size: not for a grid or listed positions (the
    layer fixes it; NEST refuses ``n`` with a grid)."""
    return node.positions is None or node.positions.size is None


def _conn_spec(rule) -> dict[str, Any]:
    """NEST's conn_spec: the rule and its arguments; a mask as the plain dict NEST takes."""
    spec: dict[str, Any] = {"rule": rule.rule}
    for key, value in rule.params.items():
        spec[key] = spatial.thaw(value) if key == "mask" else value
    return spec


def _identifier(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", text)


def _copy_models(project: Project) -> list[NestCopyModel]:
    """The project's copy models, each after the one it copies."""
    out: list[NestCopyModel] = []
    done: set[str] = set()

    def add(name: str) -> None:
        if name in done:
            return
        copy = project.copy_models[name]
        if copy.model in project.copy_models:
            add(copy.model)
        synapse = project.base_model(name) in catalog.synapse_models()
        specs = catalog.synapse_models()[project.base_model(name)] if synapse else {}
        params = {
            k: NodeRef(v) if k in specs and specs[k].type == "node" else v
            for k, v in sorted(copy.params.items())
        }
        out.append(NestCopyModel(copy.model, name, params, after_nodes=synapse))
        done.add(name)

    for name in project.copy_models:
        add(name)
    return out


def _connects_layers(c) -> bool:
    """Whether NEST connects ``c`` through its spatial ConnectLayers (a mask, use_on_source,
    a kernel ``p`` of a fixed-degree rule, or a parameter of the pair's positions), whose
    syn_spec takes only weight, delay, synapse_model and receptor_type."""
    params = c.rule.params
    if "mask" in params or "use_on_source" in params:
        return True
    if "p" in params and c.rule.rule != "pairwise_bernoulli":
        return True
    for value in (params.get("p"), c.synapse.weight, c.synapse.delay):
        if isinstance(value, parameters.Expression):
            if parameters.PAIR in parameters.needs(value.tree()):
                return True
    return False


def _syn_spec(
    c, project: Project, shared: dict, copies: list[NestCopyModel], taken: set[str]
) -> dict[str, Any]:
    """A connection's syn_spec: per-synapse values in it, common ones (which NEST takes only
    as model defaults) in a copy model made for each distinct set. A spatial connection's
    other synapse parameters go into that copy model too (ConnectLayers refuses them)."""
    syn = c.synapse
    specs = catalog.synapse_models()[project.base_model(syn.model)]
    values = {"weight": syn.weight, **dict(syn.params)}
    common = {}
    own = {}
    layers = _connects_layers(c)
    for name, value in values.items():
        if specs[name].type == "node":
            value = NodeRef(value)
        shared_here = specs[name].common or (layers and name != "weight")
        (common if shared_here else own)[name] = value
    model = syn.model
    if common:
        key = (syn.model, tuple(sorted(common.items(), key=lambda kv: kv[0])))
        if key not in shared:
            name = f"{syn.model}_{_identifier(c.id)}"
            while name in taken:
                name += "_"
            taken.add(name)
            shared[key] = name
            copies.append(NestCopyModel(syn.model, name, dict(key[1]), after_nodes=True))
        model = shared[key]
    spec: dict[str, Any] = {"synapse_model": model}
    if "weight" in own:
        spec["weight"] = own.pop("weight")
    spec["delay"] = syn.delay
    spec.update(sorted(own.items()))
    if syn.receptor_type:
        spec["receptor_type"] = syn.receptor_type
    return spec


def describe(project: Project) -> NestNetwork:
    """The NEST network of ``project``: nodes in project order (so NEST's global ids are
    spikedesk's), only the parameters the user set (the catalog's defaults are NEST's)."""
    specs = {n.id: catalog.model(project.base_model(n.model)) for n in project.nodes}
    kinds = {nid: spec.kind for nid, spec in specs.items()}
    detectors = {nid for nid, spec in specs.items() if spec.is_correlation_detector}
    nodes = tuple(_node(n, kinds[n.id], project) for n in project.nodes)
    copies = _copy_models(project)
    taken = {*catalog.models(), *catalog.synapse_models(), *project.copy_models}
    taken |= {n.model for n in nodes}
    shared: dict = {}
    connections = []
    for c in project.connections:
        conn_spec = _conn_spec(c.rule)
        syn_spec = None
        # samplers and spike recorders take no weight or delay; correlation detectors weigh
        # the spikes they receive, and the receptor_type is their channel
        wired = "recorder" in (kinds.get(c.source), kinds.get(c.target))
        if not wired or c.target in detectors:
            syn_spec = _syn_spec(c, project, shared, copies, taken)
        connections.append(
            NestConnection(
                c.id, c.source, c.target, c.source_indices, c.target_indices, conn_spec, syn_spec
            )
        )
    recorders = []
    for n in project.nodes:
        if kinds[n.id] != "recorder":
            continue
        spec = specs[n.id]
        if spec.is_correlation_detector:
            recorders.append(NestRecorder(n.id, False, (), tuple(spec.events)))
            continue
        if spec.is_weight_recorder:
            recorders.append(NestRecorder(n.id, False, (), fields=tuple(spec.events)))
            continue
        spikes = spec.is_spike_recorder
        linked = [
            (c.source if spikes else c.target)
            for c in project.connections
            if (c.target if spikes else c.source) == n.id
        ]
        populations = tuple(p for p in dict.fromkeys(linked) if kinds.get(p) == "neuron")
        recorders.append(NestRecorder(n.id, spikes, populations))
    sim = project.simulation
    return NestNetwork(
        name=project.name,
        description=project.description,
        kernel={
            "resolution": float(sim.resolution),
            "rng_seed": int(sim.seed),
            "local_num_threads": int(sim.threads),
        },
        duration=float(sim.duration),
        nodes=nodes,
        connections=tuple(connections),
        recorders=tuple(recorders),
        copy_models=tuple(copies),
    )


# ---------------------------------------------------------------------- executing it on NEST
def nest_value(nest: Any, value: Any) -> Any:
    """``value`` for PyNEST: a random parameter becomes ``nest.random.*`` with its bounds
    (clip: ``nest.math.max/min``, redraw: ``nest.math.redraw``); lists recursively."""
    if isinstance(value, parameters.Expression):
        return parameters.to_nest(value.tree(), nest)
    if isinstance(value, RandomParameter):
        args = {k: float(value.args[k]) for k in RANDOM_ARGS[value.distribution] if k in value.args}
        param = getattr(nest.random, value.distribution)(**args)
        if value.low is None and value.high is None:
            return param
        if value.bound == "redraw":
            bounds = {}
            if value.low is not None:
                bounds["min"] = float(value.low)
            if value.high is not None:
                bounds["max"] = float(value.high)
            return nest.math.redraw(param, **bounds)
        if value.low is not None:
            param = nest.math.max(param, float(value.low))
        if value.high is not None:
            param = nest.math.min(param, float(value.high))
        return param
    if isinstance(value, tuple):
        return [nest_value(nest, v) for v in value]
    if isinstance(value, list):
        return [nest_value(nest, v) for v in value]
    return value


def _nest_params(
    nest: Any, params: Mapping[str, Any], handles: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        k: handles[v.id] if isinstance(v, NodeRef) and handles is not None else nest_value(nest, v)
        for k, v in params.items()
    }


@dataclass
class BuiltNetwork:
    """What ``build`` made: the NodeCollection of each node and NEST's global ids."""

    handles: dict[str, Any]
    node_ids: dict[str, tuple[int, int]]
    # spatial nodes: NEST's positions of their neurons (nest.GetPosition), one tuple each
    positions: dict[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)


def nest_positions(nest: Any, layer: Layer) -> Any:
    """The ``nest.spatial.grid``/``free`` object of ``layer``."""
    kind, args = positions_args(layer)
    if isinstance(args.get("pos"), parameters.Expression):
        args["pos"] = parameters.to_nest(args["pos"].tree(), nest)
    return getattr(nest.spatial, kind)(**args)


def build(nest: Any, network: NestNetwork) -> BuiltNetwork:
    """Create and connect ``network`` on NEST's current kernel (reset it before)."""
    nest.SetKernelStatus(dict(network.kernel))
    handles: dict[str, Any] = {}
    node_ids: dict[str, tuple[int, int]] = {}
    for copy in network.copy_models:
        if not copy.after_nodes:
            nest.CopyModel(copy.existing, copy.new, _nest_params(nest, copy.params))
    for node in network.nodes:
        if node.copy_of is not None:
            nest.CopyModel(node.copy_of, node.model, _nest_params(nest, node.model_params or {}))
        if isinstance(node.params, list):
            params: Any = [_nest_params(nest, p) for p in node.params]
        elif node.params:
            params = _nest_params(nest, node.params)
        else:
            params = None
        if node.positions is None:
            handle = nest.Create(node.model, node.size, params=params)
        else:
            # NEST checks a params list against n, which a grid (or listed positions) omits
            late = params if isinstance(params, list) else None
            handle = nest.Create(
                node.model,
                node.size if creates_size(node) else 1,
                params=None if late is not None else params,
                positions=nest_positions(nest, node.positions),
            )
            if late is not None:
                handle.set(late)
        handles[node.id] = handle
        node_ids[node.id] = (int(handle[0].global_id), node.size)
    for copy in network.copy_models:
        if copy.after_nodes:
            nest.CopyModel(copy.existing, copy.new, _nest_params(nest, copy.params, handles))
    for conn in network.connections:
        source, target = handles[conn.source], handles[conn.target]
        if conn.source_indices is not None:
            source = source[list(conn.source_indices)]
        if conn.target_indices is not None:
            target = target[list(conn.target_indices)]
        conn_spec = _nest_params(nest, conn.conn_spec)
        if conn.syn_spec is None:
            nest.Connect(source, target, conn_spec)
        else:
            nest.Connect(source, target, conn_spec, _nest_params(nest, conn.syn_spec, handles))
    positions = {}
    for node in network.nodes:
        if node.positions is not None:
            where = nest.GetPosition(handles[node.id])
            if node.size == 1 or not isinstance(where[0], (list, tuple)):  # one neuron
                where = (where,)
            positions[node.id] = tuple(tuple(float(v) for v in p) for p in where)
    return BuiltNetwork(handles, node_ids, positions)
