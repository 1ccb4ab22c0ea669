"""Precise spike timing (the *_ps models, poisson_generator_ps, spike_generator precise_times):
offsets travel from source to target through threads and (emulated) ranks, grid and precise
nodes mix as in NEST, and bad parameters or runaway input fail clearly."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import conn, node, project, random
from spikedesk.engine import (
    EngineError,
    InvalidProjectError,
    ParameterError,
    merge,
    simulate,
    stream,
)
from test_ranks import run_ranks

H = 0.1


def recurrent_network(duration=200.0, threads=1):
    """Every precise model in one recurrent network, with grid nodes on both sides."""
    nodes = [
        node(
            "alpha", "iaf_psc_alpha_ps", 40, I_e=300.0, V_m=random("uniform", min=-70.0, max=-56.0)
        ),
        node("exp", "iaf_psc_exp_ps", 30, I_e=320.0, tau_syn_ex=1.0, tau_syn_in=3.0),
        node("delta", "iaf_psc_delta_ps", 25, I_e=200.0, t_ref=1.55, V_m=-60.0),
        node("parrots", "parrot_neuron_ps", 10),
        node("grid", "iaf_psc_alpha", 12, I_e=350.0),
        node("pg", "poisson_generator_ps", rate=800.0, dead_time=0.5),
        node("pg_grid", "poisson_generator", rate=500.0),
        node("sg", "spike_generator", precise_times=True, spike_times=[3.33, 7.01, 7.01, 15.55]),
        node("dc", "dc_generator", amplitude=50.0, start=20.0, stop=120.0),
        node("spikes", "spike_recorder"),
        node("vm", "voltmeter", interval=H),
    ]
    delays = random("uniform", min=0.5, max=2.5)
    conns = [
        conn("pg-alpha", "pg", "alpha", weight=60.0, delay=1.0),
        conn("pg-delta", "pg", "delta", weight=0.8, delay=1.3),
        conn("pgg-exp", "pg_grid", "exp", weight=40.0, delay=0.7),
        conn("sg-parrots", "sg", "parrots", delay=1.0),
        conn("pg-parrots", "pg", "parrots", delay=2.0),
        conn("aa", "alpha", "alpha", "fixed_indegree", weight=-40.0, delay=delays, indegree=5),
        conn("ae", "alpha", "exp", "fixed_indegree", weight=80.0, delay=delays, indegree=4),
        conn("ed", "exp", "delta", "pairwise_bernoulli", weight=1.5, delay=delays, p=0.2),
        conn("da", "delta", "alpha", "fixed_indegree", weight=50.0, delay=1.1, indegree=3),
        conn("pa", "parrots", "alpha", "all_to_all", weight=20.0, delay=0.9),
        conn("ag", "alpha", "grid", "fixed_indegree", weight=30.0, delay=delays, indegree=6),
        conn("ga", "grid", "alpha", "fixed_indegree", weight=-20.0, delay=1.0, indegree=2),
        conn("dc-exp", "dc", "exp"),
    ]
    for pop in ("alpha", "exp", "delta", "parrots", "grid"):
        conns.append(conn(f"{pop}-spikes", pop, "spikes"))
    for pop in ("alpha", "exp", "delta"):
        conns.append(conn(f"vm-{pop}", "vm", pop))
    return project(nodes, conns, duration, threads=threads)


def test_threads_and_ranks_give_identical_precise_spike_times():
    p = recurrent_network()
    reference = simulate(p, threads=1)
    spikes = reference.events["spikes"]
    steps = spikes["times"] / H
    # the network is active, and precise: most spike times lie off the grid
    first, size = reference.node_ids["grid"]
    precise = (spikes["senders"] < first) | (spikes["senders"] >= first + size)
    assert precise.sum() > 200
    assert np.mean(np.abs(steps[precise] - np.round(steps[precise])) > 1e-9) > 0.9
    grid = ~precise
    assert grid.sum() > 0 and np.all(np.abs(steps[grid] - np.round(steps[grid])) < 1e-9)
    for threads in (2, 4):
        got = simulate(p, threads=threads).events
        for rid, fields in reference.events.items():
            for name, values in fields.items():
                np.testing.assert_array_equal(
                    got[rid][name], values, err_msg=f"{threads}: {rid}.{name}"
                )
    for n_ranks, threads in ((2, 1), (3, 1), (3, 2)):
        got = run_ranks(p, n_ranks, threads, duration=p.simulation.duration)
        for rid, fields in reference.events.items():
            for name, values in fields.items():
                np.testing.assert_array_equal(
                    got[rid][name], values, err_msg=f"{n_ranks} ranks x {threads}: {rid}.{name}"
                )


def test_streamed_chunks_equal_the_whole_run():
    p = recurrent_network(duration=120.0)
    whole = simulate(p).events
    merged = merge([c.events for c in stream(p, chunk=7.3)])
    for rid, fields in whole.items():
        for name, values in fields.items():
            np.testing.assert_array_equal(merged[rid][name], values, err_msg=f"{rid}.{name}")


def relay(model: str, times, weight: float, delay: float = 1.0, **params):
    nodes = [
        node("sg", "spike_generator", precise_times=True, spike_times=times),
        node("n", model, **params),
        node("sr", "spike_recorder"),
    ]
    p = project(
        nodes, [conn("a", "sg", "n", weight=weight, delay=delay), conn("b", "n", "sr")], 30.0
    )
    return simulate(p).events["sr"]["times"]


def test_an_arrival_over_threshold_fires_at_its_precise_time():
    # iaf_psc_delta_ps jumps over threshold at the arrival: the spike is the arrival itself
    times = relay("iaf_psc_delta_ps", [2.037, 9.9991], 20.0, delay=1.2)
    np.testing.assert_allclose(times, [3.237, 11.1991], rtol=0, atol=1e-12)
    # parrot_neuron_ps keeps the offset too
    np.testing.assert_allclose(relay("parrot_neuron_ps", [2.037], 1.0, 1.2), [3.237], atol=1e-12)


def test_spike_time_under_a_constant_current_is_analytic():
    # from rest, I_e drives V towards R I_e = 40 mV above E_L: V(t) = 40 (1 - exp(-t / tau_m))
    # crosses 15 mV at t = -tau_m ln(1 - 15 / 40); then again t_ref after each spike
    p = project(
        [node("n", "iaf_psc_exp_ps", I_e=1000.0, t_ref=2.0), node("sr", "spike_recorder")],
        [conn("b", "n", "sr")],
        40.0,
    )
    times = simulate(p).events["sr"]["times"]
    isi_free = -10.0 * np.log(1.0 - 15.0 / 40.0)
    assert times[0] == pytest.approx(isi_free, abs=1e-9)
    np.testing.assert_allclose(np.diff(times), isi_free + 2.0, rtol=0, atol=1e-9)


def test_grid_targets_see_only_the_step_of_a_precise_spike():
    def trace(**sg):
        nodes = [
            node("sg", "spike_generator", **sg),
            node("n", "iaf_psc_delta"),
            node("vm", "voltmeter", interval=H),
        ]
        p = project(nodes, [conn("a", "sg", "n", weight=2.0), conn("b", "vm", "n")], 20.0)
        return simulate(p).events["vm"]["V_m"]

    precise = trace(precise_times=True, spike_times=[5.37, 8.01])
    grid = trace(spike_times=[5.4, 8.1])
    np.testing.assert_array_equal(precise, grid)


def test_grid_input_reaches_precise_neurons_at_the_end_of_the_step():
    nodes = [
        node("sg", "spike_generator", spike_times=[2.0, 4.5, 4.5]),
        node("par", "parrot_neuron_ps"),
        node("sr", "spike_recorder"),
    ]
    p = project(nodes, [conn("a", "sg", "par", delay=1.0), conn("b", "par", "sr")], 10.0)
    np.testing.assert_allclose(simulate(p).events["sr"]["times"], [3.0, 5.5, 5.5], atol=1e-12)


@pytest.mark.parametrize(
    ("model", "params", "name"),
    [
        ("iaf_psc_alpha_ps", {"V_reset": -50.0}, "V_reset"),
        ("iaf_psc_alpha_ps", {"tau_syn_in": 0.0}, "tau_syn_in"),
        ("iaf_psc_exp_ps", {"t_ref": 0.0}, "t_ref"),
        ("iaf_psc_exp_ps", {"C_m": -1.0}, "C_m"),
        ("iaf_psc_delta_ps", {"V_min": -60.0}, "V_min"),  # V_reset >= V_min: names what was set
        ("iaf_psc_delta_ps", {"tau_m": 0.0}, "tau_m"),
        ("poisson_generator_ps", {"rate": 600.0, "dead_time": 2.0}, "dead_time"),
        ("poisson_generator_ps", {"dead_time": -1.0}, "dead_time"),
        ("spike_generator", {"precise_times": True, "allow_offgrid_times": True}, "precise_times"),
    ],
)
def test_bad_parameters_name_the_parameter(model, params, name):
    # the project check (catalog ranges) or the engine's own checks, both naming the parameter
    p = project([node("x", model, **params)], [], 5.0)
    with pytest.raises((ParameterError, InvalidProjectError)) as err:
        simulate(p)
    if isinstance(err.value, ParameterError):
        assert err.value.node == "x" and err.value.parameter == name
    else:
        assert [q.path for q in err.value.problems] == [f"nodes[0].params.{name}"]
    assert "must" in str(err.value) or "cannot" in str(err.value)


def test_an_engine_check_on_drawn_values_names_the_parameter():
    p = project(
        [node("x", "iaf_psc_alpha_ps", 5, V_reset=random("uniform", min=-60.0, max=-50.0))], []
    )
    with pytest.raises(ParameterError) as err:
        simulate(p)
    assert err.value.node == "x" and err.value.parameter == "V_reset"
    assert "V_th" in err.value.reason


@pytest.mark.parametrize("model", ["iaf_psc_alpha_ps", "iaf_psc_exp_ps", "iaf_psc_delta_ps"])
def test_runaway_input_does_not_hang(model):
    p = project(
        [node("n", model, I_e=1e50), node("sr", "spike_recorder")], [conn("b", "n", "sr")], 20.0
    )
    try:
        times = simulate(p).events["sr"]["times"]
    except EngineError as err:  # a threshold crossing that cannot be located
        assert "threshold" in str(err)
    else:
        # a spike at the end of every refractory period
        assert 8 <= len(times) <= 11 and np.all(np.isfinite(times))
