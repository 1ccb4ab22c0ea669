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


def assert_same_events(a: dict, b: dict, recorders=("sr", "mm")) -> None:
    """The recorders' events are equal field by field, ordered by (sender, time) (the order
    of events within one step may follow the threads)."""
    import numpy as np

    for rec in recorders:
        x, y = a[rec], b[rec]
        order_x = np.lexsort((x["times"], x["senders"]))
        order_y = np.lexsort((y["times"], y["senders"]))
        assert set(x) == set(y), rec
        for field in x:
            np.testing.assert_array_equal(
                x[field][order_x], y[field][order_y], err_msg=f"{rec}.{field}"
            )


def assert_thread_invariant(build, min_spikes: int) -> None:
    """``build(threads)`` gives the same project at 1, 2 and 4 threads: the spike recorder
    ``sr`` (at least ``min_spikes`` spikes) and the multimeter ``mm`` see the same events."""
    from spikedesk.engine import simulate

    runs = [simulate(build(t)).events for t in (1, 2, 4)]
    assert len(runs[0]["sr"]["times"]) > min_spikes
    for other in runs[1:]:
        assert_same_events(runs[0], other)


def assert_rank_invariant(project, layouts=((2, 1), (3, 2))) -> None:
    """``project`` gives the embedded run's events on emulated MPI ranks x threads (the
    slice API the MPI backend uses; test_ranks.run_ranks), bit for bit."""
    import numpy as np
    from spikedesk.engine import simulate
    from test_ranks import run_ranks

    reference = simulate(project).events
    for n_ranks, threads in layouts:
        got = run_ranks(project, n_ranks, threads, duration=project.simulation.duration)
        for rid, fields in reference.items():
            for name, values in fields.items():
                np.testing.assert_array_equal(
                    got[rid][name], values, err_msg=f"{n_ranks} ranks x {threads}: {rid}.{name}"
                )
