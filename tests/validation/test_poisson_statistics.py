"""poisson_generator -> parrot_neuron: an independent Poisson train per target.

Spike trains cannot match NEST's (different random streams), so the test checks what a
Poisson process must satisfy, with bounds NEST's own run (stored in traces.json) meets:
the count is within 4 sigma of rate x N x T, the Fano factor of per-neuron counts and the
mean CV of ISIs are near 1, and spikes lie in (start + delay, stop + delay].
"""

from __future__ import annotations

import numpy as np
from spikedesk.engine import simulate
from validation_projects import build_project, load_manifest

CASE = load_manifest("traces.json")["statistics"]["poisson_parrot"]
N, RATE, START, STOP, DELAY = 200, 40.0, 100.0, 900.0, 1.0


def stats(times: np.ndarray, senders: np.ndarray) -> dict[str, float]:
    counts = np.bincount(senders - senders.min(), minlength=N)
    cvs = []
    for s in np.unique(senders):
        isi = np.diff(np.sort(times[senders == s]))
        if len(isi) > 2:
            cvs.append(isi.std() / isi.mean())
    return {"n": len(times), "fano": counts.var() / counts.mean(), "cv": float(np.mean(cvs))}


def check(s: dict[str, float]) -> None:
    expected = RATE * N * (STOP - START) / 1000.0
    assert abs(s["n"] - expected) <= 4 * np.sqrt(expected), s
    assert 0.7 <= s["fano"] <= 1.3, s  # sample variance of 200 Poisson counts: std ~0.1
    assert 0.93 <= s["cv"] <= 1.07, s


def test_nest_reference_meets_the_bounds() -> None:
    nest = CASE["nest"]
    check({"n": nest["n_spikes"], "fano": nest["count_fano"], "cv": nest["mean_cv_isi"]})


def test_poisson_parrot_statistics() -> None:
    results = simulate(build_project(CASE["project"]), threads=1)
    ev = results.events["spikes"]
    times, senders = np.asarray(ev["times"]), np.asarray(ev["senders"])
    first, size = results.node_ids["parrots"]
    assert size == N
    assert set(np.unique(senders)) <= set(range(first, first + N))
    assert len(np.unique(senders)) > 0.95 * N, "each parrot gets its own train"
    assert times.min() > START + DELAY and times.max() <= STOP + DELAY
    check(stats(times, senders))
