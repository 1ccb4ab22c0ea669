"""iaf_psc_exp_multisynapse and iaf_psc_alpha_multisynapse: receptor ports from tau_syn,
per-receptor currents, parameter checks, thread invariance. (Agreement with NEST itself is
tested in tests/validation/test_nest_model_traces.py.)"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from helpers import assert_rank_invariant, assert_thread_invariant, conn, node, project, random
from spikedesk.engine import EngineError, ParameterError, simulate

MODELS = ("iaf_psc_exp_multisynapse", "iaf_psc_alpha_multisynapse")
TAU = [0.5, 2.0, 8.0]


def to(receptor: int, c):
    return replace(c, synapse=replace(c.synapse, receptor_type=receptor))


def currents(model: str, receptor: int, weight: float = 100.0, record=None, **params):
    record = record or ["I_syn", "I_syn_1", "I_syn_2", "I_syn_3", "V_m"]
    nodes = [
        node("n", model, tau_syn=TAU, **params),
        node("sg", "spike_generator", spike_times=[10.0]),
        node("mm", "multimeter", interval=0.1, record_from=record),
    ]
    conns = [to(receptor, conn("in", "sg", "n", weight=weight)), conn("m", "mm", "n")]
    return simulate(project(nodes, conns, duration=60.0)).events["mm"]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("receptor", [1, 2, 3])
def test_each_receptor_has_its_own_time_constant(model, receptor):
    ev = currents(model, receptor)
    t, own = ev["times"], ev[f"I_syn_{receptor}"]
    tau = TAU[receptor - 1]
    for other in {1, 2, 3} - {receptor}:
        assert np.all(ev[f"I_syn_{other}"] == 0.0)
    np.testing.assert_array_equal(ev["I_syn"], own)
    after = t > 11.0 + 1e-9  # the spike arrives at 11.0 ms
    if model == "iaf_psc_exp_multisynapse":
        expected = 100.0 * np.exp(-(t - 11.0) / tau)
    else:  # alpha: peaks at w pA tau_syn after arrival
        expected = 100.0 * math.e * (t - 11.0) / tau * np.exp(-(t - 11.0) / tau)
        assert t[np.argmax(own)] == pytest.approx(11.0 + tau, abs=0.051)
    np.testing.assert_allclose(own[after], expected[after], rtol=1e-9, atol=1e-12)
    assert ev["V_m"].max() > -70.0


@pytest.mark.parametrize("model", MODELS)
def test_receptor_outside_the_ports_is_refused(model):
    for receptor in (0, 4):
        with pytest.raises(ParameterError) as err:
            currents(model, receptor)
        assert err.value.node == "in" and err.value.parameter == "synapse.receptor_type"
        assert "1..3" in err.value.reason


@pytest.mark.parametrize("model", MODELS)
def test_only_the_nodes_own_receptor_currents_are_recordable(model):
    with pytest.raises(EngineError, match=r"I_syn_4.* 3 receptors"):
        currents(model, 1, record=["V_m", "I_syn_4"])


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "param,value", [("C_m", 0.0), ("tau_m", -1.0), ("t_ref", -0.5), ("V_reset", -50.0)]
)
def test_invalid_parameters_name_node_and_parameter(model, param, value):
    p = project([node("ms", model, 2, **{param: value})], [])
    with pytest.raises(EngineError, match=rf"nodes\[0\].params.{param}"):
        simulate(p)


@pytest.mark.parametrize("model", MODELS)
def test_every_tau_syn_must_be_positive(model):
    # the engine checks each entry (and the project validation, where the catalog declares it)
    p = project([node("ms", model, 2, tau_syn=[2.0, 0.0])], [])
    with pytest.raises(EngineError) as err:
        simulate(p)
    assert "tau_syn" in str(err.value) and "> 0" in str(err.value), str(err.value)


def test_exp_tau_syn_must_differ_from_tau_m():
    p = project([node("ms", "iaf_psc_exp_multisynapse", tau_syn=[2.0, 10.0], tau_m=10.0)], [])
    with pytest.raises(EngineError) as err:
        simulate(p)
    assert all(w in str(err.value) for w in ("tau_syn", "!= ", "tau_m")), str(err.value)


@pytest.mark.parametrize("model", MODELS)
def test_runaway_input_spikes_at_the_refractory_limit(model):
    p = project(
        [node("n", model, I_e=1e50, t_ref=2.0), node("sr", "spike_recorder")],
        [conn("s", "n", "sr")],
        duration=100.0,
    )
    times = simulate(p).events["sr"]["times"]
    assert len(times) == pytest.approx(100.0 / 2.1, abs=2)
    np.testing.assert_allclose(np.diff(times), 2.1, atol=1e-9)


def recurrent(model: str, threads: int):
    tau = [0.5, 2.0, 8.0]
    return project(
        [
            node("E", model, 80, tau_syn=tau, V_m=random("uniform", min=-70.0, max=-55.0)),
            node("I", model, 20, tau_syn=tau),
            node("pg", "poisson_generator", rate=20000.0),
            node("sr", "spike_recorder"),
            node("mm", "multimeter", interval=0.5, record_from=["V_m", "I_syn", "I_syn_3"]),
        ],
        [
            to(1, conn("pE", "pg", "E", weight=80.0)),
            to(1, conn("pI", "pg", "I", weight=80.0)),
            to(2, conn("EE", "E", "E", "fixed_indegree", weight=50.0, delay=1.5, indegree=10)),
            to(2, conn("EI", "E", "I", "fixed_indegree", weight=50.0, delay=1.0, indegree=10)),
            to(3, conn("IE", "I", "E", "fixed_indegree", weight=-200.0, indegree=5)),
            conn("sE", "E", "sr"),
            conn("sI", "I", "sr"),
            conn("m", "mm", "E"),
        ],
        duration=200.0,
        threads=threads,
    )


@pytest.mark.parametrize("model", MODELS)
def test_recurrent_network_is_identical_for_1_2_4_threads(model):
    assert_thread_invariant(lambda t: recurrent(model, t), min_spikes=100)


@pytest.mark.parametrize("model", MODELS)
def test_receptor_ports_do_not_depend_on_the_number_of_ranks(model):
    assert_rank_invariant(recurrent(model, 1))
