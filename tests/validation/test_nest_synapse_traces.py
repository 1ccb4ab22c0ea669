"""Synapses with state against committed NEST 3.10 data (tools/reference/make_synapse_traces.py).

Every case is a spikedesk project dict in format version 2, run here at 1, 2 and 4 threads and
on 2 and 3 emulated ranks. Compared with NEST:

- weight_recorder events, ordered by (time, sender, target): senders, targets and times
  exactly (times to 1e-9 ms), weights to 1e-6 relative;
- spike_recorder events on NEST's steps; multimeter V_m to 1e-9 relative (iaf_psc_exp is
  integrated exactly);
- the connections after the run (sources, targets, weights, delays per connection), once the
  engine's Python API returns them (see ``engine_connections``);
- cases marked ``numerics: "ode"`` (NEST's Clopath and gap-junction examples: aeif and hh
  neurons integrated with GSL's adaptive rkf45) as the ode neuron models of
  test_nest_model_traces.py: spikes within 0.1 ms, V_m RMS difference <= 0.1 mV, weights to
  1e-4 relative;
- bernoulli_synapse and quantal_stp_synapse draw at random: their statistics (transmitted
  fraction; mean released quanta per presynaptic spike) must agree with the exact expectation
  within sampling error, like NEST's (recorded with the seed).

A case is skipped, with the reason, while the engine lacks one of its models
(``_core.models()``); tests/validation/test_synapse_oracle.py checks the same data against a
plain-Python statement of NEST's synapse code, independent of the engine.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from spikedesk.engine import _core, simulate
from spikedesk.project_files import project as project_module
from spikedesk.project_files.project import frozen_map
from validation_projects import REFERENCE, build_project, load_manifest, sorted_fields

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from helpers import assert_rank_invariant  # noqa: E402

MANIFEST = load_manifest("synapse_traces.json")
CASES = sorted(MANIFEST["cases"])
STATISTICS = MANIFEST["statistics"]
# cases to skip whatever the engine has, with the reason (none: a case skips by itself while
# the engine lacks one of its models, e.g. clopath_synapse or gap_junction, the last of issue 10)
PENDING: dict[str, str] = {}


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE / "synapse_traces.npz") as data:
        return {key: data[key] for key in data.files}


def expected(reference: dict, prefix: str) -> dict[str, np.ndarray]:
    prefix = prefix.rstrip("/") + "/"
    return {k[len(prefix) :]: v for k, v in reference.items() if k.startswith(prefix)}


def root_model(data: dict, model: str) -> str:
    copies = data.get("copy_models", {})
    while model in copies:
        model = copies[model]["model"]
    return model


def resolve_copy_models(data: dict) -> dict:
    """The project with every copy model replaced by its built-in model and the copy's params
    merged under the node's/synapse's own (what the driver hands the engine). Used while
    ``Project`` has no copy_models field (before format-v2)."""
    copies = data.get("copy_models", {})

    def merged(model: str, params: dict) -> tuple[str, dict]:
        chain = []
        while model in copies:
            chain.append(copies[model].get("params", {}))
            model = copies[model]["model"]
        out: dict = {}
        for p in reversed(chain):
            out.update(p)
        out.update(params)
        return model, out

    nodes = []
    for n in data["nodes"]:
        model, params = merged(n["model"], n.get("params", {}))
        nodes.append({**n, "model": model, "params": params})
    conns = []
    for c in data.get("connections", []):
        syn = c.get("synapse", {})
        model, params = merged(syn.get("model", "static_synapse"), syn.get("params", {}))
        conns.append({**c, "synapse": {**syn, "model": model, "params": params}})
    return {
        **{k: v for k, v in data.items() if k != "copy_models"},
        "nodes": nodes,
        "connections": conns,
    }


def engine_project(data: dict):
    """The case as a spikedesk Project (built from the dataclasses, as the other validation
    tests: they depend on the engine contract, not on the file reader)."""
    copy_model = getattr(project_module, "CopyModel", None)
    if copy_model is None or not data.get("copy_models"):
        # before format-v2's Project.copy_models: the test resolves them as the driver would
        return build_project(resolve_copy_models(data))
    copies = {
        name: copy_model(model=c["model"], params=frozen_map(c.get("params", {})))
        for name, c in data["copy_models"].items()
    }
    return replace(build_project(data), copy_models=frozen_map(copies))


def missing_models(data: dict) -> list[str]:
    implemented = _core.models()
    used = {root_model(data, n["model"]) for n in data["nodes"]}
    used |= {
        root_model(data, c.get("synapse", {}).get("model", "static_synapse"))
        for c in data.get("connections", [])
    }
    used.discard("static_synapse")  # the engine's own (a registered model since issue 10)
    return sorted(m for m in used if m not in implemented)


def skip_unless_implemented(name: str, data: dict) -> None:
    if name in PENDING:
        pytest.skip(PENDING[name])
    lacking = missing_models(data)
    if lacking:
        pytest.skip(f"engine has no {', '.join(lacking)}")


def weight_order(fields: dict) -> dict[str, np.ndarray]:
    order = np.lexsort((fields["weights"], fields["targets"], fields["senders"], fields["times"]))
    return {k: np.asarray(v)[order] for k, v in fields.items()}


def compare_weights(got: dict, want: dict, what: str, rtol: float = 1e-6) -> None:
    got, want = weight_order(got), weight_order(want)
    assert len(got["times"]) == len(want["times"]), (
        f"{what}: {len(got['times'])} weight events, NEST {len(want['times'])}"
    )
    np.testing.assert_allclose(got["times"], want["times"], rtol=0, atol=1e-9, err_msg=what)
    np.testing.assert_array_equal(got["senders"], want["senders"], err_msg=f"{what} senders")
    np.testing.assert_array_equal(got["targets"], want["targets"], err_msg=f"{what} targets")
    scale = max(1.0, float(np.abs(want["weights"]).max(initial=0.0)))
    np.testing.assert_allclose(
        got["weights"], want["weights"], rtol=rtol, atol=1e-9 * scale, err_msg=f"{what} weights"
    )


def compare_spikes(got: dict, want: dict, resolution: float, what: str, ode=False) -> None:
    got, want = sorted_fields(got), sorted_fields(want)
    np.testing.assert_array_equal(got["senders"], want["senders"], err_msg=f"{what} senders")
    if ode:
        np.testing.assert_allclose(got["times"], want["times"], rtol=0, atol=0.1 + 1e-9)
        return
    np.testing.assert_array_equal(
        np.rint(got["times"] / resolution), np.rint(want["times"] / resolution), err_msg=what
    )


def compare_samples(got: dict, want: dict, what: str, ode=False) -> None:
    got, want = sorted_fields(got), sorted_fields(want)
    keep = got["times"] <= want["times"].max() + 1e-9  # NEST holds back the last min_delay
    got = {k: v[keep] for k, v in got.items()}
    assert len(got["times"]) == len(want["times"]), f"{what}: sample counts differ"
    np.testing.assert_allclose(got["times"], want["times"], rtol=0, atol=1e-9, err_msg=what)
    np.testing.assert_array_equal(got["senders"], want["senders"], err_msg=f"{what} senders")
    for name in want:
        if name not in ("times", "senders") and ode:
            rms = float(np.sqrt(np.mean((got[name] - want[name]) ** 2)))
            assert rms <= 0.1, f"{what}.{name}: RMS difference {rms:.3g} > 0.1"
        elif name not in ("times", "senders"):
            np.testing.assert_allclose(
                got[name], want[name], rtol=1e-9, atol=1e-9, err_msg=f"{what}.{name}"
            )


def recorder_kind(data: dict, node_id: str) -> str:
    model = root_model(data, next(n for n in data["nodes"] if n["id"] == node_id)["model"])
    return {"weight_recorder": "weights", "spike_recorder": "spikes"}.get(model, "samples")


def run_with_tables(project, threads: int):
    """``simulate(project, connections=True)`` (format-v2's Python API for the synapses after
    the run); a plain run while simulate does not take ``connections``."""
    if "connections" in inspect.signature(simulate).parameters:
        return simulate(project, threads=threads, connections=True)
    return simulate(project, threads=threads)


def engine_connections(results) -> dict | None:
    """The engine's connection tables after the run, {connection id: {sources, targets,
    weights, delays}} (``Results.connections``); None while the API is missing."""
    return getattr(results, "connections", None)


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("case", CASES)
def test_matches_nest(case: str, threads: int, reference: dict) -> None:
    entry = MANIFEST["cases"][case]
    data = entry["project"]
    skip_unless_implemented(case, data)
    project = engine_project(data)
    results = simulate(project, threads=threads)
    for node_id, (first, size) in entry["node_ids"].items():
        assert tuple(results.node_ids[node_id]) == (first, size), f"global ids of {node_id}"
    for recorder in entry["events_per_recorder"]:
        want = expected(reference, f"{case}/{recorder}")
        got = results.events[recorder]
        kind = recorder_kind(data, recorder)
        what = f"{case} {recorder} ({threads} threads)"
        ode = entry.get("numerics") == "ode"
        if kind == "weights":
            compare_weights(got, want, what, rtol=1e-4 if ode else 1e-6)
        elif kind == "spikes":
            compare_spikes(got, want, project.simulation.resolution, what, ode=ode)
        else:
            compare_samples(got, want, what, ode=ode)


@pytest.mark.parametrize("case", CASES)
def test_final_connections_match_nest(case: str, reference: dict) -> None:
    entry = MANIFEST["cases"][case]
    data = entry["project"]
    skip_unless_implemented(case, data)
    results = run_with_tables(engine_project(data), threads=2)
    tables = engine_connections(results)
    if tables is None:
        pytest.skip("the engine's Python API has no connection tables yet (Results.connections)")
    for cid in entry["connections"]:
        want = expected(reference, f"{case}/connections/{cid}")
        got = {k: np.asarray(v) for k, v in tables[cid].items()}
        order = np.lexsort((got["weights"], got["delays"], got["targets"], got["sources"]))
        got = {k: v[order] for k, v in got.items()}
        for name in ("sources", "targets"):
            np.testing.assert_array_equal(got[name], want[name], err_msg=f"{cid}.{name}")
        np.testing.assert_allclose(got["delays"], want["delays"], atol=1e-9, err_msg=cid)
        rtol = 1e-4 if entry.get("numerics") == "ode" else 1e-6
        np.testing.assert_allclose(
            got["weights"], want["weights"], rtol=rtol, atol=1e-9, err_msg=f"{cid}.weights"
        )


# one case per model (the others differ only in spike trains and parameters)
# gap junctions run on one rank (the engine refuses them on more)
RANK_CASES = [
    c for c in CASES if not c.endswith(("_trains", "_clipping")) and not c.startswith("gap_")
]


@pytest.mark.parametrize("case", RANK_CASES)
def test_ranks_give_the_embedded_events(case: str) -> None:
    data = MANIFEST["cases"][case]["project"]
    skip_unless_implemented(case, data)
    assert_rank_invariant(engine_project(data), layouts=((2, 1), (3, 2)))


def run_statistics(name: str, threads: int = 1):
    entry = STATISTICS[name]
    skip_unless_implemented(name, entry["project"])
    return entry, simulate(engine_project(entry["project"]), threads=threads)


def test_bernoulli_transmits_the_fraction_p() -> None:
    entry, results = run_statistics("bernoulli_synapse_statistics")
    p, n = entry["p_transmit"], entry["n_trials"]
    sd = np.sqrt(p * (1 - p) / n)
    wr = results.events["wr"]
    fraction = len(wr["times"]) / n
    assert abs(entry["nest"]["fraction"] - p) < 4.5 * sd  # NEST's own run, for scale
    assert abs(fraction - p) < 4.5 * sd, f"transmitted {fraction:.4f}, p {p} (sd {sd:.4f})"
    assert set(np.unique(wr["weights"]).tolist()) <= {entry["weight"]}
    # each transmission is one spike of a post parrot
    assert len(results.events["spikes"]["times"]) == len(wr["times"])


def test_bernoulli_is_thread_invariant() -> None:
    _, one = run_statistics("bernoulli_synapse_statistics", threads=1)
    _, four = run_statistics("bernoulli_synapse_statistics", threads=4)
    a, b = weight_order(one.events["wr"]), weight_order(four.events["wr"])
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def release_per_spike(events: dict, train: list[float], synapses: int):
    means, sds = [], []
    for t in train:
        w = events["weights"][np.abs(events["times"] - t) < 1e-6]
        full = np.zeros(synapses)
        full[: len(w)] = w
        means.append(full.mean())
        sds.append(full.std())
    return np.asarray(means), np.asarray(sds)


QUANTAL = sorted(name for name in STATISTICS if name.startswith("quantal_stp_synapse"))


@pytest.mark.parametrize("name", QUANTAL)
def test_quantal_stp_mean_release_follows_the_expectation(name: str) -> None:
    """The exact expectation starts from NEST's state: in ``quantal_stp_synapse_defaults`` n and
    U are given but a and u are not, and NEST starts from a = 1, u = 0.5."""
    entry, results = run_statistics(name)
    theory = np.asarray(entry["theory_mean_release"])
    n = entry["synapses"]
    for label, (mean, sd) in {
        "NEST": (
            np.asarray(entry["nest"]["mean_release"]),
            np.asarray(entry["nest"]["std_release"]),
        ),
        "spikedesk": release_per_spike(results.events["wr"], entry["train"], n),
    }.items():
        z = (mean - theory) / (np.maximum(sd, 1e-12) / np.sqrt(n))
        chi2 = float(np.sum(z**2))
        # 22 spikes: chi2 mean 22, sd 6.6 (the spikes of one synapse are correlated: loose bound)
        assert np.abs(z).max() < 4.5 and chi2 < 22 + 6 * 6.6, f"{label}: z {np.round(z, 2)}"


@pytest.mark.parametrize("name", QUANTAL)
def test_quantal_stp_is_thread_invariant(name: str) -> None:
    _, one = run_statistics(name, threads=1)
    _, two = run_statistics(name, threads=2)
    a, b = weight_order(one.events["wr"]), weight_order(two.events["wr"])
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
