"""The in-memory project: frozen, typed objects that mirror the JSON format (version 1).

Nodes and connections refer to each other by stable string ids, never list positions.
Parameters hold only what the user set (sparse); defaults come from the model catalog.
Mappings are stored as read-only ``MappingProxyType`` and sequences as tuples, so a
``Project`` can be shared between threads (UI, worker, exporter) without copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

FORMAT_NAME = "spikedesk-project"
FORMAT_VERSION = 1

Distribution = Literal["uniform", "normal", "lognormal", "exponential"]


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


@dataclass(frozen=True)
class Rule:
    """A NEST conn_spec: ``rule`` plus its arguments (indegree, p, allow_autapses, ...)."""

    rule: str = "all_to_all"
    params: Mapping[str, ParamValue] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class Synapse:
    """A NEST syn_spec; weight and delay may be numbers or random parameters."""

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

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)
