"""Property-based round trips: load(save(p)) == p for any valid project, and dumps is stable."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from spikedesk.project_files import catalog, io
from spikedesk.project_files.project import (
    Connection,
    Node,
    Position,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)
from spikedesk.project_files.validation import validate

COLORS = st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
positive = st.floats(min_value=0.5, max_value=500.0, allow_nan=False)
times = st.lists(st.floats(min_value=0.5, max_value=1000.0), unique=True, max_size=5).map(
    lambda v: tuple(sorted(v))
)
# parameters whose value depends on another one (lengths, order); covered by validation tests
COUPLED = {
    "V_reset",
    "V_th",
    "start",
    "stop",
    "amplitude_values",
    "rate_values",
    "spike_weights",
    "spike_multiplicities",
    "record_from",
}

# neurons three times as often as devices, so that many drawn projects have connections
MODEL_CHOICES = sorted(
    name
    for name, spec in catalog.models().items()
    for _ in range(3 if spec.kind == "neuron" else 1)
)


def random_parameter(bounded: bool) -> st.SearchStrategy[RandomParameter]:
    """Random values; ``bounded`` ones carry low >= 0.5 so every physical constraint holds."""
    low = st.just(0.5) if bounded else st.one_of(st.none(), finite)
    uniform = st.tuples(positive, positive).map(lambda a: {"min": min(a), "max": max(a)})
    normal = st.tuples(finite, positive).map(lambda a: {"mean": a[0], "std": a[1]})
    exponential = positive.map(lambda b: {"beta": b})
    args = st.one_of(
        uniform.map(lambda a: ("uniform", a)),
        normal.map(lambda a: ("normal", a)),
        normal.map(lambda a: ("lognormal", a)),
        exponential.map(lambda a: ("exponential", a)),
    )
    return st.builds(
        lambda da, lo, bound: RandomParameter(
            da[0], frozen_map(da[1]), lo, None if lo is None else lo + 100.0, bound
        ),
        args,
        low,
        st.sampled_from(["clip", "redraw"]),
    )


def param_value(spec: catalog.ParamSpec, size: int) -> st.SearchStrategy:
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "list[float]":
        return st.one_of(times, st.lists(times, min_size=size, max_size=size).map(tuple))
    return st.one_of(
        positive,
        st.lists(positive, min_size=size, max_size=size).map(tuple),
        random_parameter(bounded=True),
    )


@st.composite
def nodes(draw, ids: list[str]) -> tuple[Node, ...]:
    out = []
    for node_id in ids:
        spec = catalog.model(draw(st.sampled_from(MODEL_CHOICES)))
        size = draw(st.integers(1, 4))
        names = draw(st.sets(st.sampled_from(sorted(set(spec.params) - COUPLED) or [""])))
        params = {}
        for name in sorted(names - {""}):
            value = draw(param_value(spec.params[name], size))
            if not io._same(io.param_to_json(value), spec.params[name].default):
                params[name] = value
        out.append(
            Node(
                id=node_id,
                model=spec.name,
                size=size,
                label=draw(st.text(max_size=8)),
                params=frozen_map(params),
                position=Position(draw(finite), draw(finite)),
                color=draw(st.one_of(st.just(""), COLORS)),
            )
        )
    return tuple(out)


def allowed(source: Node, target: Node) -> bool:
    s, t = catalog.model(source.model), catalog.model(target.model)
    if s.kind == "neuron":
        return t.kind == "neuron" or t.name == "spike_recorder"
    if s.kind == "stimulator":
        return t.kind == "neuron"
    return s.name in ("voltmeter", "multimeter") and t.kind == "neuron" and "V_m" in t.recordables


def subset(node: Node) -> st.SearchStrategy[tuple[int, ...] | None]:
    indices = st.sets(st.integers(0, node.size - 1), min_size=1).map(lambda v: tuple(sorted(v)))
    return st.one_of(st.none(), indices)


@st.composite
def connections(draw, node_list: tuple[Node, ...]) -> tuple[Connection, ...]:
    pairs = [(a, b) for a in node_list for b in node_list if allowed(a, b)]
    if not pairs:
        return ()
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=6))
    out = []
    for i, (source, target) in enumerate(chosen):
        rule_name = draw(st.sampled_from(sorted(catalog.rules())))
        params: dict = {}
        if rule_name == "one_to_one" and source.size != target.size:
            rule_name = "all_to_all"
        if rule_name == "fixed_indegree":
            params["indegree"] = draw(st.integers(0, 5))
        elif rule_name == "fixed_outdegree":
            params["outdegree"] = draw(st.integers(0, 5))
        elif rule_name == "fixed_total_number":
            params["N"] = draw(st.integers(0, 20))
        elif rule_name == "pairwise_bernoulli":
            params["p"] = draw(st.floats(0.0, 1.0))
        if draw(st.booleans()):
            params["allow_autapses"] = False
        weight = draw(st.one_of(finite, random_parameter(bounded=False)))
        delay = draw(st.one_of(st.floats(0.1, 20.0), random_parameter(bounded=True)))
        target_indices = draw(subset(target)) if rule_name != "one_to_one" else None
        source_indices = draw(subset(source)) if rule_name != "one_to_one" else None
        out.append(
            Connection(
                id=f"c{i}",
                source=source.id,
                target=target.id,
                rule=Rule(rule_name, frozen_map(params)),
                synapse=Synapse(weight=weight, delay=delay),
                source_indices=source_indices,
                target_indices=target_indices,
            )
        )
    return tuple(out)


@st.composite
def projects(draw) -> Project:
    ids = draw(st.lists(st.text(min_size=1, max_size=6), min_size=0, max_size=5, unique=True))
    node_list = draw(nodes(ids))
    resolution = draw(st.sampled_from([0.01, 0.05, 0.1, 0.125]))
    project = Project(
        name=draw(st.text(max_size=20)),
        description=draw(st.text(max_size=40)),
        simulation=Simulation(
            duration=draw(st.integers(1, 10**7)) * resolution,
            resolution=resolution,
            seed=draw(st.integers(1, 2**32 - 1)),
            threads=draw(st.integers(1, 64)),
        ),
        nodes=node_list,
        connections=draw(connections(node_list)),
    )
    assume(validate(project) == [])
    return project


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(projects())
def test_load_of_save_gives_the_same_project(tmp_path_factory, project):
    path = tmp_path_factory.mktemp("rt") / "project.json"
    io.save(project, path)
    assert io.load(path) == project


@SETTINGS
@given(projects())
def test_dumps_is_stable_and_canonical(project):
    text = io.dumps(project)
    again = io.loads(text)
    assert io.dumps(again) == text
    assert text.endswith("}\n")
    data = json.loads(text)
    assert json.dumps(data, indent=2, sort_keys=True) + "\n" == text
    assert io.from_dict(io.to_dict(project)) == project
