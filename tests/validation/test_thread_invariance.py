"""The same project and seed give identical spikes and traces at 1, 2 and 4 threads."""

from __future__ import annotations

import numpy as np
import pytest
from spike_stats import with_recorders
from spikedesk.engine import simulate
from validation_projects import build_project, load_manifest, sorted_fields

TRACES = load_manifest("traces.json")
SPREAD = load_manifest("brunel_spread.json")
PROJECTS = {
    "brunel": with_recorders(SPREAD["project"]),
    "poisson_parrot": TRACES["statistics"]["poisson_parrot"]["project"],
    "iaf_psc_alpha_spikes": TRACES["cases"]["iaf_psc_alpha_spikes"]["project"],
    "iaf_psc_exp_dc": TRACES["cases"]["iaf_psc_exp_dc"]["project"],
}


@pytest.mark.parametrize("threads", [2, 4])
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_threads_identical(name: str, threads: int) -> None:
    project = build_project(PROJECTS[name])
    one = simulate(project, threads=1, seed=7)
    two = simulate(project, threads=threads, seed=7)
    assert set(one.events) == set(two.events)
    total = 0
    for recorder in one.events:
        a, b = sorted_fields(one.events[recorder]), sorted_fields(two.events[recorder])
        assert set(a) == set(b), recorder
        for field in a:
            np.testing.assert_array_equal(a[field], b[field], err_msg=f"{recorder}/{field}")
        total += len(a["times"])
    assert total > 0, "nothing was recorded"
