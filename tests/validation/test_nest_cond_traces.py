"""iaf_cond_alpha against committed NEST 3.10 traces (tools/reference/make_cond_traces.py).

The engine re-implements NEST's GSL scheme (rkf45 stepper, gsl_odeiv_control_y_new(1e-3, 0),
evolve loop within each step starting from the last step size) with the same arithmetic
order, and the traces agree with NEST bit for bit (measured: max |difference| 0 for V_m, g_ex
and g_in in every case). The tolerances below leave room only for rounding: 1e-9 relative
on V_m, 1e-9 relative with a 1e-12 nS floor on the conductances (they start at exactly 0).
Spike times must fall on exactly NEST's steps. Samples after NEST's last one (NEST delivers
the last min_delay of samples only with a further Simulate call) are not compared, as in
test_nest_traces.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from spikedesk.engine import simulate
from test_nest_traces import assert_same_events, expected
from validation_projects import REFERENCE, build_project, load_manifest

MANIFEST = load_manifest("cond_traces.json")
CASES = sorted(MANIFEST["cases"])
TOLERANCE = {"V_m": (1e-9, 1e-12), "g_ex": (1e-9, 1e-12), "g_in": (1e-9, 1e-12)}


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE / "cond_traces.npz") as data:
        return {key: data[key] for key in data.files}


def test_the_cases_are_there():
    assert CASES == ["iaf_cond_alpha_dc", "iaf_cond_alpha_poisson", "iaf_cond_alpha_spikes"]
    for entry in MANIFEST["cases"].values():
        assert entry["events_per_recorder"]["spikes"] > 0  # every case spikes


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("case", CASES)
def test_matches_nest(case: str, threads: int, reference: dict) -> None:
    entry = MANIFEST["cases"][case]
    project = build_project(entry["project"])
    results = simulate(project, threads=threads)
    for node_id, (first, size) in entry["node_ids"].items():
        assert tuple(results.node_ids[node_id]) == (first, size), f"global ids of {node_id}"
    for recorder in entry["events_per_recorder"]:
        want = expected(reference, case, recorder)
        if "V_m" in want:
            assert {"g_ex", "g_in"} <= set(want)
        assert_same_events(
            results.events[recorder],
            want,
            project.simulation.resolution,
            project.simulation.duration,
            TOLERANCE,
        )
