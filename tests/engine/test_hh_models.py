"""hh_psc_alpha, hh_cond_exp_traub and ht_neuron through the Python API: spike rules,
receptor routing, parameter checks, runaway input, thread invariance. (Agreement with NEST
itself is tested in tests/validation/test_nest_model_traces.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_rank_invariant, assert_thread_invariant, node, project, random
from spikedesk.engine import EngineError, ParameterError, simulate
from spikedesk.project_files.project import Connection, Rule, Synapse, frozen_map

HH = ("hh_psc_alpha", "hh_cond_exp_traub")
HT_RECEPTORS = {"AMPA": 1, "NMDA": 2, "GABA_A": 3, "GABA_B": 4}


def conn(id, source, target, weight=1.0, delay=1.0, receptor_type=0, rule="all_to_all", **rp):
    return Connection(
        id=id,
        source=source,
        target=target,
        rule=Rule(rule, frozen_map(rp)),
        synapse=Synapse(weight=weight, delay=delay, receptor_type=receptor_type),
    )


def mm(*record_from):
    return node("mm", "multimeter", interval=0.1, record_from=list(record_from))


def run(nodes, conns, duration=100.0, threads=1):
    return simulate(project(nodes, conns, duration=duration, threads=threads)).events


CURRENT = {"hh_psc_alpha": 1500.0, "hh_cond_exp_traub": 800.0}  # regular firing
BASE = {"hh_psc_alpha": {}, "hh_cond_exp_traub": {"E_L": -70.0, "V_m": -70.0}}


def spikes_of(model, **params):
    ev = run(
        [
            node("n", model, I_e=CURRENT[model], **BASE[model], **params),
            node("sr", "spike_recorder"),
        ],
        [conn("s", "n", "sr")],
    )
    return ev["sr"]["times"]


@pytest.mark.parametrize("model,threshold", [("hh_psc_alpha", 0.0), ("hh_cond_exp_traub", -33.0)])
def test_a_spike_is_the_first_sample_after_a_peak_above_threshold(model, threshold):
    # hh_psc_alpha: 0 mV; hh_cond_exp_traub: V_T + 30 mV
    ev = run(
        [
            node("n", model, I_e=CURRENT[model], **BASE[model]),
            node("sr", "spike_recorder"),
            mm("V_m"),
        ],
        [conn("s", "n", "sr"), conn("m", "mm", "n")],
    )
    spikes, t, v = ev["sr"]["times"], ev["mm"]["times"], ev["mm"]["V_m"]
    assert len(spikes) >= 5
    for s in spikes:
        k = int(np.flatnonzero(np.isclose(t, s))[0])
        assert v[k] >= threshold and v[k - 1] > v[k] and v[k - 2] <= v[k - 1]
    # every peak above threshold is a spike (t_ref = 2 ms is shorter than the period)
    peaks = (v[1:-1] >= threshold) & (v[1:-1] > v[2:]) & (v[1:-1] >= v[:-2])
    assert peaks.sum() == len(spikes)


@pytest.mark.parametrize("model", HH)
def test_t_ref_suppresses_spikes_but_not_the_dynamics(model):
    regular = spikes_of(model)
    held = spikes_of(model, t_ref=25.0)
    assert 2 <= len(held) < len(regular) and np.all(np.diff(held) > 25.0)
    assert set(np.round(held, 6)) <= set(np.round(regular, 6))  # same trajectory, fewer events
    # NEST's pseudo-refractoriness: without t_ref every step of a falling V_m above the
    # threshold is a spike
    free = spikes_of(model, t_ref=0.0)
    assert len(free) > 3 * len(regular) and np.isclose(np.diff(free), 0.1).sum() > len(regular)


def test_hh_psc_alpha_synaptic_currents_are_alpha_shaped_with_the_weight_as_peak():
    ev = run(
        [
            node("n", "hh_psc_alpha", tau_syn_ex=1.0, tau_syn_in=3.0),
            node("sg", "spike_generator", spike_times=[10.0]),
            mm("I_syn_ex", "I_syn_in"),
        ],
        [conn("ex", "sg", "n", 50.0), conn("in", "sg", "n", -30.0), conn("m", "mm", "n")],
        duration=40.0,
    )["mm"]
    t = ev["times"]
    assert t[np.argmax(ev["I_syn_ex"])] == pytest.approx(12.0)  # arrives at 11, peaks at tau
    assert t[np.argmin(ev["I_syn_in"])] == pytest.approx(14.0)
    assert ev["I_syn_ex"].max() == pytest.approx(50.0, abs=1e-3)
    assert ev["I_syn_in"].min() == pytest.approx(-30.0, abs=1e-3)


def test_hh_cond_exp_traub_conductances_jump_by_the_weight_and_decay():
    ev = run(
        [
            node("n", "hh_cond_exp_traub", E_L=-70.0, V_m=-70.0),
            node("sg", "spike_generator", spike_times=[10.0]),
            mm("g_ex", "g_in"),
        ],
        [conn("ex", "sg", "n", 4.0), conn("in", "sg", "n", -6.0), conn("m", "mm", "n")],
        duration=40.0,
    )["mm"]
    t = ev["times"]
    k = int(np.flatnonzero(np.isclose(t, 11.0))[0])
    assert ev["g_ex"][k] == 4.0 and ev["g_in"][k] == 6.0 and ev["g_ex"][k - 1] == 0.0
    np.testing.assert_allclose(ev["g_ex"][k:], 4.0 * np.exp(-(t[k:] - 11.0) / 5.0), rtol=1e-3)
    np.testing.assert_allclose(ev["g_in"][k:], 6.0 * np.exp(-(t[k:] - 11.0) / 10.0), rtol=1e-3)


@pytest.mark.parametrize("receptor", ["AMPA", "GABA_A", "GABA_B"])
def test_ht_neuron_receptor_ports_raise_only_their_conductance_to_weight_x_g_peak(receptor):
    g_peak = {"AMPA": 0.1, "GABA_A": 0.33, "GABA_B": 0.0132}[receptor]
    names = ["g_AMPA", "g_NMDA", "g_GABA_A", "g_GABA_B"]
    ev = run(
        [node("n", "ht_neuron"), node("sg", "spike_generator", spike_times=[5.0]), mm(*names)],
        [conn("c", "sg", "n", 2.0, receptor_type=HT_RECEPTORS[receptor]), conn("m", "mm", "n")],
        duration=600.0,
    )["mm"]
    for name in names:
        if name == f"g_{receptor}":
            # the beta normalization makes the peak weight x g_peak (sampled every 0.1 ms)
            assert ev[name].max() == pytest.approx(2.0 * g_peak, rel=1e-3)
        else:
            assert np.all(ev[name] == 0.0), name


def test_ht_neuron_nmda_is_blocked_at_rest_and_unblocks_with_depolarization():
    def g_nmda(**params):
        ev = run(
            [
                node("n", "ht_neuron", voltage_clamp=True, **params),
                node("sg", "spike_generator", spike_times=[5.0]),
                mm("g_NMDA"),
            ],
            [conn("c", "sg", "n", 1.0, receptor_type=HT_RECEPTORS["NMDA"]), conn("m", "mm", "n")],
            duration=200.0,
        )["mm"]
        return ev["g_NMDA"].max()

    rest, depolarized = g_nmda(V_m=-70.0), g_nmda(V_m=-20.0)
    assert 0.0 < rest < 0.2 * depolarized < 0.075  # g_peak_NMDA x block factor < g_peak_NMDA
    assert g_nmda(V_m=-20.0, instant_unblock_NMDA=True) > depolarized  # no slow unblock


def test_ht_neuron_voltage_clamp_holds_v_m_and_spikes_move_v_m_and_theta_to_e_na():
    ev = run(
        [
            node("c", "ht_neuron", voltage_clamp=True, V_m=-60.0),
            node("f", "ht_neuron"),
            node("dc", "dc_generator", amplitude=10.0),
            node("sr", "spike_recorder"),
            mm("V_m", "theta"),
        ],
        [
            conn("dc", "dc", "c"),
            conn("dcf", "dc", "f"),
            conn("s", "f", "sr"),
            conn("mc", "mm", "c"),
            conn("mf", "mm", "f"),
        ],
    )
    m = ev["mm"]
    assert np.all(m["V_m"][m["senders"] == 1] == -60.0)
    spikes = ev["sr"]["times"]
    assert len(spikes) >= 3 and set(ev["sr"]["senders"]) == {2}
    f = m["senders"] == 2
    for s in spikes:  # V_m and theta jumped to E_Na = 30 mV within the spike's step
        k = int(np.flatnonzero(f & np.isclose(m["times"], s))[0])
        assert m["V_m"][k] > 0.0 and m["theta"][k] > 20.0


@pytest.mark.parametrize("receptor", [0, 5])
def test_ht_neuron_spike_input_needs_one_of_its_receptors(receptor):
    p = [node("n", "ht_neuron"), node("sg", "spike_generator", spike_times=[1.0])]
    with pytest.raises(ParameterError) as err:
        run(p, [conn("c", "sg", "n", receptor_type=receptor)])
    assert err.value.parameter == "synapse.receptor_type" and "1..4" in err.value.reason


def test_current_input_and_recording_use_receptor_0_only():
    p = [node("n", "ht_neuron"), node("dc", "dc_generator", amplitude=1.0)]
    with pytest.raises(ParameterError, match="spike connections"):
        run(p, [conn("c", "dc", "n", receptor_type=1)])


@pytest.mark.parametrize(
    "model,param,value,constraint",
    [
        ("hh_psc_alpha", "C_m", 0.0, "> 0"),
        ("hh_psc_alpha", "tau_syn_ex", 0.0, "> 0"),
        ("hh_psc_alpha", "g_Na", -1.0, ">= 0"),
        ("hh_psc_alpha", "Act_n", -0.1, ">= 0"),
        ("hh_cond_exp_traub", "t_ref", -1.0, ">= 0"),
        ("hh_cond_exp_traub", "tau_syn_in", -2.0, "> 0"),
        ("hh_cond_exp_traub", "Inact_h", -0.5, ">= 0"),
        ("ht_neuron", "tau_m", 0.0, "> 0"),
        ("ht_neuron", "g_peak_NMDA", -1.0, ">= 0"),
        ("ht_neuron", "tau_rise_AMPA", 3.0, "< tau_decay_AMPA"),
        ("ht_neuron", "tau_Mg_fast_NMDA", 30.0, "< tau_Mg_slow_NMDA"),
    ],
)
def test_invalid_parameters_name_the_parameter_and_constraint(model, param, value, constraint):
    with pytest.raises(EngineError, match=rf"{param}.*must be {constraint}"):
        run([node("x", model, 2, **{param: value})], [])


@pytest.mark.parametrize("model", HH + ("ht_neuron",))
def test_runaway_input_is_an_error_not_a_hang(model):
    if model == "ht_neuron":  # no I_e: a current generator instead
        nodes = [node("x", model), node("dc", "dc_generator", amplitude=1e50)]
        conns = [conn("c", "dc", "x")]
    else:
        nodes, conns = [node("x", model, I_e=1e50)], []
    with pytest.raises(RuntimeError, match="not finite|did not converge"):
        run(nodes, conns, duration=1000.0)


def recurrent(model: str, threads: int):
    if model == "ht_neuron":
        ex, inh = {"receptor_type": 1}, {"receptor_type": 3}
        w_in, w_ex, w_ext, dc = 2.0, 1.0, 1.5, 1.0
        params = {"theta_eq": random("uniform", min=-53.0, max=-49.0)}
    else:
        ex, inh = {}, {}
        w_ext, w_ex, w_in = (300.0, 150.0, -400.0) if model == "hh_psc_alpha" else (8.0, 4.0, -10.0)
        dc = 100.0
        params = {"V_m": random("uniform", min=-70.0, max=-60.0)}
        if model == "hh_cond_exp_traub":
            params["E_L"] = -70.0
    return project(
        [
            node("E", model, 40, **params),
            node("I", model, 10),
            node("pg", "poisson_generator", rate=2000.0),
            node("dc", "dc_generator", amplitude=dc, start=50.0),
            node("sr", "spike_recorder"),
            mm("V_m"),
        ],
        [
            conn("pE", "pg", "E", w_ext, **ex),
            conn("pI", "pg", "I", w_ext, **ex),
            conn("dcE", "dc", "E"),
            conn("EE", "E", "E", w_ex, 1.5, rule="fixed_indegree", indegree=8, **ex),
            conn("EI", "E", "I", w_ex, 1.0, rule="fixed_indegree", indegree=8, **ex),
            conn("IE", "I", "E", w_in, 1.0, rule="fixed_indegree", indegree=4, **inh),
            conn("sE", "E", "sr"),
            conn("sI", "I", "sr"),
            conn("m", "mm", "E"),
        ],
        duration=150.0,
        threads=threads,
    )


@pytest.mark.parametrize("model", HH + ("ht_neuron",))
def test_recurrent_network_is_identical_for_1_2_4_threads(model):
    assert_thread_invariant(lambda t: recurrent(model, t), min_spikes=50)


@pytest.mark.parametrize("model", HH + ("ht_neuron",))
def test_recurrent_network_is_identical_for_2_and_3_ranks(model):
    assert_rank_invariant(recurrent(model, 1))
