"""The in-memory project: frozen, typed objects that mirror the JSON format (version 3).

Nodes and connections refer to each other by stable string ids, never list positions.
Parameters hold only what the user set (sparse); defaults come from the model catalog.
Mappings are stored as read-only ``MappingProxyType`` and sequences as tuples, so a
``Project`` can be shared between threads (UI, worker, exporter) without copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .spatial import Layer

FORMAT_NAME = "spikedesk-project"
FORMAT_VERSION = 3  # 2: copy_models, synapse.params; 3: spatial layers, expressions (upgrades.py)

Distribution = str  # a key of parameters.registry.RANDOM_OBJECT_ARGS (the one table)


def frozen_map(values: Mapping | None = None) -> Mapping:
    """A read-only copy of ``values`` (used for every mapping field)."""
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class RandomParameter:
    """A value drawn per neuron or per connection, like ``nest.random.*``.

    ``args`` holds the distribution's arguments by NEST's names:
    uniform(min, max), normal(mean, std), lognormal(mean, std), exponential(beta).
    ``low``/``high`` bound the draw; ``bound`` says whether out-of-range draws are
    clipped (``nest.math.min/max``) or redrawn (``nest.math.redraw``).
    """

    distribution: Distribution
    args: Mapping[str, float] = field(default_factory=frozen_map)
    low: float | None = None
    high: float | None = None
    bound: Literal["clip", "redraw"] = "clip"


# A parameter value: a scalar, a list-valued parameter (spike_times, record_from),
# one value per neuron (tuple of scalars, or of lists for list-valued parameters),
# or a random parameter.
ParamValue = float | int | bool | str | tuple | RandomParameter


@dataclass(frozen=True)
class Position:
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Node:
    """A population of ``size`` neurons, or a device (stimulator or recorder)."""

    id: str
    model: str
    size: int = 1
    label: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=frozen_map)
    position: Position = field(default_factory=Position)
    color: str = ""  # "#rrggbb" on the canvas; "" = the colour of the node's kind
    spatial: Layer | None = None  # positions of the neurons (spatial.py); None: not spatial


@dataclass(frozen=True)
class Rule:
    """A NEST conn_spec: ``rule`` plus its arguments (indegree, p, allow_autapses, ...).
    Between spatial nodes also ``mask`` (a read-only mapping, spatial.py), ``use_on_source``,
    and ``p`` as an expression (a kernel)."""

    rule: str = "all_to_all"
    params: Mapping[str, ParamValue] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class CopyModel:
    """NEST's ``CopyModel(model, name, params)``: a named model with its own defaults.

    ``model`` is a built-in model (neuron, device or synapse) or another copy model;
    ``params`` are single values (no per-neuron lists, no random values) by NEST's names,
    over the copied model's defaults. A copy of a synapse model leaves weight and delay to
    the connections (they are always written there)."""

    model: str
    params: Mapping[str, ParamValue] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class Synapse:
    """A NEST syn_spec; weight and delay may be numbers or random parameters. ``params``
    holds the synapse model's other parameters by NEST's names (numbers; weight_recorder and
    volume_transmitter: node ids), over the model's (or copy model's) defaults."""

    model: str = "static_synapse"
    weight: ParamValue = 1.0
    delay: ParamValue = 1.0
    params: Mapping[str, ParamValue] = field(default_factory=frozen_map)
    receptor_type: int = 0  # NEST's receptor_type: the target's input port (0: default)


@dataclass(frozen=True)
class Connection:
    """Connects ``source`` to ``target`` (node ids) with a NEST rule and synapse.

    ``source_indices``/``target_indices`` optionally restrict the rule to some neurons of a
    node (0-based, sorted, unique), like NEST's ``pop[[0, 3, 7]]``; ``None`` means all.
    A voltmeter recording "a few neurons" of a population uses ``target_indices``.
    """

    id: str
    source: str
    target: str
    rule: Rule = field(default_factory=Rule)
    synapse: Synapse = field(default_factory=Synapse)
    source_indices: tuple[int, ...] | None = None
    target_indices: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Simulation:
    duration: float = 1000.0
    resolution: float = 0.1
    seed: int = 1
    threads: int = 1


@dataclass(frozen=True)
class Project:
    name: str = "Untitled"
    description: str = ""
    simulation: Simulation = field(default_factory=Simulation)
    nodes: tuple[Node, ...] = ()
    connections: tuple[Connection, ...] = ()
    copy_models: Mapping[str, CopyModel] = field(default_factory=frozen_map)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def base_model(self, model: str) -> str:
        """The built-in model behind ``model`` (itself, unless it is a copy model)."""
        return resolve_model(self.copy_models, model)[0]

    def model_params(self, model: str) -> dict[str, ParamValue]:
        """The defaults a copy model sets, along its whole chain (empty for a built-in)."""
        return resolve_model(self.copy_models, model)[1]


class CopyModelError(ValueError):
    """A copy model refers to itself through others (validation reports it first)."""


def resolve_model(copies: Mapping[str, CopyModel], model: str) -> tuple[str, dict[str, ParamValue]]:
    """(built-in model, merged parameters) of ``model``: a copy's parameters override those of
    the model it copies."""
    chain: list[str] = []
    while model in copies:
        if model in chain:
            raise CopyModelError(f"copy models form a cycle: {' -> '.join([*chain, model])}")
        chain.append(model)
        model = copies[model].model
    params: dict[str, ParamValue] = {}
    for name in reversed(chain):
        params.update(copies[name].params)
    return model, params


def resolved(project: Project) -> Project:
    """``project`` without copy models: every node and synapse names its built-in model and
    carries the copy chain's parameters under its own (what a simulator needs; the NEST
    export keeps the copies as ``CopyModel`` calls instead)."""
    if not project.copy_models:
        return project
    copies = project.copy_models

    def base(model: str, own: Mapping) -> tuple[str, Mapping]:
        name, params = resolve_model(copies, model)
        return name, frozen_map({**params, **own}) if name != model else own

    nodes = []
    for node in project.nodes:
        model, params = base(node.model, node.params)
        nodes.append(replace(node, model=model, params=params))
    connections = []
    for conn in project.connections:
        model, params = base(conn.synapse.model, conn.synapse.params)
        synapse = replace(conn.synapse, model=model, params=params)
        connections.append(replace(conn, synapse=synapse))
    return replace(
        project, nodes=tuple(nodes), connections=tuple(connections), copy_models=frozen_map()
    )
