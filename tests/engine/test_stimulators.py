"""NEST's further stimulators against theory, with tolerances a wrong implementation fails:
sinusoidal rate modulation (amplitude and phase of a PSTH fit), the CV of ISI of gamma
processes (1 / sqrt(order)), MIP correlation (p_copy), dead time and rates of the superposition
generators; identical spikes for any threads x ranks; per-device values; bad parameters."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import conn, node, project
from spikedesk.engine import InvalidProjectError, ParameterError, simulate
from test_ranks import run_ranks


def parrots(generator, n: int, duration: float, seed: int = 1, threads: int = 1):
    """`generator` -> n parrot_neurons -> spike_recorder: spike trains per parrot."""
    p = project(
        [generator, node("p", "parrot_neuron", n), node("rec", "spike_recorder")],
        [conn("g-p", generator.id, "p", delay=1.0), conn("p-r", "p", "rec")],
        duration=duration,
        seed=seed,
        threads=threads,
    )
    ev = simulate(p).events["rec"]
    first = int(ev["senders"].min()) if len(ev["senders"]) else 0
    # a spike leaving the generator in step t reaches the parrot after the 1 ms delay
    return [ev["times"][ev["senders"] == first + i] - 1.0 for i in range(n)], ev


def cv_of_isi(trains) -> float:
    cvs = [np.std(np.diff(t)) / np.mean(np.diff(t)) for t in trains if len(t) > 10]
    return float(np.mean(cvs))


def fit_sine(times: np.ndarray, n: int, duration: float, frequency: float):
    """The rate (spikes/s per train) fitted as a + b sin(w t) + c cos(w t): a, the amplitude
    and the phase in degrees."""
    edges = np.arange(0.0, duration + 1e-9, 1.0)
    counts, _ = np.histogram(times, edges)
    t = edges[:-1] + 0.5
    w = 2 * np.pi * frequency / 1000.0
    design = np.column_stack([np.ones_like(t), np.sin(w * t), np.cos(w * t)])
    (a, b, c), *_ = np.linalg.lstsq(design, counts / n * 1000.0, rcond=None)
    return a, np.hypot(b, c), np.degrees(np.arctan2(c, b)) % 360.0


def test_sinusoidal_poisson_modulation_amplitude_and_phase():
    # 200 trains x 2 s at 50 +- 30 spikes/s: the fit's standard errors are ~0.5 spikes/s and
    # ~1 degree; a wrong phase convention (cos, radians, no phase) is off by >= 45 degrees
    g = node(
        "g", "sinusoidal_poisson_generator", rate=50.0, amplitude=30.0, frequency=10.0, phase=45.0
    )
    trains, ev = parrots(g, 200, 2000.0)
    # a spike leaving in step t is stamped at its end: the rate of step t is the one at t + h
    a, amp, phase = fit_sine(ev["times"] - 1.0 - 0.05, 200, 2000.0, 10.0)
    assert abs(a - 50.0) < 2.0
    assert abs(amp - 30.0) < 2.5
    assert abs((phase - 45.0 + 180) % 360 - 180) < 6.0
    # trains are independent: no two parrots share most of their spikes
    assert len(np.intersect1d(trains[0], trains[1])) < 0.2 * len(trains[0])


def test_sinusoidal_poisson_clips_the_rate_at_zero_and_can_share_one_train():
    g = node(
        "g",
        "sinusoidal_poisson_generator",
        rate=10.0,
        amplitude=40.0,
        frequency=5.0,
        individual_spike_trains=False,
    )
    trains, ev = parrots(g, 3, 4000.0)
    assert all(np.array_equal(trains[0], t) for t in trains[1:])  # one train for all
    # the rate is max(0, 10 + 40 sin): mean (1/T) int max(0, .) = 10 * 0.5 + ... > 10
    theory = np.mean(np.maximum(0.0, 10 + 40 * np.sin(np.linspace(0, 2 * np.pi, 100001))))
    assert abs(len(trains[0]) / 4.0 - theory) < 4 * np.sqrt(theory * 4.0) / 4.0
    # and no spike in the trough (sin < -0.25 ~ rate 0): phase 180..360 minus a margin
    phase = (trains[0] + 0.1) * 5.0 / 1000.0 % 1.0
    assert np.sum((phase > 0.6) & (phase < 0.9)) == 0


@pytest.mark.parametrize("order", [1.0, 4.0])
def test_sinusoidal_gamma_cv_is_one_over_sqrt_order(order):
    g = node("g", "sinusoidal_gamma_generator", rate=40.0, order=order)
    trains, _ = parrots(g, 40, 5000.0)
    rate = np.mean([len(t) for t in trains]) / 5.0
    assert abs(rate - 40.0) < 2.0
    assert abs(cv_of_isi(trains) - 1 / np.sqrt(order)) < 0.04


def test_sinusoidal_gamma_modulation():
    g = node(
        "g",
        "sinusoidal_gamma_generator",
        rate=40.0,
        amplitude=20.0,
        frequency=4.0,
        phase=90.0,
        order=3.0,
    )
    _, ev = parrots(g, 200, 2500.0)
    a, amp, phase = fit_sine(ev["times"] - 1.0 - 0.05, 200, 2500.0, 4.0)
    assert abs(a - 40.0) < 2.0 and abs(amp - 20.0) < 2.5
    assert abs((phase - 90.0 + 180) % 360 - 180) < 8.0


@pytest.mark.parametrize("shape", [1, 3, 6])
def test_gamma_sup_single_process_cv_and_rate(shape):
    g = node("g", "gamma_sup_generator", rate=30.0, gamma_shape=shape, n_proc=1)
    trains, _ = parrots(g, 30, 6000.0)
    rate = np.mean([len(t) for t in trains]) / 6.0
    assert abs(rate - 30.0) < 1.5
    assert abs(cv_of_isi(trains) - 1 / np.sqrt(shape)) < 0.04


def test_gamma_sup_superposition_rate_adds_up():
    g = node("g", "gamma_sup_generator", rate=20.0, gamma_shape=4, n_proc=50)
    trains, _ = parrots(g, 10, 2000.0)
    rate = np.mean([len(t) for t in trains]) / 2.0
    assert abs(rate - 1000.0) < 30.0  # 50 x 20 spikes/s
    assert abs(cv_of_isi(trains) - 1.0) < 0.1  # a large superposition is nearly Poisson


def test_ppd_sup_dead_time_rate_and_cv():
    # one process: intervals = dead time + exponential, CV = 1 - rate * dead_time
    g = node("g", "ppd_sup_generator", rate=50.0, dead_time=5.0, n_proc=1)
    trains, _ = parrots(g, 30, 6000.0)
    isi = np.concatenate([np.diff(t) for t in trains])
    assert isi.min() >= 5.0 - 1e-9
    assert np.mean(isi < 5.3) > 0.005  # the dead time is not longer than asked
    rate = np.mean([len(t) for t in trains]) / 6.0
    assert abs(rate - 50.0) < 2.0
    assert abs(cv_of_isi(trains) - (1 - 50.0 * 5.0 / 1000.0)) < 0.04


def test_ppd_sup_superposition_rate_and_modulation():
    g = node(
        "g",
        "ppd_sup_generator",
        rate=20.0,
        dead_time=3.0,
        n_proc=20,
        frequency=5.0,
        relative_amplitude=0.5,
    )
    _, ev = parrots(g, 20, 4000.0)
    a, amp, phase = fit_sine(ev["times"] - 1.0 - 0.05, 20, 4000.0, 5.0)
    assert abs(a - 400.0) < 15.0  # 20 processes x 20 spikes/s
    assert abs(amp - 200.0) < 25.0 and abs((phase + 180) % 360 - 180) < 10.0


def test_mip_pairwise_correlation_is_p_copy():
    g = node("g", "mip_generator", rate=200.0, p_copy=0.3)
    trains, _ = parrots(g, 6, 20000.0)
    rates = [len(t) / 20.0 for t in trains]
    assert all(abs(r - 60.0) < 4.0 for r in rates)  # p_copy * rate
    edges = np.arange(0.0, 20000.0 + 1e-9, 5.0)
    counts = np.array([np.histogram(t, edges)[0] for t in trains])
    corr = np.corrcoef(counts)[np.triu_indices(6, 1)]
    assert abs(corr.mean() - 0.3) < 0.03
    # shared spikes sit in the same step
    shared = len(np.intersect1d(trains[0], trains[1])) / 20.0
    assert abs(shared - 0.3**2 * 200.0) < 3.0


STOCHASTIC = [
    node("a", "sinusoidal_poisson_generator", 2, rate=[80.0, 40.0], amplitude=30.0, frequency=8.0),
    node("b", "sinusoidal_gamma_generator", rate=60.0, amplitude=20.0, frequency=5.0, order=3.0),
    node("c", "gamma_sup_generator", rate=30.0, gamma_shape=3, n_proc=4),
    node("d", "ppd_sup_generator", rate=40.0, dead_time=2.0, n_proc=3),
    node("e", "mip_generator", rate=150.0, p_copy=0.4),
    node("f", "pulsepacket_generator", pulse_times=[20.0, 60.0, 110.0], activity=30, sdev=4.0),
    node("g", "sinusoidal_gamma_generator", rate=60.0, order=2.0, individual_spike_trains=False),
]
INJECTOR = node(
    "sti",
    "spike_train_injector",
    3,
    spike_times=[[1.0, 50.5, 120.0], [2.0, 2.0, 99.9], [3.0, 150.0]],
)


def invariance_project(threads: int = 1):
    nodes = [*STOCHASTIC, INJECTOR, node("p", "parrot_neuron", 13), node("rec", "spike_recorder")]
    conns = [conn(f"{g.id}-p", g.id, "p", delay=1.0 + 0.1 * i) for i, g in enumerate(STOCHASTIC)]
    conns += [conn("sti-p", "sti", "p", delay=2.0), conn("sti-r", "sti", "rec")]
    return project(nodes, [*conns, conn("p-r", "p", "rec")], duration=200.0, threads=threads)


def test_identical_spikes_for_any_threads_and_ranks():
    reference = simulate(invariance_project()).events["rec"]
    assert len(reference["times"]) > 1000
    for threads in (2, 4):
        got = simulate(invariance_project(threads)).events["rec"]
        for field in ("times", "senders"):
            np.testing.assert_array_equal(got[field], reference[field])
    for n_ranks in (2, 3):
        got = run_ranks(invariance_project(), n_ranks)["rec"]
        for field in ("times", "senders"):
            np.testing.assert_array_equal(got[field], reference[field])


def test_per_device_rates_inside_one_node():
    g = node("g", "poisson_generator", 3, rate=[10.0, 100.0, 1000.0])
    p = project(
        [g, node("p", "parrot_neuron", 3), node("rec", "spike_recorder")],
        [conn("g-p", "g", "p", "one_to_one"), conn("p-r", "p", "rec")],
        duration=2000.0,
    )
    ev = simulate(p).events["rec"]
    counts = np.bincount(ev["senders"] - ev["senders"].min(), minlength=3) / 2.0
    for got, want in zip(counts, (10.0, 100.0, 1000.0), strict=True):
        assert abs(got - want) < 4 * np.sqrt(want / 2.0) + 1


@pytest.mark.parametrize(
    "model, params, name, fragment",
    [
        ("sinusoidal_poisson_generator", {"rate": -5.0}, "rate", "must be >= 0"),
        (
            "sinusoidal_gamma_generator",
            {"rate": 10.0, "amplitude": 20.0},
            "amplitude",
            "must be <= rate",
        ),
        ("sinusoidal_gamma_generator", {"order": 0.5}, "order", "must be >= 1"),
        ("mip_generator", {"p_copy": 1.5}, "p_copy", "must be <= 1"),
        ("mip_generator", {"rate": -1.0}, "rate", "must be >= 0"),
        ("gamma_sup_generator", {"gamma_shape": 0}, "gamma_shape", "must be >= 1"),
        ("ppd_sup_generator", {"rate": 200.0, "dead_time": 10.0}, "dead_time", "1000 / rate"),
        ("ppd_sup_generator", {"relative_amplitude": 2.0}, "relative_amplitude", "<= 1"),
        ("pulsepacket_generator", {"sdev": -1.0}, "sdev", "must be >= 0"),
        ("pulsepacket_generator", {"start": 50.0, "stop": 10.0}, "stop", "must be >= start"),
        ("spike_train_injector", {"start": 50.0, "stop": 10.0}, "stop", "must be >= start"),
    ],
)
def test_bad_parameters_name_node_and_parameter(model, params, name, fragment):
    """The project's validation (catalog constraints) or, for what only the engine checks,
    the engine: either names the node and the parameter."""
    p = project([node("bad", model, **params)], [], duration=10.0)
    with pytest.raises((InvalidProjectError, ParameterError)) as err:
        simulate(p)
    if isinstance(err.value, InvalidProjectError):
        (problem,) = err.value.problems
        assert problem.path == f"nodes[0].params.{name}" and fragment in problem.message
    else:
        assert err.value.node == "bad" and err.value.parameter == name
        assert fragment in str(err.value)
    # the engine checks the same on its own (a project that skipped validation)
    from spikedesk.engine import _core

    spec = _core.models()[model]
    net = _core.Network(0.1, 1, 1)
    defaults = {k: [float(v)] for k, v in _defaults(model).items() if k in spec["params"]}
    with pytest.raises(ValueError, match=f"^{name}: .*{fragment}"):
        net.add_node(model, 1, {**defaults, **{k: [float(v)] for k, v in params.items()}})


def _defaults(model: str) -> dict:
    from spikedesk.project_files import catalog

    return {
        k: p.default
        for k, p in catalog.model(model).params.items()
        if not isinstance(p.default, list)
    }


def test_a_bad_value_of_one_device_names_it():
    g = node("g", "sinusoidal_gamma_generator", 3, rate=10.0, amplitude=[1.0, 5.0, 50.0])
    with pytest.raises(InvalidProjectError) as err:
        simulate(project([g], [], duration=10.0))
    (problem,) = err.value.problems
    assert problem.path == "nodes[0].params.amplitude" and "50.0 > rate 10.0" in problem.message
    # the engine names the device
    from spikedesk.engine import _core

    net = _core.Network(0.1, 1, 1)
    defaults = {k: [float(v)] for k, v in _defaults("sinusoidal_gamma_generator").items()}
    each = [{"rate": [10.0], "amplitude": [a]} for a in (1.0, 5.0, 50.0)]
    with pytest.raises(ValueError, match=r"^amplitude: must be <= rate .*\[device 2\]"):
        net.add_node("sinusoidal_gamma_generator", 3, defaults, each)
    lists = node("sg", "spike_generator", 2, spike_times=[[1.0], [2.0], [3.0]])
    with pytest.raises((InvalidProjectError, ParameterError), match="2"):
        simulate(project([lists], [], duration=10.0))


def test_nothing_connects_into_a_spike_train_injector():
    sti = node("sti", "spike_train_injector", spike_times=[1.0])
    nodes = [sti, node("n", "iaf_psc_alpha"), node("mm", "multimeter", record_from=["V_m"])]
    for source in ("n", "mm"):
        p = project(nodes, [conn("c", source, "sti")], duration=10.0)
        with pytest.raises(InvalidProjectError) as err:
            simulate(p)
        problem = err.value.problems[0]
        assert problem.path == "connections[0].target"
        assert "nothing can connect into a spike_train_injector" in problem.message
