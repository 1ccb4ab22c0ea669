"""Connection rules: counts and degree distributions, autapses, multapses, subsets, errors."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import conn, node, project, random
from spikedesk.engine import EngineError, _core
from spikedesk.engine.driver import _Run


def build(
    rule: str, n_src=50, n_tgt=40, same=False, weight=1.0, delay=1.0, threads=1, seed=3, **args
):
    nodes = [node("A", "parrot_neuron", n_src)]
    if not same:
        nodes.append(node("B", "parrot_neuron", n_tgt))
    p = project(
        nodes,
        [conn("c", "A", "A" if same else "B", rule, weight, delay, **args)],
        seed=seed,
        threads=threads,
    )
    return _Run(p, None, None, None)


def degrees(run: _Run) -> int:
    return int(run.net.synapse_count())


def test_all_to_all_and_autapses():
    assert degrees(build("all_to_all")) == 50 * 40
    assert degrees(build("all_to_all", same=True)) == 50 * 50
    assert degrees(build("all_to_all", same=True, allow_autapses=False)) == 50 * 49


def test_one_to_one_needs_equal_sizes():
    assert degrees(build("one_to_one", n_tgt=50)) == 50
    with pytest.raises(EngineError, match=r"connections\[0\].rule.rule: one_to_one needs"):
        build("one_to_one")


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_fixed_indegree_is_exact(threads):
    assert degrees(build("fixed_indegree", indegree=7, threads=threads)) == 7 * 40


def test_fixed_outdegree_and_total_number_are_exact():
    assert degrees(build("fixed_outdegree", outdegree=9)) == 9 * 50
    assert degrees(build("fixed_total_number", N=333)) == 333


def test_pairwise_bernoulli_count_is_binomial():
    n, p = 50 * 40, 0.2
    counts = [degrees(build("pairwise_bernoulli", p=p, seed=s)) for s in range(1, 21)]
    sigma = np.sqrt(n * p * (1 - p))
    assert all(abs(c - n * p) < 4 * sigma for c in counts)
    assert abs(np.mean(counts) - n * p) < 4 * sigma / np.sqrt(len(counts))
    assert len(set(counts)) > 1  # different seeds give different networks


def test_without_multapses_too_many_is_an_error():
    with pytest.raises(EngineError, match=r"connections\[0\].rule.indegree: indegree 60 exceeds"):
        build("fixed_indegree", indegree=60, allow_multapses=False)
    # at the limit every source is used exactly once per target
    assert degrees(build("fixed_indegree", indegree=50, allow_multapses=False)) == 50 * 40


def test_indegree_distribution_over_sources_is_uniform():
    """Each target draws its sources uniformly: out-degrees are binomial(K * N_t, 1/N_s)."""
    run = build("fixed_indegree", n_src=20, n_tgt=400, indegree=10, seed=11)
    # route all spikes: count synapses per source through the C++ CSR via a one-step run
    p = project(
        [
            node("sg", "spike_generator", 20, spike_times=[1.0]),
            node("A", "parrot_neuron", 20),
            node("B", "parrot_neuron", 400),
            node("sr", "spike_recorder"),
        ],
        [
            conn("drive", "sg", "A", "one_to_one"),
            conn("c", "A", "B", "fixed_indegree", indegree=10),
            conn("rec", "B", "sr"),
        ],
        duration=10.0,
        seed=11,
    )
    from spikedesk.engine import simulate

    ev = simulate(p).events["sr"]
    # every B neuron receives exactly 10 spikes (indegree) at the same step
    counts = np.bincount(ev["senders"] - ev["senders"].min(), minlength=400)
    assert counts.sum() == 4000 and np.all(counts == 10)
    assert run is not None


def test_random_weights_follow_their_distribution_and_bounds():
    run = build("all_to_all", n_src=1, n_tgt=1)
    spec = {"kind": "normal", "a": 5.0, "b": 2.0, "low": 3.0, "high": 9.0, "redraw": True}
    draws = run.net.draw(spec, 1, 1, 20000)
    assert draws.min() >= 3.0 and draws.max() <= 9.0
    clipped = run.net.draw({**spec, "redraw": False}, 1, 1, 20000)
    assert np.mean(clipped == 3.0) == pytest.approx(0.1587, abs=0.01)  # P(z < -1)
    uniform = run.net.draw({"kind": "uniform", "a": -1.0, "b": 1.0}, 2, 1, 20000)
    assert abs(uniform.mean()) < 0.03 and uniform.min() >= -1.0 and uniform.max() < 1.0
    expo = run.net.draw({"kind": "exponential", "a": 3.0}, 3, 1, 20000)
    assert expo.mean() == pytest.approx(3.0, rel=0.05)
    logn = run.net.draw({"kind": "lognormal", "a": 0.0, "b": 0.5}, 4, 1, 20000)
    assert np.log(logn).std() == pytest.approx(0.5, rel=0.05)


def test_delay_shorter_than_resolution_is_refused():
    with pytest.raises(EngineError, match=r"connections\[0\].synapse.delay: must be >= 0.1"):
        build("all_to_all", delay=0.01)


def test_random_delays_and_weights_in_a_connection():
    run = build(
        "fixed_indegree",
        indegree=5,
        weight=random("uniform", min=0.5, max=1.5),
        delay=random("uniform", min=1.0, max=3.0),
    )
    assert run.net.synapse_count() == 200
    assert run.net.min_delay >= 0  # prepared lazily; building succeeded


def test_registry_lists_every_catalog_model():
    from spikedesk.project_files import catalog

    implemented = _core.models()
    for name, spec in catalog.models().items():
        assert name in implemented, f"{name} is in the catalog but not in the engine"
        info = implemented[name]
        assert info["kind"] == spec.kind
        assert sorted(info["params"]) == sorted(spec.params), name
        assert sorted(info["recordables"]) == sorted(spec.recordables), name
