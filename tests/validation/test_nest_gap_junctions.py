"""Gap junctions (hh_psc_alpha_gap, gap_junction, NEST's waveform relaxation) against NEST 3.10
(tools/reference/make_gap_traces.py: NEST's gap_junctions_two_neurons example), through the
engine's Python API at 1, 2 and 4 threads.

NEST's voltmeter in these runs ends at 350 ms of the 351 simulated (its last slice's samples
never reach the recorder); the engine records to 351 ms, so the comparison covers NEST's
samples and the engine's extra millisecond is checked to exist.
"""

from __future__ import annotations

import numpy as np
import pytest
from spikedesk.engine import _core
from validation_projects import REFERENCE

CASES = {
    "two_neurons": {},
    "two_neurons_linear": {"wfr_interpolation_order": 1, "wfr_tol": 1e-6},
}


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE / "gap_traces.npz") as data:
        return {key: data[key] for key in data.files}


def run(reference: dict, case: str, threads: int, wfr: dict) -> dict:
    net = _core.Network(0.05, 1, threads)
    net.set_wfr(**wfr)
    names = _core.models()["hh_psc_alpha_gap"]["params"]
    params = {
        name: [float(reference[f"{case}/defaults/{name}"])]
        for name in names
        if f"{case}/defaults/{name}" in reference
    }
    params["I_e"] = [100.0]
    params["V_m"] = [-10.0, params["V_m"][0]]
    neurons = net.add_node("hh_psc_alpha_gap", 2, params)
    vm = net.add_node(
        "voltmeter", 1, {"interval": [0.1], "origin": [0.0], "start": [0.0], "stop": [1e300]}
    )
    net.set_record_from(vm, ["V_m"])
    net.connect(vm, neurons, {"rule": "all_to_all"}, 1.0, 1.0, 0)
    net.connect(
        neurons,
        neurons,
        {"rule": "all_to_all", "allow_autapses": False},
        0.5,
        1.0,
        1,
        synapse="gap_junction",
    )
    net.run(int(round(351.0 / 0.05)))
    return dict(net.take_events(vm))


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("case", sorted(CASES))
def test_gap_junction_traces_match_nest(reference: dict, case: str, threads: int) -> None:
    got = run(reference, case, threads, CASES[case])
    for sender in (1, 2):
        mine = got["senders"] == sender
        theirs = reference[f"{case}/senders"] == sender
        want_t, want_v = reference[f"{case}/times"][theirs], reference[f"{case}/V_m"][theirs]
        got_t, got_v = got["times"][mine], got["V_m"][mine]
        assert got_t[-1] == pytest.approx(351.0)
        k = len(want_t)
        np.testing.assert_array_equal(got_t[:k], want_t)
        # the coupled neurons spike (V_m crosses 0 mV) and synchronise: a real trace
        assert want_v.max() > 0.0
        np.testing.assert_allclose(got_v[:k], want_v, rtol=1e-6, atol=1e-6)


def test_uncoupled_neurons_differ_from_the_coupled_ones(reference: dict) -> None:
    """The coupling matters: without the gap junction V_m departs from NEST's coupled trace."""
    net = _core.Network(0.05, 1, 1)
    names = _core.models()["hh_psc_alpha_gap"]["params"]
    params = {
        n: [float(reference[f"two_neurons/defaults/{n}"])]
        for n in names
        if f"two_neurons/defaults/{n}" in reference
    }
    params["I_e"] = [100.0]
    params["V_m"] = [-10.0, params["V_m"][0]]
    neurons = net.add_node("hh_psc_alpha_gap", 2, params)
    vm = net.add_node(
        "voltmeter", 1, {"interval": [0.1], "origin": [0.0], "start": [0.0], "stop": [1e300]}
    )
    net.set_record_from(vm, ["V_m"])
    net.connect(vm, neurons, {"rule": "all_to_all"}, 1.0, 1.0, 0)
    net.run(int(round(351.0 / 0.05)))
    got = dict(net.take_events(vm))
    theirs = reference["two_neurons/senders"] == 2
    want = reference["two_neurons/V_m"][theirs]
    mine = got["V_m"][got["senders"] == 2][: len(want)]
    assert np.max(np.abs(mine - want)) > 1.0


def test_gap_junctions_refuse_neurons_without_them() -> None:
    net = _core.Network(0.1, 1, 1)
    a = net.add_node("parrot_neuron", 2, {})
    with pytest.raises(ValueError, match="gap_junction connects neurons that take gap junctions"):
        net.connect(a, a, {"rule": "all_to_all"}, 0.5, 1.0, 0, synapse="gap_junction")


def test_bad_relaxation_settings_are_refused() -> None:
    net = _core.Network(0.1, 1, 1)
    with pytest.raises(ValueError, match="wfr_interpolation_order"):
        net.set_wfr(wfr_interpolation_order=2)
    with pytest.raises(ValueError, match="wfr_tol"):
        net.set_wfr(wfr_tol=0.0)
