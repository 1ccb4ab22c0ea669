"""iaf_cond_alpha through the Python API: behaviour, parameter checks, thread invariance.
(Agreement with NEST itself is tested in tests/validation/test_nest_cond_traces.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assert_thread_invariant, conn, node, project, random
from spikedesk.engine import EngineError, ParameterError, simulate


def multimeter(**params):
    return node("mm", "multimeter", interval=0.1, record_from=["V_m", "g_ex", "g_in"], **params)


def test_rest_and_steady_state_under_constant_current():
    # V_inf = E_L + I_e / g_L; the solver keeps every step within 1e-3 of the exact solution
    p = project([node("n", "iaf_cond_alpha", I_e=100.0, g_L=20.0), multimeter()],
                [conn("m", "mm", "n")], duration=300.0)  # fmt: skip
    v = simulate(p).events["mm"]["V_m"]
    assert abs(v[-1] - (-70.0 + 100.0 / 20.0)) < 1e-3
    tau = 250.0 / 20.0
    t = simulate(p).events["mm"]["times"]
    exact = -70.0 + 5.0 * (1.0 - np.exp(-t / tau))
    np.testing.assert_allclose(v, exact, atol=1e-4)


def test_a_spike_of_weight_w_peaks_at_w_nS_tau_syn_after_arrival():
    p = project(
        [
            node("n", "iaf_cond_alpha", tau_syn_ex=1.0, tau_syn_in=3.0),
            node("sg", "spike_generator", spike_times=[10.0]),
            multimeter(),
        ],
        [conn("ex", "sg", "n", weight=7.0, delay=1.0), conn("in", "sg", "n", weight=-4.0),
         conn("m", "mm", "n")],
        duration=40.0,
    )  # fmt: skip
    ev = simulate(p).events["mm"]
    t, g_ex, g_in = ev["times"], ev["g_ex"], ev["g_in"]
    assert t[np.argmax(g_ex)] == pytest.approx(12.0)  # arrives at 11.0, peaks 1 ms later
    assert t[np.argmax(g_in)] == pytest.approx(14.0)
    assert g_ex.max() == pytest.approx(7.0, abs=1e-3)
    assert g_in.max() == pytest.approx(4.0, abs=1e-3)
    assert np.all(g_ex[t <= 11.0 + 1e-9] == 0.0)
    expected = 7.0 * math.e * (t - 11.0) * np.exp(-(t - 11.0)) * (t > 11.0)
    np.testing.assert_allclose(g_ex, expected, atol=1e-3)
    assert ev["V_m"].max() > -70.0 and ev["V_m"][0] == -70.0


def test_refractory_time_is_held_at_reset_and_recordable():
    p = project(
        [
            node("n", "iaf_cond_alpha", I_e=1000.0, t_ref=3.0),
            node("mm", "multimeter", interval=0.1, record_from=["V_m", "t_ref_remaining"]),
            node("sr", "spike_recorder"),
        ],
        [conn("m", "mm", "n"), conn("s", "n", "sr")],
        duration=60.0,
    )
    ev = simulate(p).events
    spikes = ev["sr"]["times"]
    assert len(spikes) >= 3 and np.all(np.diff(spikes) > 3.0)
    mm = ev["mm"]
    held = (mm["times"] > spikes[0] + 1e-9) & (mm["times"] < spikes[0] + 3.0 - 1e-9)
    assert np.all(mm["V_m"][held] == -60.0)
    assert mm["t_ref_remaining"].max() == pytest.approx(3.0)


@pytest.mark.parametrize(
    "param,value",
    [("C_m", 0.0), ("tau_syn_ex", 0.0), ("tau_syn_in", -1.0), ("t_ref", -0.5), ("V_reset", -50.0)],
)
def test_invalid_parameters_name_node_and_parameter(param, value):
    p = project([node("cond", "iaf_cond_alpha", 3, **{param: value})], [])
    with pytest.raises(EngineError, match=rf"nodes\[0\].params.{param}"):
        simulate(p)


def test_an_engine_check_on_drawn_values_names_the_parameter():
    # V_reset drawn per neuron passes the project check (only scalars are compared with V_th)
    p = project(
        [node("cond", "iaf_cond_alpha", 20, V_reset=random("uniform", min=-70.0, max=-40.0))], []
    )
    with pytest.raises(ParameterError) as err:
        simulate(p)
    assert err.value.node == "cond" and err.value.parameter == "V_reset"
    assert "V_th" in err.value.reason


def recurrent(threads: int):
    return project(
        [
            node("E", "iaf_cond_alpha", 80, V_m=random("uniform", min=-70.0, max=-55.0)),
            node("I", "iaf_cond_alpha", 20, tau_syn_ex=0.5, tau_syn_in=3.0),
            node("pg", "poisson_generator", rate=6000.0),
            node("dc", "dc_generator", amplitude=50.0, start=50.0),
            node("sr", "spike_recorder"),
            multimeter(),
        ],
        [
            conn("pE", "pg", "E", weight=3.0),
            conn("pI", "pg", "I", weight=3.0),
            conn("dcE", "dc", "E"),
            conn("EE", "E", "E", "fixed_indegree", weight=2.0, delay=1.5, indegree=10),
            conn("EI", "E", "I", "fixed_indegree", weight=2.0, delay=1.0, indegree=10),
            conn("IE", "I", "E", "fixed_indegree", weight=-8.0, delay=1.0, indegree=5),
            conn("sE", "E", "sr"),
            conn("sI", "I", "sr"),
            conn("m", "mm", "E"),
        ],
        duration=200.0,
        threads=threads,
    )


def test_recurrent_network_is_identical_for_1_2_4_threads():
    assert_thread_invariant(lambda t: recurrent(t), min_spikes=100)
