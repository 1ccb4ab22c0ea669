"""gif_psc_exp and gif_cond_exp: adaptation and spike-triggered currents, the refractory hold,
list parameters, runaway input, thread invariance. (NEST's traces and statistics are tested in
tests/validation/test_nest_model_traces.py and test_gif_statistics.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_rank_invariant, assert_thread_invariant, conn, node, project, random
from spikedesk.engine import EngineError, simulate

MODELS = ("gif_psc_exp", "gif_cond_exp")
ADAPT = dict(q_sfa=[5.0, 1.0], tau_sfa=[20.0, 200.0], q_stc=[10.0], tau_stc=[30.0], t_ref=4.0)


def run(model, duration=300.0, seed=1, **params):
    nodes = [
        node("n", model, **params),
        node("mm", "multimeter", interval=0.1, record_from=["V_m", "E_sfa", "I_stc"]),
        node("sr", "spike_recorder"),
    ]
    p = project(nodes, [conn("m", "mm", "n"), conn("s", "n", "sr")], duration, seed=seed)
    ev = simulate(p).events
    return ev["mm"], ev["sr"]["times"]


@pytest.mark.parametrize("model", MODELS)
def test_adaptation_and_spike_triggered_current_follow_the_spikes(model):
    mm, spikes = run(model, I_e=300.0, **ADAPT)
    assert len(spikes) >= 5
    t = mm["times"]
    # E_sfa and I_stc of the step ending at t: V_T_star plus the decayed jumps of the earlier
    # spikes (a spike's jump shows from the step after it)
    lag = t[:, None] - spikes[None, :] - 0.1
    seen = lag > -1e-9

    def decay(tau):
        return np.where(seen, np.exp(-np.where(seen, lag, 0.0) / tau), 0.0).sum(axis=1)

    sfa = -35.0 + 5.0 * decay(20.0) + 1.0 * decay(200.0)
    stc = 10.0 * decay(30.0)
    np.testing.assert_allclose(mm["E_sfa"], sfa, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(mm["I_stc"], stc, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("model", MODELS)
def test_v_m_is_held_at_v_reset_for_t_ref_after_a_spike(model):
    mm, spikes = run(model, I_e=300.0, **ADAPT)
    t, v = mm["times"], mm["V_m"]
    for s in spikes:
        held = (t > s + 0.05) & (t < s + 4.0 + 0.05)
        assert held.sum() == 40
        assert np.all(v[held] == -55.0)
    assert np.all(np.diff(spikes) > 4.0)


@pytest.mark.parametrize("model", MODELS)
def test_no_hazard_no_spikes_and_the_seed_matters(model):
    _, none = run(model, lambda_0=0.0, I_e=300.0)
    assert len(none) == 0
    _, a = run(model, I_e=300.0, seed=1)
    _, b = run(model, I_e=300.0, seed=2)
    assert len(a) > 3 and not (len(a) == len(b) and np.array_equal(a, b))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "params,words",
    [
        (dict(q_sfa=[1.0, 2.0], tau_sfa=[10.0]), ("q_sfa", "tau_sfa")),
        (dict(q_stc=[1.0], tau_stc=[]), ("q_stc", "tau_stc")),
        (dict(q_sfa=[1.0], tau_sfa=[0.0]), ("tau_sfa", "> 0")),
        (dict(q_stc=[1.0], tau_stc=[-3.0]), ("tau_stc", "> 0")),
    ],
)
def test_list_parameters_are_checked(model, params, words):
    # the engine checks them (and the project validation, where the catalog declares them)
    p = project([node("g", model, 2, **params)], [])
    with pytest.raises(EngineError) as err:
        simulate(p)
    assert all(w in str(err.value) for w in words), str(err.value)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "param,value", [("C_m", 0.0), ("g_L", 0.0), ("Delta_V", -1.0), ("lambda_0", -1.0),
                    ("t_ref", -1.0), ("tau_syn_ex", 0.0)]
)  # fmt: skip
def test_invalid_parameters_name_node_and_parameter(model, param, value):
    p = project([node("g", model, 3, **{param: value})], [])
    with pytest.raises(EngineError, match=rf"(nodes\[0\]\.params\.|g\.){param}[ :]"):
        simulate(p)


def test_runaway_input():
    # exact integration: the hazard saturates and the neuron fires whenever it may
    _, spikes = run("gif_psc_exp", duration=100.0, I_e=1e50)
    np.testing.assert_allclose(np.diff(spikes), 4.1, atol=1e-9)
    # the ODE solver gives up with an error instead of shrinking its step forever
    with pytest.raises(RuntimeError, match="did not converge"):
        run("gif_cond_exp", duration=100.0, I_e=1e50)


def recurrent(model: str, threads: int):
    w_ex, w_in = (30.0, -60.0) if model == "gif_psc_exp" else (2.0, -4.0)
    return project(
        [
            node("E", model, 80, V_m=random("uniform", min=-70.0, max=-50.0), **ADAPT),
            node("I", model, 20),
            node("pg", "poisson_generator", rate=5000.0),
            node("dc", "dc_generator", amplitude=40.0, start=50.0),
            node("sr", "spike_recorder"),
            node("mm", "multimeter", interval=0.5, record_from=["V_m", "E_sfa", "I_stc"]),
        ],
        [
            conn("pE", "pg", "E", weight=w_ex),
            conn("pI", "pg", "I", weight=w_ex),
            conn("dcE", "dc", "E"),
            conn("EE", "E", "E", "fixed_indegree", weight=w_ex, delay=1.5, indegree=10),
            conn("EI", "E", "I", "fixed_indegree", weight=w_ex, delay=1.0, indegree=10),
            conn("IE", "I", "E", "fixed_indegree", weight=w_in, delay=1.0, indegree=5),
            conn("sE", "E", "sr"),
            conn("sI", "I", "sr"),
            conn("m", "mm", "E"),
        ],
        duration=300.0,
        threads=threads,
    )


@pytest.mark.parametrize("model", MODELS)
def test_recurrent_network_is_identical_for_1_2_4_threads(model):
    assert_thread_invariant(lambda t: recurrent(model, t), min_spikes=100)


@pytest.mark.parametrize("model", MODELS)
def test_spikes_do_not_depend_on_the_number_of_ranks(model):
    assert_rank_invariant(recurrent(model, 1))
