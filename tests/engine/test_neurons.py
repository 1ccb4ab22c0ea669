"""iaf_psc_* against closed-form solutions of their linear ODEs."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import conn, node, project
from spikedesk.engine import simulate

MODELS = ["iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha"]


def v_trace(results, recorder="vm"):
    ev = results.events[recorder]
    return ev["times"], ev["V_m"]


@pytest.mark.parametrize("model", MODELS)
def test_constant_current_relaxes_exponentially(model):
    """Subthreshold I_e: V(t) = E_L + R I (1 - exp(-t / tau_m)), R = tau_m / C_m."""
    n = node("n", model, I_e=100.0, tau_m=10.0, C_m=250.0, E_L=-70.0, V_m=-70.0)
    p = project([n, node("vm", "voltmeter", interval=0.1)], [conn("r", "vm", "n")], duration=50.0)
    t, v = v_trace(simulate(p))
    expected = -70.0 + 100.0 * 10.0 / 250.0 * (1.0 - np.exp(-t / 10.0))
    np.testing.assert_allclose(v, expected, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("model", MODELS)
def test_dc_drives_regular_spikes_at_the_analytical_period(model):
    """Suprathreshold current: period = t_ref + tau_m ln(RI / (RI - theta))."""
    current, tau, C, t_ref = 500.0, 10.0, 250.0, 2.0
    n = node("n", model, I_e=current, tau_m=tau, C_m=C, t_ref=t_ref)
    sr = node("sr", "spike_recorder")
    p = project([n, sr], [conn("s", "n", "sr")], duration=200.0)
    times = simulate(p).events["sr"]["times"]
    ri, theta = current * tau / C, 15.0
    period = t_ref + tau * np.log(ri / (ri - theta))
    gaps = np.diff(times)
    # spikes fall on the grid: each interval is the analytical period rounded up to a step
    assert np.all(np.abs(gaps - period) <= 0.1 + 1e-9)
    assert abs(gaps.mean() - period) < 0.1


def test_delta_psp_is_a_jump_and_exponential_decay():
    """A spike of weight w at t_s + d moves V by w and then relaxes with tau_m."""
    p = project(
        [
            node("sg", "spike_generator", spike_times=[10.0]),
            node("n", "iaf_psc_delta", tau_m=20.0),
            node("vm", "voltmeter", interval=0.1),
        ],
        [conn("in", "sg", "n", weight=2.0, delay=1.5), conn("r", "vm", "n")],
        duration=60.0,
    )
    t, v = v_trace(simulate(p))
    arrival = 11.5
    expected = np.where(t >= arrival - 1e-9, -70.0 + 2.0 * np.exp(-(t - arrival) / 20.0), -70.0)
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("tau_syn", [2.0, 10.0, 9.99])
def test_exp_psp_matches_the_closed_form(tau_syn):
    """PSP of iaf_psc_exp: w tau_m tau_s / (C (tau_m - tau_s)) (e^{-t/tau_m} - e^{-t/tau_s}),
    including tau_m == tau_syn and the nearly singular 9.99 ms."""
    tau_m, C, w = 10.0, 250.0, 100.0
    p = project(
        [
            node("sg", "spike_generator", spike_times=[5.0]),
            node("n", "iaf_psc_exp", tau_m=tau_m, tau_syn_ex=tau_syn, C_m=C),
            node("vm", "voltmeter", interval=0.1),
        ],
        [conn("in", "sg", "n", weight=w, delay=1.0), conn("r", "vm", "n")],
        duration=80.0,
    )
    t, v = v_trace(simulate(p))
    s = np.clip(t - 6.0, 0.0, None)
    if tau_syn == tau_m:  # the singular case: V = w/C t e^{-t/tau}
        psp = w / C * s * np.exp(-s / tau_m)
    else:
        psp = (
            w
            / C
            * tau_m
            * tau_syn
            / (tau_m - tau_syn)
            * (np.exp(-s / tau_m) - np.exp(-s / tau_syn))
        )
    np.testing.assert_allclose(v + 70.0, psp, rtol=1e-9, atol=1e-12)


def test_alpha_psp_peaks_at_tau_syn_with_the_closed_form_height():
    """Alpha current w e t/tau_s e^{-t/tau_s}: the current peaks at w when t = tau_s."""
    p = project(
        [
            node("sg", "spike_generator", spike_times=[5.0]),
            node("n", "iaf_psc_alpha", tau_syn_ex=2.0),
            node("mm", "multimeter", interval=0.1, record_from=["I_syn_ex"]),
        ],
        [conn("in", "sg", "n", weight=50.0, delay=1.0), conn("r", "mm", "n")],
        duration=30.0,
    )
    ev = simulate(p).events["mm"]
    s = np.clip(ev["times"] - 6.0, 0.0, None)
    expected = 50.0 * np.e * s / 2.0 * np.exp(-s / 2.0)
    np.testing.assert_allclose(ev["I_syn_ex"], expected, rtol=1e-9, atol=1e-9)
    assert ev["times"][np.argmax(ev["I_syn_ex"])] == pytest.approx(8.0)


def test_refractory_period_clamps_and_resets():
    p = project(
        [
            node("n", "iaf_psc_delta", I_e=1000.0, t_ref=5.0),
            node("vm", "voltmeter", interval=0.1),
            node("sr", "spike_recorder"),
        ],
        [conn("r", "vm", "n"), conn("s", "n", "sr")],
        duration=40.0,
    )
    r = simulate(p)
    first = r.events["sr"]["times"][0]
    t, v = v_trace(r)
    during = (t > first) & (t <= first + 5.0 + 1e-9)
    assert np.all(v[during] == -70.0)
    assert v[np.searchsorted(t, first + 5.0 + 0.05)] > -70.0


def test_parrot_repeats_generator_spikes_with_multiplicity():
    p = project(
        [
            node("sg", "spike_generator", spike_times=[1.0, 2.0, 2.0, 7.5]),
            node("parrot", "parrot_neuron"),
            node("sr", "spike_recorder"),
        ],
        [conn("a", "sg", "parrot", weight=-3.0, delay=1.0), conn("b", "parrot", "sr")],
        duration=20.0,
    )
    times = simulate(p).events["sr"]["times"]
    np.testing.assert_allclose(times, [2.0, 3.0, 3.0, 8.5])
