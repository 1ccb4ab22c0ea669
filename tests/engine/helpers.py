"""Small builders for engine tests: projects made directly from the dataclasses."""

from __future__ import annotations

from spikedesk.project_files.project import (
    Connection,
    Node,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)


def node(id: str, model: str, size: int = 1, **params) -> Node:
    return Node(id=id, model=model, size=size, params=frozen_map(params))


def conn(
    id: str,
    source: str,
    target: str,
    rule: str = "all_to_all",
    weight=1.0,
    delay=1.0,
    **rule_params,
) -> Connection:
    return Connection(
        id=id,
        source=source,
        target=target,
        rule=Rule(rule, frozen_map(rule_params)),
        synapse=Synapse(weight=weight, delay=delay),
    )


def project(nodes, connections, duration=100.0, seed=1, threads=1, resolution=0.1) -> Project:
    return Project(
        name="test",
        simulation=Simulation(duration=duration, resolution=resolution, seed=seed, threads=threads),
        nodes=tuple(nodes),
        connections=tuple(connections),
    )


def random(distribution: str, low=None, high=None, bound="clip", **args) -> RandomParameter:
    return RandomParameter(distribution, frozen_map(args), low, high, bound)
