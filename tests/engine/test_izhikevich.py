"""izhikevich: NEST's two integration schemes step by step, V_min, weights as V_m jumps,
runaway input, thread invariance. (Agreement with NEST itself is tested in
tests/validation/test_nest_model_traces.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_thread_invariant, conn, node, project, random
from spikedesk.engine import simulate

H = 0.1


def run(duration=100.0, resolution=H, spikes=(), weight=0.0, **params):
    nodes = [
        node("n", "izhikevich", **params),
        node("mm", "multimeter", interval=resolution, record_from=["V_m", "U_m"]),
        node("sr", "spike_recorder"),
    ]
    conns = [conn("m", "mm", "n"), conn("s", "n", "sr")]
    if spikes:
        nodes.append(node("sg", "spike_generator", spike_times=list(spikes)))
        conns.append(conn("in", "sg", "n", weight=weight, delay=resolution))
    ev = simulate(project(nodes, conns, duration=duration, resolution=resolution)).events
    return ev["mm"], ev["sr"]["times"]


def reference(steps, h, consistent, I_e, a=0.02, b=0.2, c=-65.0, d=8.0, v=-65.0, u=-13.0):
    """The two schemes of NEST's izhikevich, written out (constant current, no input)."""
    vs, us, spikes = [], [], []
    for k in range(steps):
        if consistent:
            v, u = v + h * (0.04 * v * v + 5.0 * v + 140.0 - u + I_e), u + h * a * (b * v - u)
        else:
            v += h * 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + I_e)
            v += h * 0.5 * (0.04 * v * v + 5.0 * v + 140.0 - u + I_e)
            u += h * a * (b * v - u)
        if v >= 30.0:
            v, u = c, u + d
            spikes.append((k + 1) * h)
        vs.append(v)
        us.append(u)
    return np.array(vs), np.array(us), np.array(spikes)


@pytest.mark.parametrize("consistent", [True, False])
def test_both_integration_schemes_step_by_step(consistent):
    h = 1.0 if not consistent else H
    mm, spikes = run(300.0, h, I_e=10.0, consistent_integration=consistent)
    v, u, want = reference(int(round(300.0 / h)), h, consistent, 10.0)
    n = len(mm["V_m"])
    np.testing.assert_allclose(mm["V_m"], v[:n], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mm["U_m"], u[:n], rtol=1e-12, atol=1e-12)
    assert len(spikes) == len(want) > 3
    np.testing.assert_allclose(spikes, want, atol=1e-9)


def test_the_schemes_differ():
    a, _ = run(100.0, 1.0, I_e=10.0, consistent_integration=True)
    b, _ = run(100.0, 1.0, I_e=10.0, consistent_integration=False)
    assert np.abs(a["V_m"] - b["V_m"]).max() > 1.0


def test_a_spike_moves_v_m_by_its_weight_and_v_min_bounds_it():
    mm, _ = run(20.0, spikes=[5.0], weight=-40.0)
    free = mm["V_m"][np.argmin(np.abs(mm["times"] - 5.1))]
    before = mm["V_m"][np.argmin(np.abs(mm["times"] - 5.0))]
    assert free < before - 35.0  # one Euler step of drift plus the -40 mV jump
    mm, _ = run(20.0, spikes=[5.0], weight=-40.0, V_min=-80.0)
    assert mm["V_m"].min() == pytest.approx(-80.0)


def test_runaway_input_spikes_every_step_and_ends():
    mm, spikes = run(50.0, I_e=1e50)
    assert len(spikes) == 500  # never refractory: V_m crosses V_th in every step
    assert np.all(mm["V_m"] == -65.0)


def recurrent(threads: int):
    return project(
        [
            node("E", "izhikevich", 80, V_m=random("uniform", min=-70.0, max=-60.0)),
            node("I", "izhikevich", 20, a=0.1, d=2.0),
            node("pg", "poisson_generator", rate=2000.0),
            node("sr", "spike_recorder"),
            node("mm", "multimeter", interval=0.5, record_from=["V_m", "U_m"]),
        ],
        [
            conn("pE", "pg", "E", weight=3.0),
            conn("pI", "pg", "I", weight=3.0),
            conn("EE", "E", "E", "fixed_indegree", weight=2.0, delay=1.5, indegree=10),
            conn("EI", "E", "I", "fixed_indegree", weight=2.0, delay=1.0, indegree=10),
            conn("IE", "I", "E", "fixed_indegree", weight=-6.0, delay=1.0, indegree=5),
            conn("sE", "E", "sr"),
            conn("sI", "I", "sr"),
            conn("m", "mm", "E"),
        ],
        duration=200.0,
        threads=threads,
    )


def test_recurrent_network_is_identical_for_1_2_4_threads():
    assert_thread_invariant(lambda t: recurrent(t), min_spikes=100)
