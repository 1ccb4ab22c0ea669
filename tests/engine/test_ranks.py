"""The slice-level API the MPI backend uses, with ranks emulated in one process: results must
not depend on the number of ranks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spikedesk.engine import _core, simulate
from spikedesk.engine.driver import _Run
from spikedesk.project_files import io

EXAMPLES = sorted((Path(__file__).parents[2] / "project_files" / "examples").glob("*.json"))


def run_ranks(project, n_ranks: int, threads: int = 1, duration: float = 200.0) -> dict:
    runs = [_Run(project, threads, None, duration, rank=r, n_ranks=n_ranks) for r in range(n_ranks)]
    extrema = [run.net.local_delay_extrema() for run in runs]
    lo = min((a for a, _ in extrema if a > 0), default=0)
    hi = max(b for _, b in extrema)
    sim = runs[0].project.simulation
    total = int(round(sim.duration / sim.resolution))
    for run in runs:
        run.net.prepare(total, lo, hi)
    while runs[0].net.remaining > 0:
        parts = [run.net.run_slice() for run in runs]
        gids, lags, offsets = (np.concatenate([p[k] for p in parts]) for k in range(3))
        for run in runs:
            run.net.deliver(gids, lags, offsets)
    # rank 0 merges: concatenate, then sort by (time, sender) as the engine does
    merged = {}
    events = [run.take() for run in runs]
    for rid in runs[0].recorders:
        taken = [e[rid] for e in events]
        if "times" not in taken[0]:  # device state (correlation detectors): rank 0's
            assert all(np.array_equal(t[k], taken[0][k]) for t in taken for k in t)
            merged[rid] = taken[0]
            continue
        fields = {k: np.concatenate([t[k] for t in taken]) for k in taken[0]}
        keys = [fields["senders"], fields["times"]]
        if "targets" in fields:  # a weight_recorder: by (time, sender, target), as the engine
            keys.insert(0, fields["targets"])
        order = np.lexsort(keys)
        merged[rid] = {k: v[order] for k, v in fields.items()}
    return merged


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_results_do_not_depend_on_the_number_of_ranks(example):
    project = io.load(example)
    reference = simulate(project, duration=200.0).events
    for n_ranks, threads in ((1, 1), (2, 1), (3, 2)):
        got = run_ranks(project, n_ranks, threads)
        assert got.keys() == reference.keys()
        for rid, fields in reference.items():
            for name, values in fields.items():
                np.testing.assert_array_equal(
                    got[rid][name], values, err_msg=f"{n_ranks} ranks: {rid}.{name}"
                )
    assert sum(len(f["times"]) for f in reference.values()) > 0


def test_local_gids_partition_the_neurons():
    nets = [_core.Network(0.1, 1, 1, rank=r, n_ranks=3) for r in range(3)]
    for net in nets:
        net.add_node("parrot_neuron", 5, {})
        net.add_node("spike_recorder", 1, {"start": [0.0], "stop": [1e9], "origin": [0.0]})
        net.add_node("parrot_neuron", 4, {})
    gids = [set(net.local_gids().tolist()) for net in nets]
    assert set().union(*gids) == set(range(1, 6)) | set(range(7, 11))
    assert sum(len(g) for g in gids) == 9
    assert all(g % 3 == r for r, s in enumerate(gids) for g in s)


def test_slice_api_misuse_is_refused():
    net = _core.Network(0.1, 1, 1)
    net.add_node("parrot_neuron", 2, {})
    with pytest.raises(ValueError, match="prepare"):
        net.run_slice()
    net.prepare(30)
    with pytest.raises(ValueError, match="without a slice"):
        net.deliver(np.array([1]), np.array([0]))
    gids, lags, offsets = net.run_slice()
    assert gids.dtype == np.int64 and len(gids) == len(lags) == len(offsets) == 0
    with pytest.raises(ValueError, match="previous slice"):
        net.run_slice()
    with pytest.raises(ValueError, match="outside"):
        net.deliver(np.array([99]), np.array([0]))
    net.deliver(gids, lags)
    assert net.remaining == 30 - net.min_delay


def test_correlation_detectors_and_generator_currents_do_not_depend_on_ranks():
    """Detectors see every spike of their sources on every rank; a multimeter on a
    generator samples it on rank 0 only."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
    from validation_projects import build_project, load_manifest

    cases = load_manifest("recorder_traces.json")["cases"]
    for case in ("correlation", "generator_currents"):
        project = build_project(cases[case]["project"])
        reference = simulate(project).events
        for n_ranks, threads in ((2, 1), (3, 2)):
            got = run_ranks(project, n_ranks, threads, duration=project.simulation.duration)
            for rid, fields in reference.items():
                for name, values in fields.items():
                    np.testing.assert_array_equal(
                        got[rid][name], values, err_msg=f"{n_ranks} ranks: {rid}.{name}"
                    )
