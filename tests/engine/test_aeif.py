"""The aeif family (aeif_cond_alpha/exp, aeif_psc_alpha/exp/delta) and iaf_cond_exp/beta
through the Python API: behaviour the NEST reference cases do not cover, parameter checks,
runaway input, thread invariance. (Agreement with NEST: tests/validation/
test_nest_model_traces.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_thread_invariant, conn, node, project, random
from spikedesk.engine import EngineError, SimulationError, simulate

AEIF = ["aeif_cond_alpha", "aeif_cond_exp", "aeif_psc_alpha", "aeif_psc_exp", "aeif_psc_delta"]
COND = ["iaf_cond_exp", "iaf_cond_beta"]


def run(model: str, duration=100.0, record=("V_m", "w"), **params):
    p = project(
        [
            node("n", model, **params),
            node("mm", "multimeter", interval=0.1, record_from=list(record)),
            node("sr", "spike_recorder"),
        ],
        [conn("m", "mm", "n"), conn("s", "n", "sr")],
        duration=duration,
    )
    return simulate(p).events


@pytest.mark.parametrize("model", AEIF)
def test_each_spike_resets_v_and_increments_w_by_b(model):
    ev = run(model, I_e=1000.0, b=60.0, tau_w=1e6, a=0.0)  # w barely decays
    spikes = ev["sr"]["times"]
    assert len(spikes) >= 3
    mm = ev["mm"]
    # w after the k-th spike is k * b (within the slow decay)
    for k, t in enumerate(spikes, start=1):
        after = mm["w"][np.argmin(np.abs(mm["times"] - t))]
        assert after == pytest.approx(k * 60.0, rel=1e-3)
    # V is reset within the step of the crossing: no sample reaches V_peak
    assert mm["V_m"].max() < 0.0
    assert np.all(np.diff(spikes) > 1.0)  # adaptation slows firing: intervals grow
    assert np.all(np.diff(np.diff(spikes)) > -1e-9)


@pytest.mark.parametrize("model", AEIF)
def test_refractory_v_is_held_at_reset(model):
    ev = run(model, I_e=1500.0, t_ref=4.0, V_reset=-58.0)
    spikes, mm = ev["sr"]["times"], ev["mm"]
    assert len(spikes) >= 2 and np.all(np.diff(spikes) > 4.0)
    held = (mm["times"] > spikes[0] + 1e-9) & (mm["times"] < spikes[0] + 4.0 - 1e-9)
    assert held.sum() >= 38 and np.all(mm["V_m"][held] == -58.0)


@pytest.mark.parametrize("model", AEIF)
def test_delta_t_zero_is_integrate_and_fire_at_v_th(model):
    # without the exponential term the neuron spikes when V reaches V_th; subthreshold it
    # relaxes to E_L + I_e / g_L (a = 0: no adaptation current)
    ev = run(model, duration=200.0, Delta_T=0.0, a=0.0, b=0.0, I_e=800.0)
    assert len(ev["sr"]["times"]) > 5
    assert ev["mm"]["V_m"].max() < -50.4
    quiet = run(model, duration=300.0, Delta_T=0.0, a=0.0, I_e=300.0)
    assert len(quiet["sr"]["times"]) == 0
    assert quiet["mm"]["V_m"][-1] == pytest.approx(-70.6 + 300.0 / 30.0, abs=1e-3)


def test_reset_above_v_th_bursts():
    # Naud et al. (2008), regular bursting: V_th < V_reset < V_peak (accepted as by NEST)
    ev = run("aeif_cond_alpha", duration=500.0, I_e=210.0, C_m=200.0, g_L=10.0, E_L=-58.0,
             V_m=-58.0, V_th=-50.0, Delta_T=2.0, a=2.0, tau_w=120.0, b=100.0,
             V_reset=-46.0)  # fmt: skip
    isi = np.diff(ev["sr"]["times"])
    assert len(isi) >= 6 and isi.max() > 3.0 * isi.min()


def test_psc_delta_refractory_input_arrives_decayed_after_refractoriness():
    def v_after(refractory_input: bool) -> float:
        neuron = dict(V_m=-40.0, t_ref=5.0, a=0.0, b=0.0, refractory_input=refractory_input)
        p = project(
            [
                node("n", "aeif_psc_delta", **neuron),
                node("sg", "spike_generator", spike_times=[2.0]),
                node("mm", "multimeter", interval=0.1, record_from=["V_m"]),
                node("sr", "spike_recorder"),
            ],
            [conn("in", "sg", "n", weight=4.0), conn("m", "mm", "n"), conn("s", "n", "sr")],
            duration=20.0,
        )
        ev = simulate(p).events
        first = ev["sr"]["times"][0]
        assert first < 3.0  # V_m = -40 fires at once; the spike at 3.0 ms finds it refractory
        mm = ev["mm"]
        return mm["V_m"][np.argmin(np.abs(mm["times"] - (first + 5.2)))]

    gained = v_after(True) - v_after(False)
    assert 0.0 < gained < 4.0


@pytest.mark.parametrize(
    "model,param,value",
    [
        ("aeif_cond_alpha", "V_reset", 5.0),  # >= V_peak
        ("aeif_cond_exp", "V_peak", -55.0),  # < V_th
        ("aeif_psc_alpha", "Delta_T", -1.0),
        ("aeif_psc_exp", "tau_w", 0.0),
        ("aeif_psc_delta", "gsl_error_tol", 0.0),
        ("aeif_cond_alpha", "tau_syn_in", 0.0),
        ("aeif_psc_delta", "Delta_T", 0.01),  # exp((V_peak - V_th) / Delta_T) would overflow
        ("iaf_cond_exp", "tau_syn_ex", -1.0),
        ("iaf_cond_beta", "tau_decay_in", 0.0),
        ("iaf_cond_beta", "V_reset", -50.0),
    ],
)
def test_invalid_parameters_name_node_and_parameter(model, param, value):
    # the project check (nodes[0].params.X) or the engine's (node x, parameter X)
    p = project([node("x", model, 3, **{param: value})], [])
    with pytest.raises(EngineError, match=rf"(nodes\[0\]\.params\.|\bx\.){param}\b"):
        simulate(p)


@pytest.mark.parametrize("model", AEIF + COND)
def test_runaway_input_is_an_error_not_a_hang(model):
    # aeif: w grows by b per spike until |w| > 1e6 (NEST's instability guard); iaf_cond_*:
    # the solver's step shrinks to nothing and hits its sub-step limit
    p = project([node("x", model, I_e=1e50)], [], duration=2000.0)
    reason = "numerical instability" if model.startswith("aeif") else "did not converge"
    with pytest.raises(SimulationError, match=rf"^x: .*{reason}") as info:
        simulate(p)
    assert info.value.node == "x"


def test_beta_conductance_peaks_at_the_weight():
    p = project(
        [
            node("n", "iaf_cond_beta", tau_rise_ex=0.5, tau_decay_ex=3.0, tau_rise_in=1.0,
                 tau_decay_in=1.0),  # fmt: skip
            node("sg", "spike_generator", spike_times=[10.0]),
            node("mm", "multimeter", interval=0.1, record_from=["g_ex", "g_in"]),
        ],
        [conn("ex", "sg", "n", weight=5.0), conn("in", "sg", "n", weight=-2.0),
         conn("m", "mm", "n")],
        duration=40.0,
    )  # fmt: skip
    ev = simulate(p).events["mm"]
    t = ev["times"] - 11.0
    assert ev["g_ex"].max() == pytest.approx(5.0, abs=2e-3)
    assert ev["g_in"].max() == pytest.approx(2.0, abs=2e-3)  # equal time constants: alpha
    # the analytic beta function (rise 0.5, decay 3.0) scaled to peak 5
    tp = 3.0 * 0.5 * np.log(3.0 / 0.5) / 2.5
    shape = lambda s: np.exp(-s / 3.0) - np.exp(-s / 0.5)  # noqa: E731
    expected = np.where(t > 0, 5.0 * shape(np.maximum(t, 0)) / shape(tp), 0.0)
    np.testing.assert_allclose(ev["g_ex"], expected, atol=5e-3)


WEIGHTS = {  # excitatory weight per model's unit (nS, pA or mV)
    "aeif_cond_alpha": 3.0, "aeif_cond_exp": 8.0, "aeif_psc_alpha": 150.0, "aeif_psc_exp": 400.0,
    "aeif_psc_delta": 1.0, "iaf_cond_exp": 3.0, "iaf_cond_beta": 3.0,
}  # fmt: skip


def recurrent(model: str, threads: int):
    w = WEIGHTS[model]
    return project(
        [
            node("E", model, 40, V_m=random("uniform", min=-70.0, max=-56.0)),
            node("I", model, 10),
            node("pg", "poisson_generator", rate=8000.0),
            node("dc", "dc_generator", amplitude=100.0, start=30.0),
            node("sr", "spike_recorder"),
            node("mm", "multimeter", interval=0.1, record_from=["V_m"]),
        ],
        [
            conn("pE", "pg", "E", weight=w),
            conn("pI", "pg", "I", weight=w),
            conn("dcE", "dc", "E"),
            conn("EE", "E", "E", "fixed_indegree", weight=w, delay=1.5, indegree=8),
            conn("EI", "E", "I", "fixed_indegree", weight=w, delay=1.0, indegree=8),
            conn("IE", "I", "E", "fixed_indegree", weight=-4.0 * w, delay=1.0, indegree=4),
            conn("sE", "E", "sr"),
            conn("sI", "I", "sr"),
            conn("m", "mm", "E"),
        ],
        duration=150.0,
        threads=threads,
    )


@pytest.mark.parametrize("model", AEIF + COND)
def test_recurrent_network_is_identical_for_1_2_4_threads(model):
    assert_thread_invariant(lambda t: recurrent(model, t), min_spikes=20)
