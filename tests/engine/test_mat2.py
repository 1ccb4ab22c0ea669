"""mat2_psc_exp and amat2_psc_exp: the adaptive threshold, no reset, amat2 with beta = 0 is
mat2, parameter checks, runaway input, thread invariance. (Agreement with NEST itself is tested
in tests/validation/test_nest_model_traces.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_thread_invariant, conn, node, project, random
from spikedesk.engine import EngineError, simulate

MODELS = ("mat2_psc_exp", "amat2_psc_exp")
COMMON = dict(C_m=100.0, tau_m=5.0, omega=-51.0, alpha_1=37.0, alpha_2=2.0, t_ref=2.0)


def run(model, duration=200.0, **params):
    if model == "amat2_psc_exp" and params.get("tau_m") == 5.0:
        params.setdefault("tau_v", 7.0)  # its default 5 ms must differ from tau_m
    record = ["V_m", "V_th"] + (["V_th_v", "I_syn_ex"] if model == "amat2_psc_exp" else [])
    nodes = [
        node("n", model, **params),
        node("mm", "multimeter", interval=0.1, record_from=record),
        node("sr", "spike_recorder"),
    ]
    ev = simulate(project(nodes, [conn("m", "mm", "n"), conn("s", "n", "sr")], duration)).events
    return ev["mm"], ev["sr"]["times"]


@pytest.mark.parametrize("model", MODELS)
def test_threshold_jumps_by_alpha_and_decays_and_v_m_is_not_reset(model):
    mm, spikes = run(model, I_e=500.0, **COMMON)
    assert len(spikes) >= 3
    t, v, th = mm["times"], mm["V_m"], mm["V_th"]
    k = int(np.argmin(np.abs(t - spikes[0])))  # the sample at the spike step
    assert th[k] - th[k - 1] == pytest.approx(37.0 + 2.0, abs=0.5)
    assert v[k + 1] > v[k] - 1.0  # no reset
    assert np.all(v[t < spikes[0]] < th[t < spikes[0]])
    # between spikes each component decays with its own time constant
    gap = (t > spikes[0] + 0.05) & (t < spikes[1] - 0.05)
    rel = th[gap] - (-51.0)
    expected = (37.0 * np.exp(-(t[gap] - spikes[0]) / 10.0) +
                2.0 * np.exp(-(t[gap] - spikes[0]) / 200.0))  # fmt: skip
    if model == "mat2_psc_exp":
        np.testing.assert_allclose(rel, expected, rtol=1e-9)
    isi = np.diff(spikes)
    assert np.all(isi >= 2.0 - 1e-9)


def test_amat2_with_beta_0_is_mat2():
    a_mm, a_sp = run("mat2_psc_exp", I_e=400.0, **COMMON)
    b_mm, b_sp = run("amat2_psc_exp", I_e=400.0, beta=0.0, **COMMON)
    np.testing.assert_array_equal(a_sp, b_sp)
    np.testing.assert_allclose(a_mm["V_m"], b_mm["V_m"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a_mm["V_th"], b_mm["V_th"], rtol=1e-12, atol=1e-12)
    assert np.all(b_mm["V_th_v"] == 0.0)


def test_amat2_voltage_dependent_threshold_rises_with_v_m():
    mm, spikes = run("amat2_psc_exp", duration=50.0, I_e=50.0, beta=0.5, tau_v=8.0)
    assert len(spikes) == 0
    assert np.all(mm["V_th_v"][1:] > 0.0)
    np.testing.assert_allclose(mm["V_th"], -65.0 + mm["V_th_v"], rtol=1e-12)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "param,value,words",
    [("C_m", 0.0, ("C_m", "> 0")), ("tau_1", 0.0, ("tau_1", "> 0")),
     ("tau_2", -1.0, ("tau_2", "> 0")), ("t_ref", 0.0, ("t_ref", "> 0")),
     ("t_ref", 0.05, ("t_ref", "resolution")), ("tau_syn_ex", 10.0, ("tau_m", "!= ", "tau_syn_ex")),
     ("tau_syn_in", 10.0, ("tau_m", "!= ", "tau_syn_in"))],
)  # fmt: skip
def test_invalid_parameters_name_node_and_parameter(model, param, value, words):
    # the engine checks them (and the project validation, where the catalog declares them)
    p = project([node("mat", model, 3, tau_m=10.0, **{param: value})], [])
    with pytest.raises(EngineError) as err:
        simulate(p)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_amat2_tau_v_must_differ_from_the_other_time_constants():
    p = project([node("mat", "amat2_psc_exp", tau_v=10.0, tau_m=10.0)], [])
    with pytest.raises(EngineError) as err:
        simulate(p)
    assert all(w in str(err.value) for w in ("tau_m", "!= ", "tau_v")), str(err.value)


@pytest.mark.parametrize("model", MODELS)
def test_runaway_input_spikes_at_the_refractory_limit(model):
    _, spikes = run(model, duration=100.0, I_e=1e50, t_ref=2.0)
    # as NEST: t_ref counts the steps after the spike step, so the shortest ISI is t_ref + h
    np.testing.assert_allclose(np.diff(spikes), 2.1, atol=1e-9)


def recurrent(model: str, threads: int):
    return project(
        [
            node("E", model, 80, V_m=random("uniform", min=-70.0, max=-60.0)),
            node("I", model, 20, tau_syn_ex=0.5),
            node("pg", "poisson_generator", rate=8000.0),
            node("sr", "spike_recorder"),
            node("mm", "multimeter", interval=0.5, record_from=["V_m", "V_th"]),
        ],
        [
            conn("pE", "pg", "E", weight=60.0),
            conn("pI", "pg", "I", weight=60.0),
            conn("EE", "E", "E", "fixed_indegree", weight=40.0, delay=1.5, indegree=10),
            conn("EI", "E", "I", "fixed_indegree", weight=40.0, delay=1.0, indegree=10),
            conn("IE", "I", "E", "fixed_indegree", weight=-150.0, delay=1.0, indegree=5),
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
