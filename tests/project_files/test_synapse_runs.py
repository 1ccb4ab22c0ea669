"""Projects of format version 2 on the engine: copy models resolve to their built-in model,
plastic synapses reach ``net.connect`` with their parameters, and connection tables come out
of ``simulate(connections=True)``, ``connections(project)``, ``spikedesk run --connections``
and ``spikedesk connections``. Parts that need the engine's side of issue 10 skip, naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from spikedesk.engine import ParameterError, _core, connections, simulate
from spikedesk.project_files import io

ENGINE = _core.models()
HAS_TABLES = hasattr(_core.Network, "connections")


def needs(model: str) -> None:
    if ENGINE.get(model, {}).get("kind") != "synapse" and model not in ENGINE:
        pytest.skip(f"engine has no {model} (issue 10, lead)")


def needs_tables() -> None:
    if not HAS_TABLES:
        pytest.skip("engine has no Network.connections (issue 10, lead)")


def project(copy_models=None, nodes=(), connections_=(), duration=200.0) -> dict:
    return {
        "format": "spikedesk-project",
        "version": 2,
        "simulation": {"duration": duration, "seed": 3},
        "copy_models": copy_models or {},
        "nodes": list(nodes),
        "connections": list(connections_),
    }


DC_PAIR = [
    {"id": "P", "model": "fast_iaf", "size": 2, "params": {"I_e": 1000.0}},
    {"id": "sr", "model": "spike_recorder"},
]


def test_a_copy_model_runs_as_its_base_model_with_its_params():
    copies = {"fast_iaf": {"model": "iaf_psc_alpha", "params": {"tau_m": 5.0, "C_m": 200.0}}}
    wired = [{"id": "C", "source": "P", "target": "sr"}]
    copied = simulate(io.from_dict(project(copies, DC_PAIR, wired)))
    inline = project(
        None,
        [{**DC_PAIR[0], "model": "iaf_psc_alpha", "params": {"I_e": 1000.0, "tau_m": 5.0,
                                                             "C_m": 200.0}}, DC_PAIR[1]],
        wired,
    )  # fmt: skip
    plain = simulate(io.from_dict(inline))
    assert len(copied.events["sr"]["times"]) > 0
    for field in ("senders", "times"):
        np.testing.assert_array_equal(copied.events["sr"][field], plain.events["sr"][field])


PLASTIC = project(
    {"E_stdp": {"model": "stdp_synapse", "params": {"tau_plus": 15.0, "Wmax": 50.0}}},
    [
        {"id": "pg", "model": "poisson_generator", "params": {"rate": 2000.0}},
        {"id": "P1", "model": "parrot_neuron", "size": 3},
        {"id": "P2", "model": "iaf_psc_alpha", "size": 2, "params": {"tau_minus": 30.0}},
        {"id": "wr", "model": "weight_recorder"},
    ],
    [
        {"id": "drive", "source": "pg", "target": "P1"},
        {
            "id": "C1",
            "source": "P1",
            "target": "P2",
            "synapse": {
                "model": "E_stdp",
                "weight": 20.0,
                "params": {"Wmax": 40.0, "weight_recorder": "wr"},
            },
        },
    ],
)


def test_a_plastic_synapse_the_engine_lacks_is_named():
    if "weight_recorder" in ENGINE and ENGINE.get("stdp_synapse", {}).get("kind") == "synapse":
        pytest.skip("the engine has stdp_synapse and weight_recorder: see the test below")
    data = project(
        None,
        PLASTIC["nodes"][:3],
        [PLASTIC["connections"][0], {**PLASTIC["connections"][1], "synapse": {
            "model": "stdp_synapse", "params": {"tau_plus": 15.0}}}],
    )  # fmt: skip
    with pytest.raises(ParameterError) as err:
        simulate(io.from_dict(data))
    assert "C1" in str(err.value) and "stdp_synapse" in str(err.value)


def test_plastic_run_records_weights_in_nests_layout():
    needs("stdp_synapse")
    needs("weight_recorder")
    needs_tables()
    results = simulate(io.from_dict(PLASTIC), connections=True)
    events = results.events["wr"]
    assert set(events) >= {"senders", "targets", "times", "weights"}
    assert len(events["times"]) > 0
    assert np.all(np.diff(events["times"]) >= 0)
    assert np.all(events["weights"] <= 40.0)  # the connection's Wmax over the copy's 50
    table = results.connections["C1"]
    assert len(table["sources"]) == 6
    assert not np.all(table["weights"] == 20.0)  # they learned


def test_connection_tables_before_and_after_a_run(tmp_path):
    needs_tables()
    data = project(
        None,
        [{"id": "A", "model": "iaf_psc_alpha", "size": 3},
         {"id": "B", "model": "iaf_psc_alpha", "size": 2}],
        [{"id": "AB", "source": "A", "target": "B",
          "synapse": {"weight": 2.5, "delay": 1.5}}],
    )  # fmt: skip
    built = connections(io.from_dict(data))
    table = built["AB"]
    assert list(table["sources"]) == [1, 1, 2, 2, 3, 3]
    assert list(table["targets"]) == [4, 5, 4, 5, 4, 5]
    assert np.all(table["weights"] == 2.5) and np.all(table["delays"] == 1.5)
    assert table["sources"].dtype == np.int64 and table["weights"].dtype == np.float64
    ran = simulate(io.from_dict(data), connections=True).connections["AB"]
    for name in table:
        np.testing.assert_array_equal(ran[name], table[name])
    path = tmp_path / "p.json"
    path.write_text(io.dumps(io.from_dict(data)))
    for args in (["run", str(path), "--out", str(tmp_path / "r.npz"), "--connections"],
                 ["connections", str(path), "-o", str(tmp_path / "c.npz")]):  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-m", "spikedesk.app.cli", *args],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    for name in ("r.npz", "c.npz"):
        with np.load(tmp_path / name) as saved:
            for field in ("sources", "targets", "weights", "delays"):
                np.testing.assert_array_equal(saved[f"AB/{field}"], table[field])


def test_run_connections_needs_out(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(io.dumps(io.from_dict(project(None, [], []))))
    proc = subprocess.run(
        [sys.executable, "-m", "spikedesk.app.cli", "run", str(path), "--connections"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "--connections: needs --out FILE.npz" in proc.stderr


MPIEXEC = Path(sys.executable).parent / "mpiexec"


@pytest.mark.mpi
def test_connection_tables_of_two_ranks_equal_one_process(tmp_path):
    """``mpiexec -n 2 spikedesk connections`` and ``run --connections``: the ranks' tables
    merged into the single-process table."""
    needs_tables()
    if not MPIEXEC.exists():
        pytest.skip("needs the MPI extra: pip install '.[mpi]'")
    data = project(
        None,
        [{"id": "A", "model": "iaf_psc_alpha", "size": 7},
         {"id": "B", "model": "iaf_psc_alpha", "size": 5}],
        [{"id": "AB", "source": "A", "target": "B",
          "rule": {"rule": "fixed_indegree", "indegree": 3},
          "synapse": {"weight": {"random": "uniform", "min": 1.0, "max": 2.0}}},
         {"id": "BA", "source": "B", "target": "A",
          "rule": {"rule": "pairwise_bernoulli", "p": 0.5}}],
    )  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(io.dumps(io.from_dict(data)))
    single = connections(io.from_dict(data))
    spikedesk = Path(sys.executable).parent / "spikedesk"
    for args, out in ((["connections", str(path), "-o"], "c.npz"),
                      (["run", str(path), "--connections", "--out"], "r.npz")):  # fmt: skip
        proc = subprocess.run(
            [str(MPIEXEC), "-n", "2", str(spikedesk), *args, str(tmp_path / out)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        with np.load(tmp_path / out) as saved:
            for cid, table in single.items():
                for field, values in table.items():
                    np.testing.assert_array_equal(saved[f"{cid}/{field}"], values)
