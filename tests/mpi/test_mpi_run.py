"""``mpiexec -n R spikedesk run``: the merged results equal the embedded run bit for bit, for
any number of ranks and threads per rank."""

from __future__ import annotations

import numpy as np
import pytest
from mpi_tools import mpi_run
from networks import brunel, conductance, every_rule, families, precise
from spikedesk.engine import simulate
from spikedesk.project_files import io

PROJECTS = {
    "brunel": brunel,
    "every_rule": every_rule,
    "conductance": conductance,
    "precise": precise,
    "families": families,
}
LAYOUTS = [(1, 1), (2, 1), (4, 1), (2, 2)]  # (ranks, threads per rank)


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def case(request, tmp_path_factory):
    project = PROJECTS[request.param]()
    path = tmp_path_factory.mktemp(request.param) / "project.json"
    io.save(project, path)
    return path, simulate(project).events


@pytest.mark.parametrize("ranks,threads", LAYOUTS, ids=lambda v: str(v))
def test_mpiexec_results_equal_the_embedded_run(case, ranks, threads, tmp_path):
    path, reference = case
    out = tmp_path / "results.npz"
    stdout = mpi_run(ranks, str(path), "--out", str(out), "--threads", str(threads),
                     threads=threads)  # fmt: skip
    if ranks > 1:
        assert f"on {ranks} MPI ranks" in stdout
    assert stdout.count("events written") == 1  # rank 0 alone reports
    with np.load(out) as npz:
        got = {key: npz[key] for key in npz.files}
    expected = {f"{rid}/{f}": v for rid, fields in reference.items() for f, v in fields.items()}
    assert sorted(got) == sorted(expected)
    for key, values in expected.items():
        np.testing.assert_array_equal(got[key], values, err_msg=f"{ranks}x{threads}: {key}")
    assert sum(len(v) for k, v in expected.items() if k.endswith("/times")) > 100
    if "vm/V_m" in expected:
        assert len(expected["vm/V_m"]) > 0


def test_a_bad_project_is_reported_once(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "spikedesk-project", "version": 1, "nodes": [{"id": "x"}]}')
    import os
    import subprocess

    from mpi_tools import MPIEXEC, SPIKEDESK

    proc = subprocess.run(
        [str(MPIEXEC), "-n", "2", str(SPIKEDESK), "run", str(bad)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert proc.returncode != 0
    assert proc.stderr.count("error:") == 1, proc.stderr


def test_a_model_failing_on_one_rank_stops_every_rank(tmp_path):
    """A runaway neuron (I_e = 1e50) on one rank: every rank stops (no rank left waiting in
    the exchange) and the error names the node once."""
    import os
    import subprocess

    from mpi_tools import MPIEXEC, SPIKEDESK
    from spikedesk.project_files.project import Node, Project, Simulation, frozen_map

    project = Project(
        name="runaway",
        simulation=Simulation(duration=20.0),
        nodes=(
            Node(id="calm", model="iaf_cond_alpha", size=3),
            Node(id="wild", model="iaf_cond_alpha", size=1, params=frozen_map({"I_e": 1e50})),
        ),
    )
    path = tmp_path / "runaway.json"
    io.save(project, path)
    proc = subprocess.run(
        [str(MPIEXEC), "-n", "2", str(SPIKEDESK), "run", str(path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert proc.returncode != 0
    assert "wild" in proc.stderr and "did not converge" in proc.stderr, proc.stderr


@pytest.mark.parametrize("name", ["correlation_short_delay", "generator_currents"])
def test_mpiexec_detectors_and_generator_currents_equal_the_embedded_run(name, tmp_path):
    """Correlation detectors (device state: rank 0's part) and a multimeter on generators
    (sampled on rank 0) under mpiexec, as the embedded run."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
    from validation_projects import build_project, load_manifest

    project = build_project(load_manifest("recorder_traces.json")["cases"][name]["project"])
    path = tmp_path / "project.json"
    io.save(project, path)
    reference = simulate(project).events
    out = tmp_path / "results.npz"
    mpi_run(3, str(path), "--out", str(out), "--chunk", "7")
    with np.load(out) as npz:
        got = {key: npz[key] for key in npz.files}
    expected = {f"{rid}/{f}": v for rid, fields in reference.items() for f, v in fields.items()}
    assert sorted(got) == sorted(expected)
    for key, values in expected.items():
        np.testing.assert_array_equal(got[key], values, err_msg=key)
