"""Parameter expressions in the engine: one evaluator for random objects and expressions,
per neuron and per synapse, drawn from counter-based streams (threads and ranks invariant)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import conn, node, project, random
from spikedesk.engine import _core
from spikedesk.engine.driver import _Run
from spikedesk.engine.errors import InvalidProjectError, ParameterError
from spikedesk.project_files import parameters
from spikedesk.project_files.validation import validate
from test_ranks import run_ranks  # noqa: F401  (the emulated-ranks driver)

N = 20000


def draw(spec, key=5, n=N, seed=11):
    return _core.Network(0.1, seed, 1).draw(spec, key, 1, n)


def prog(source: str) -> list:
    return parameters.program(parameters.parse(source))


@pytest.mark.parametrize(
    ("old", "text"),
    [
        ({"kind": "uniform", "a": -1.0, "b": 2.0}, "random.uniform(min=-1.0, max=2.0)"),
        ({"kind": "normal", "a": 5.0, "b": 2.0}, "random.normal(mean=5.0, std=2.0)"),
        ({"kind": "lognormal", "a": 0.0, "b": 0.5}, "random.lognormal(mean=0.0, std=0.5)"),
        ({"kind": "exponential", "a": 2.0}, "random.exponential(beta=2.0)"),
        (
            {"kind": "normal", "a": 5.0, "b": 2.0, "low": 3.0, "high": 9.0, "redraw": True},
            "math.redraw(random.normal(mean=5.0, std=2.0), min=3.0, max=9.0)",
        ),
        (
            {"kind": "normal", "a": 5.0, "b": 2.0, "low": 3.0, "high": 9.0},
            "math.min(math.max(random.normal(mean=5.0, std=2.0), 3.0), 9.0)",
        ),
    ],
)
def test_random_objects_and_expressions_draw_the_same_numbers(old, text):
    np.testing.assert_array_equal(draw(old), draw(prog(text)))


def test_functions_of_draws_are_functions_of_the_same_draws():
    u = draw(prog("random.uniform()"))
    libm = np.vectorize(math.exp)  # numpy's exp may differ from libm's in the last bit
    np.testing.assert_array_equal(draw(prog("math.exp(random.uniform())")), libm(u))
    np.testing.assert_array_equal(draw(prog("2.0 * random.uniform() + 1.0")), 2.0 * u + 1.0)
    np.testing.assert_array_equal(draw(prog("3.0 - random.uniform()")), u * -1.0 + 3.0)
    square = np.vectorize(lambda x: math.pow(x, 2.0))
    np.testing.assert_array_equal(draw(prog("random.uniform() ** 2")), square(u))
    cos = np.vectorize(math.cos)
    np.testing.assert_array_equal(draw(prog("math.cos(random.uniform())")), cos(u))
    np.testing.assert_array_equal(draw(prog("math.min(random.uniform(), 0.3)")), np.minimum(u, 0.3))
    np.testing.assert_array_equal(draw(prog("random.uniform() > 0.25")), (u > 0.25) * 1.0)


def test_distributions():
    ints = draw(prog("random.uniform_int(max=4)"))
    assert set(np.unique(ints)) == {0.0, 1.0, 2.0, 3.0}
    assert abs(ints.mean() - 1.5) < 0.03
    two = draw(prog("random.uniform() + random.uniform()"))  # two draws, one per leaf
    assert abs(two.mean() - 1.0) < 0.01 and abs(two.var() - 1 / 6) < 0.005
    red = draw(prog("math.redraw(random.normal(mean=2.0, std=1.0), min=0.5, max=4.0)"))
    assert red.min() >= 0.5 and red.max() <= 4.0
    # the mean of a normal truncated to [0.5, 4]
    a, b = -1.5, 2.0
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    assert abs(red.mean() - (2.0 + (phi(a) - phi(b)) / (cdf(b) - cdf(a)))) < 0.02


def test_conditional_evaluates_one_branch():
    values = draw(prog("logic.conditional(random.uniform() < 0.25, random.normal(), 7.0)"))
    sevens = np.mean(values == 7.0)
    assert abs(sevens - 0.75) < 0.01
    assert abs(values[values != 7.0].std() - 1.0) < 0.03


def test_engine_refuses_bad_programs():
    with pytest.raises(ValueError, match="unknown parameter function bogus"):
        draw(["bogus", []])
    with pytest.raises(ValueError, match="uniform: min must be <= max"):
        draw(["uniform", [2.0, 1.0]])
    with pytest.raises(ValueError, match="takes 2 numbers and 0 parameters"):
        draw(["normal", [1.0]])
    with pytest.raises(ValueError, match="spatial.distance needs spatial nodes"):
        draw(["distance", [0.0]])
    with pytest.raises(ValueError, match="no value in"):
        draw(prog("math.redraw(random.uniform(), min=2.0, max=3.0)"))


def _expression_network(threads: int = 1):
    return project(
        [
            node("A", "iaf_psc_alpha", 50, V_m="-70.0 + 5.0 * random.uniform()", I_e=376.0),
            node(
                "B", "iaf_psc_alpha", 30, tau_m="math.max(random.normal(mean=10.0, std=2.0), 2.0)"
            ),
            node("sr", "spike_recorder"),
        ],
        [
            conn(
                "c1",
                "A",
                "B",
                "fixed_indegree",
                "math.redraw(random.normal(mean=20.0, std=5.0), min=5.0, max=40.0)",
                "1.0 + random.exponential(beta=0.5)",
                indegree=8,
            ),
            conn(
                "c2", "B", "A", "pairwise_bernoulli", "-5.0 * random.lognormal(std=0.2)", 1.5, p=0.3
            ),
            conn("r1", "A", "sr"),
            conn("r2", "B", "sr"),
        ],
        duration=200.0,
        threads=threads,
    )


def test_expressions_in_a_project_validate_build_and_run():
    assert validate(_expression_network()) == []
    run = _Run(_expression_network(), None, None, None)
    table = run.net.connections(0)
    assert len(table["weights"]) == 30 * 8
    assert table["weights"].min() >= 5.0 and table["weights"].max() <= 40.0
    assert table["delays"].min() >= 1.0 and len(np.unique(table["delays"])) > 5
    inh = run.net.connections(1)["weights"]
    assert (inh < 0).all() and len(np.unique(inh)) == len(inh)


def _tables(run, indices=(0, 1)):
    out = []
    for i in indices:
        t = run.net.connections(i)
        out.append({k: np.asarray(v) for k, v in t.items()})
    return out


def test_expression_weights_and_delays_do_not_depend_on_threads_or_ranks():
    base = _tables(_Run(_expression_network(1), None, None, None))
    for threads in (2, 4):
        other = _tables(_Run(_expression_network(threads), None, None, None))
        for a, b in zip(base, other, strict=True):
            for k in a:
                np.testing.assert_array_equal(a[k], b[k], err_msg=f"{threads} threads: {k}")
    ranks = [_Run(_expression_network(1), None, None, None, rank=r, n_ranks=2) for r in range(2)]
    for i, a in enumerate(base):
        parts = [_tables(r, (i,))[0] for r in ranks]
        merged = {k: np.concatenate([p[k] for p in parts]) for k in a}
        order = np.lexsort((merged["targets"], merged["sources"]))
        for k in a:
            np.testing.assert_array_equal(a[k], merged[k][order], err_msg=f"2 ranks: {k}")


def test_expression_spikes_do_not_depend_on_threads():
    from helpers import assert_same_events
    from spikedesk.engine import simulate

    runs = [simulate(_expression_network(t)).events for t in (1, 2, 4)]
    assert len(runs[0]["sr"]["times"]) > 50
    for other in runs[1:]:
        assert_same_events(runs[0], other, recorders=("sr",))


def test_errors_name_node_parameter_and_column():
    bad = project([node("A", "iaf_psc_alpha", 5, V_m="-70 + * 2")], [])
    problems = validate(bad)
    assert [str(p) for p in problems] == [
        "nodes[0].params.V_m: column 7: expected a number, a name or '(', "
        "found '*' of \"-70 + * 2\""
    ]
    spatial = project(
        [node("A", "iaf_psc_alpha", 5)], [conn("c", "A", "A", weight="1.0 + spatial.distance")]
    )
    (problem,) = validate(spatial)
    assert problem.path == "connections[0].synapse.weight"
    assert "column 7: spatial.distance needs positions" in problem.message
    tau = project([node("A", "iaf_psc_alpha", 5, tau_m="random.normal(mean=10.0)")], [])
    (problem,) = validate(tau)
    assert problem.path == "nodes[0].params.tau_m" and "tau_m must be > 0" in problem.message
    assert (
        validate(project([node("A", "iaf_psc_alpha", 5, tau_m="random.lognormal(mean=2.0)")], []))
        == []
    )
    with pytest.raises(InvalidProjectError):
        _Run(bad, None, None, None)
    impossible = project(
        [node("A", "iaf_psc_alpha", 5, V_m="math.redraw(random.uniform(), min=2.0, max=3.0)")], []
    )
    with pytest.raises(ParameterError, match="V_m.*no value in"):
        _Run(impossible, None, None, None)


def test_random_objects_still_build_as_before():
    """Today's random objects go through the same tree (bit-identical draws, checked above)."""
    p = project(
        [node("A", "iaf_psc_alpha", 20), node("B", "iaf_psc_alpha", 20)],
        [conn("c", "A", "B", weight=random("normal", low=0.0, mean=1.0, std=1.0))],
    )
    w = _Run(p, None, None, None).net.connections(0)["weights"]
    assert w.min() == 0.0 and len(w) == 400
