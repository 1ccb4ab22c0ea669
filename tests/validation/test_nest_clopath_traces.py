"""Clopath plasticity against committed NEST 3.10 data: the cases of
tools/reference/make_clopath_traces.py (clopath_traces.*: hh_psc_alpha_clopath pairing, an
aeif_psc_delta_clopath network, an hh_psc_alpha_clopath network) and NEST's
clopath_synapse_spike_pairing example from synapse_traces.* (``clopath_synapse_pairing``).

Run at 1, 2 and 4 threads and on emulated ranks. Compared with NEST:

- weight_recorder events, ordered by (time, sender, target): senders, targets and times
  exactly, weights to 1e-6 relative (the engine restates NEST's rkf45 and Clopath history
  with the same arithmetic; in practice the weights agree to the last bit);
- spikes within 0.1 ms and V_m (and the other sampled state) with an RMS difference <= 0.1
  mV, as test_nest_model_traces.py does for the rkf45 models (and the first sample to 1e-6:
  V_th starts at NEST's default V_th_rest whatever V_th_rest is), plus the final connection
  tables (weights to 1e-6) once the engine's Python API returns them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from spikedesk.engine import _core, driver, simulate
from test_nest_synapse_traces import (
    compare_spikes,
    compare_weights,
    engine_connections,
    engine_project,
    expected,
    recorder_kind,
    skip_unless_implemented,
)
from validation_projects import REFERENCE, load_manifest, sorted_fields

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from helpers import assert_rank_invariant  # noqa: E402

SOURCES = {"clopath_traces": load_manifest("clopath_traces.json")["cases"]}
SOURCES["synapse_traces"] = {
    k: v for k, v in load_manifest("synapse_traces.json")["cases"].items() if "clopath" in k
}
CASES = sorted((src, case) for src, cases in SOURCES.items() for case in cases)
IDS = [case for _, case in CASES]


@pytest.fixture(autouse=True)
def node_names_for_weight_recorders(monkeypatch):
    """Main's project validation still types synapse.weight_recorder as a number (format-v2
    makes it a node name, as these cases have it): drop exactly that problem, nothing else.
    Inert once validation accepts node names."""
    validate = driver.validate

    def lenient(project):
        return [
            p
            for p in validate(project)
            if not (str(p.path).endswith(".synapse.weight_recorder") and "number" in p.message)
        ]

    monkeypatch.setattr(driver, "validate", lenient)


@pytest.fixture(scope="module")
def reference():
    out = {}
    for src in SOURCES:
        with np.load(REFERENCE / f"{src}.npz") as data:
            out[src] = {key: data[key] for key in data.files}
    return out


def compare_state(got: dict, want: dict, what: str) -> None:
    """Sampled state as the rkf45 models of test_nest_model_traces.py: the same samples, RMS
    difference <= 0.1 (mV for voltages)."""
    got, want = sorted_fields(got), sorted_fields(want)
    keep = got["times"] <= want["times"].max() + 1e-9  # NEST holds back the last min_delay
    got = {k: v[keep] for k, v in got.items()}
    assert len(got["times"]) == len(want["times"]), f"{what}: sample counts differ"
    np.testing.assert_allclose(got["times"], want["times"], rtol=0, atol=1e-9, err_msg=what)
    np.testing.assert_array_equal(got["senders"], want["senders"], err_msg=f"{what} senders")
    first = want["times"] == want["times"].min()  # before any difference could grow
    for name in want:
        if name in ("times", "senders"):
            continue
        rms = float(np.sqrt(np.mean((got[name] - want[name]) ** 2)))
        assert rms <= 0.1, f"{what}.{name}: RMS difference {rms:.3g} > 0.1"
        np.testing.assert_allclose(
            got[name][first], want[name][first], rtol=1e-6, err_msg=f"{what}.{name} first sample"
        )


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize(("source", "case"), CASES, ids=IDS)
def test_matches_nest(source: str, case: str, threads: int, reference: dict) -> None:
    entry = SOURCES[source][case]
    data = entry["project"]
    skip_unless_implemented(case, data)
    project = engine_project(data)
    results = simulate(project, threads=threads)
    for node_id, (first, size) in entry["node_ids"].items():
        assert tuple(results.node_ids[node_id]) == (first, size), f"global ids of {node_id}"
    weights = 0
    for recorder in entry["events_per_recorder"]:
        want = expected(reference[source], f"{case}/{recorder}")
        got = results.events[recorder]
        what = f"{case} {recorder} ({threads} threads)"
        kind = recorder_kind(data, recorder)
        if kind == "weights":
            compare_weights(got, want, what, rtol=1e-6)
            weights += len(want["times"])
        elif kind == "spikes":
            compare_spikes(got, want, project.simulation.resolution, what, ode=True)
        else:
            compare_state(got, want, what)
    assert weights > 0, f"{case}: no weight_recorder events to compare"


@pytest.mark.parametrize(("source", "case"), CASES, ids=IDS)
def test_final_connections_match_nest(source: str, case: str, reference: dict) -> None:
    entry = SOURCES[source][case]
    data = entry["project"]
    skip_unless_implemented(case, data)
    tables = engine_connections(simulate(engine_project(data), threads=2, connections=True))
    if tables is None:
        pytest.skip("the engine's Python API has no connection tables yet (Results.connections)")
    for cid in entry["connections"]:
        want = expected(reference[source], f"{case}/connections/{cid}")
        got = {k: np.asarray(v) for k, v in tables[cid].items()}
        order = np.lexsort((got["weights"], got["delays"], got["targets"], got["sources"]))
        got = {k: v[order] for k, v in got.items()}
        for name in ("sources", "targets"):
            np.testing.assert_array_equal(got[name], want[name], err_msg=f"{cid}.{name}")
        np.testing.assert_allclose(got["delays"], want["delays"], atol=1e-9, err_msg=cid)
        np.testing.assert_allclose(
            got["weights"], want["weights"], rtol=1e-6, atol=1e-9, err_msg=f"{cid}.weights"
        )


@pytest.mark.parametrize(("source", "case"), CASES, ids=IDS)
def test_ranks_give_the_embedded_events(source: str, case: str) -> None:
    data = SOURCES[source][case]["project"]
    skip_unless_implemented(case, data)
    assert_rank_invariant(engine_project(data), layouts=((2, 1), (3, 2)))


def test_clopath_synapse_needs_a_clopath_neuron() -> None:
    """NEST refuses clopath_synapse onto a neuron without Clopath history; so does the
    engine, naming the models."""
    if "clopath_synapse" not in _core.models():
        pytest.skip("engine has no clopath_synapse")
    data = {
        "simulation": {"duration": 10.0, "resolution": 0.1, "seed": 1},
        "nodes": [
            {"id": "pre", "model": "parrot_neuron", "size": 1},
            {"id": "post", "model": "iaf_psc_alpha", "size": 1},
        ],
        "connections": [
            {
                "id": "c",
                "source": "pre",
                "target": "post",
                "rule": {"rule": "all_to_all"},
                "synapse": {"model": "clopath_synapse", "weight": 1.0, "delay": 1.0},
            }
        ],
    }
    with pytest.raises(Exception, match="clopath_synapse cannot target iaf_psc_alpha"):
        simulate(engine_project(data))
