"""Generators, recorders, thread invariance and errors, through the Python API."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import conn, node, project, random
from spikedesk.engine import EngineError, ParameterError, merge, simulate, stream
from spikedesk.project_files import io

EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "project_files" / "examples").glob("*.json")
)


def test_poisson_rate_and_independence_per_target():
    p = project(
        [
            node("pg", "poisson_generator", rate=500.0),
            node("par", "parrot_neuron", 200),
            node("sr", "spike_recorder"),
        ],
        [conn("a", "pg", "par"), conn("b", "par", "sr")],
        duration=1000.0,
    )
    ev = simulate(p).events["sr"]
    counts = np.bincount(ev["senders"] - 2, minlength=200)
    assert counts.mean() == pytest.approx(500.0, rel=0.02)
    assert counts.var() == pytest.approx(500.0, rel=0.25)  # Poisson: variance = mean
    first = ev["times"][ev["senders"] == 2][:20]
    second = ev["times"][ev["senders"] == 3][:20]
    assert not np.array_equal(first, second)


def test_generator_start_stop_window():
    p = project(
        [
            node("pg", "poisson_generator", rate=5000.0, start=20.0, stop=50.0),
            node("par", "parrot_neuron"),
            node("sr", "spike_recorder", start=30.0),
        ],
        [conn("a", "pg", "par", delay=1.0), conn("b", "par", "sr")],
        duration=100.0,
    )
    # the generator emits in steps 20.0 < t <= 50.0 (stamps 20.2 ... 50.1), the parrot repeats
    # them 1 ms later, and the recorder keeps stamps > 30.0
    t = simulate(p).events["sr"]["times"]
    assert t.min() > 30.0 and t.max() <= 51.1 + 1e-9 and len(t) > 50
    t_all = simulate(p, seed=3).events["sr"]["times"]
    assert t_all.max() <= 51.1 + 1e-9


def test_voltmeter_interval_and_window():
    p = project(
        [
            node("n", "iaf_psc_delta", 3),
            node("vm", "voltmeter", interval=2.5, start=10.0, stop=20.0),
        ],
        [conn("r", "vm", "n")],
        duration=40.0,
    )
    ev = simulate(p).events["vm"]
    np.testing.assert_allclose(np.unique(ev["times"]), [12.5, 15.0, 17.5, 20.0])
    assert list(ev["senders"][:3]) == [1, 2, 3]


def test_step_current_amplitudes_switch_at_their_times():
    p = project(
        [
            node(
                "sc",
                "step_current_generator",
                amplitude_times=[10.0, 30.0],
                amplitude_values=[100.0, -50.0],
            ),
            node("n", "iaf_psc_exp"),
            node("mm", "multimeter", interval=0.1, record_from=["V_m"]),
        ],
        [conn("a", "sc", "n", delay=0.1), conn("r", "mm", "n")],
        duration=60.0,
    )
    ev = simulate(p).events["mm"]
    v = dict(zip(np.round(ev["times"], 1), ev["V_m"], strict=True))
    assert v[10.0] == -70.0 and v[10.2] > -70.0  # rises once 100 pA arrive
    assert v[59.9] < -70.0  # -50 pA pull below rest


def test_noise_generator_mean_and_std():
    p = project(
        [
            node("ng", "noise_generator", mean=0.0, std=200.0, dt=1.0),
            node("n", "iaf_psc_delta", 200, tau_m=0.1, C_m=1.0, V_th=1000.0),
            node("vm", "voltmeter", interval=1.0),
        ],
        [conn("a", "ng", "n", delay=1.0), conn("r", "vm", "n")],
        duration=200.0,
    )
    v = simulate(p).events["vm"]["V_m"]
    # with tau_m << dt the membrane follows the current: V - E_L ~ R I with R = tau/C = 0.1
    dv = v + 70.0
    assert abs(dv.mean()) < 0.05 * 20.0 and dv.std() == pytest.approx(
        20.0 * (1 - np.exp(-10)), rel=0.1
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_identical_at_1_2_and_4_threads(example):
    project_ = io.load(example)
    runs = [simulate(project_, threads=t, duration=300.0) for t in (1, 2, 4)]
    for other in runs[1:]:
        assert other.events.keys() == runs[0].events.keys()
        for rid, fields in runs[0].events.items():
            for name, values in fields.items():
                np.testing.assert_array_equal(
                    other.events[rid][name], values, err_msg=f"{rid}.{name}"
                )
    assert sum(len(f["times"]) for f in runs[0].events.values()) > 0


def test_random_node_parameters_are_thread_independent():
    p = project(
        [
            node("n", "iaf_psc_delta", 50, V_m=random("uniform", min=-70.0, max=-56.0), I_e=500.0),
            node("sr", "spike_recorder"),
        ],
        [conn("s", "n", "sr")],
        duration=100.0,
    )
    a, b = simulate(p, threads=1), simulate(p, threads=3)
    np.testing.assert_array_equal(a.events["sr"]["times"], b.events["sr"]["times"])
    np.testing.assert_array_equal(a.events["sr"]["senders"], b.events["sr"]["senders"])
    assert len(np.unique(a.events["sr"]["times"][:50])) > 10  # different initial V_m


def test_stream_chunks_add_up_to_simulate_and_cancel_stops():
    p = io.load(EXAMPLES[0].parent / "brunel.json")
    whole = simulate(p, duration=200.0)
    chunks = list(stream(p, chunk=30.0, duration=200.0))
    assert [round(c.time, 6) for c in chunks][-1] == 200.0 and len(chunks) == 7
    merged = merge([c.events for c in chunks])
    for rid, fields in whole.events.items():
        for name, values in fields.items():
            np.testing.assert_array_equal(merged[rid][name], values)
    cancel = threading.Event()
    seen = []
    for c in stream(p, chunk=10.0, duration=200.0, cancel=cancel):
        seen.append(c)
        cancel.set()
    assert len(seen) == 1


def test_invalid_parameter_names_node_parameter_and_value():
    p = project([node("exc", "iaf_psc_delta", 10, C_m=-5.0)], [])
    with pytest.raises(EngineError, match=r"nodes\[0\].params.C_m.*-5"):
        simulate(p)


def test_engine_level_parameter_error_names_the_node():
    p = project([node("sg", "spike_generator", spike_times=[1.05])], [])
    with pytest.raises(ParameterError, match="sg") as err:
        simulate(p)
    assert err.value.node == "sg"


def test_memory_estimate_refuses_huge_networks():
    p = project(
        [node("a", "iaf_psc_delta", 10_000_000), node("b", "iaf_psc_delta", 10_000_000)],
        [conn("c", "a", "b", "fixed_indegree", indegree=10_000)],
    )
    with pytest.raises(MemoryError, match="GiB"):
        simulate(p)
