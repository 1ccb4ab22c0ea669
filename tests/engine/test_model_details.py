"""Details of NEST's models: V_min, refractory_input, spike_generator's off-grid times."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import conn, node, project
from spikedesk.engine import ParameterError, simulate


def delta_run(weights_times, duration=30.0, **params):
    """iaf_psc_delta driven by spike_generator spikes (time, weight), V_m sampled every step."""
    times = [t for t, _ in weights_times]
    weights = [w for _, w in weights_times]
    nodes = [
        node("sg", "spike_generator", spike_times=times, spike_weights=weights),
        node("n", "iaf_psc_delta", **params),
        node("vm", "voltmeter", interval=0.1),
    ]
    p = project(nodes, [conn("in", "sg", "n", weight=1.0), conn("rec", "vm", "n")], duration)
    ev = simulate(p).events["vm"]
    return ev["times"], ev["V_m"]


def test_v_min_bounds_the_membrane_potential():
    spikes = [(1.0, -30.0), (2.0, -30.0)]
    _, free = delta_run(spikes, E_L=-70.0, V_m=-70.0)
    _, bounded = delta_run(spikes, E_L=-70.0, V_m=-70.0, V_min=-80.0)
    assert free.min() < -120.0
    assert bounded.min() == pytest.approx(-80.0, abs=1e-12)
    assert np.all(bounded >= -80.0 - 1e-12)


def test_refractory_input_is_added_decayed_when_refractoriness_ends():
    # a strong spike makes the neuron fire at 1.1 ms; a 5 mV input arrives while refractory
    spikes = [(1.0, 30.0), (2.0, 5.0)]
    common = dict(E_L=0.0, V_m=0.0, V_reset=0.0, V_th=20.0, t_ref=3.0, tau_m=10.0)
    t, dropped = delta_run(spikes, refractory_input=False, **common)
    _, kept = delta_run(spikes, refractory_input=True, **common)
    diff = kept - dropped
    first = int(np.argmax(np.abs(diff) > 1e-12))
    assert np.all(diff[:first] == 0.0)
    # the input is decayed by the time it waited, at most t_ref
    assert 5.0 * np.exp(-3.0 / 10.0) - 1e-9 <= diff[first] < 5.0
    # afterwards the extra charge decays with tau_m like any PSP
    later = diff[first:] / diff[first]
    np.testing.assert_allclose(later, np.exp(-(t[first:] - t[first]) / 10.0), rtol=1e-9)


def parrot_times(spike_times, **params):
    nodes = [
        node("sg", "spike_generator", spike_times=spike_times, **params),
        node("par", "parrot_neuron"),
        node("sr", "spike_recorder"),
    ]
    p = project(nodes, [conn("a", "sg", "par", delay=1.0), conn("b", "par", "sr")], 10.0)
    return simulate(p).events["sr"]["times"]


def test_spike_generator_on_grid_and_off_grid_times():
    np.testing.assert_allclose(parrot_times([1.0, 2.5]), [2.0, 3.5])
    # off-grid times are moved to the next grid point, as NEST does with allow_offgrid_times
    np.testing.assert_allclose(parrot_times([1.03, 2.5], allow_offgrid_times=True), [2.1, 3.5])
    with pytest.raises(ParameterError, match="sg"):
        parrot_times([1.03])
