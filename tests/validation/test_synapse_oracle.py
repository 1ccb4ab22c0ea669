"""The plain-Python statement of NEST's plastic synapses (tools/reference/synapse_oracle.py,
written from NEST's source) reproduces NEST 3.10's recorded weights in the committed reference
data (tests/data/reference/synapse_traces.*): a check of the reading the engine implements,
independent of the engine."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from validation_projects import REFERENCE, load_manifest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "reference"))
import synapse_oracle as oracle  # noqa: E402

MANIFEST = load_manifest("synapse_traces.json")
CASES = sorted(MANIFEST["cases"])
ORACLE_MODELS = (
    "stdp_synapse stdp_synapse_hom stdp_nn_symm_synapse stdp_nn_pre_centered_synapse "
    "stdp_nn_restr_synapse stdp_pl_synapse_hom stdp_triplet_synapse vogels_sprekeler_synapse "
    "stdp_dopamine_synapse tsodyks_synapse tsodyks2_synapse"
).split()
NO_ORACLE = ("static_synapse_hom_w", "clopath_synapse_pairing", "gap_junction_two_neurons")


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE / "synapse_traces.npz") as data:
        return {key: data[key] for key in data.files}


def resolved(project: dict, model: str, params: dict) -> tuple[str, dict]:
    """A copy model's root model and its defaults merged under ``params``."""
    copies = project.get("copy_models", {})
    chain = []
    while model in copies:
        chain.append(copies[model].get("params", {}))
        model = copies[model]["model"]
    merged = {}
    for p in reversed(chain):
        merged.update(p)
    merged.update(params)
    return model, merged


def node_of(project: dict, node_id: str) -> dict:
    return next(n for n in project["nodes"] if n["id"] == node_id)


def spike_trains(reference, case, entry, node_id) -> list[list[float]]:
    first, size = entry["node_ids"][node_id]
    senders = reference[f"{case}/spikes/senders"]
    times = reference[f"{case}/spikes/times"]
    return [sorted(times[senders == first + i].tolist()) for i in range(size)]


def min_delay(project: dict) -> float:
    return min(
        c["synapse"].get("delay", 1.0)
        for c in project["connections"]
        if node_of(project, c["source"])["model"] not in ("multimeter", "voltmeter")
    )


@pytest.mark.parametrize("case", CASES)
def test_oracle_reproduces_nest(case: str, reference: dict) -> None:
    entry = MANIFEST["cases"][case]
    project = entry["project"]
    checked = 0
    for conn in project["connections"]:
        syn = conn["synapse"]
        model, params = resolved(project, syn["model"], syn.get("params", {}))
        wr = params.get("weight_recorder")
        if wr is None or model not in ORACLE_MODELS:
            continue
        pre_trains = spike_trains(reference, case, entry, conn["source"])
        target = node_of(project, conn["target"])
        first_pre = entry["node_ids"][conn["source"]][0]
        first_post = entry["node_ids"][conn["target"]][0]
        senders = reference[f"{case}/{wr}/senders"]
        targets = reference[f"{case}/{wr}/targets"]
        weights = reference[f"{case}/{wr}/weights"]
        times = reference[f"{case}/{wr}/times"]
        pairs = (
            [(i, i) for i in range(len(pre_trains))]
            if conn["rule"]["rule"] == "one_to_one"
            else [(i, j) for i in range(len(pre_trains)) for j in range(target.get("size", 1))]
        )
        for i, j in pairs:
            pre = pre_trains[i]
            mine = (senders == first_pre + i) & (targets == first_post + j)
            np.testing.assert_allclose(times[mine], pre, atol=1e-9, err_msg="wr times = pre spikes")
            w0 = syn["weight"]
            if model in ("tsodyks_synapse", "tsodyks2_synapse"):
                fn = oracle.tsodyks if model == "tsodyks_synapse" else oracle.tsodyks2
                got = fn(pre, w0, params)
            else:
                tp = target.get("params", {})
                post = oracle.Post(
                    spike_trains(reference, case, entry, conn["target"])[j],
                    tp.get("tau_minus", 20.0),
                    tp.get("tau_minus_triplet", 110.0),
                )
                if model == "stdp_dopamine_synapse":
                    vt = params["volume_transmitter"]
                    feed = next(c for c in project["connections"] if c["target"] == vt)
                    gen = next(c for c in project["connections"] if c["target"] == feed["source"])
                    dopa = [
                        t + gen["synapse"]["delay"]  # the dopamine parrot's spikes
                        for t in node_of(project, gen["source"])["params"]["spike_times"]
                    ]
                    arrivals = [(t + feed["synapse"]["delay"], 1) for t in dopa]
                    got, _ = oracle.dopamine(
                        pre,
                        post,
                        syn["delay"],
                        w0,
                        params,
                        arrivals,
                        resolution=project["simulation"]["resolution"],
                        min_delay=min_delay(project),
                        deliver_interval=node_of(project, vt)
                        .get("params", {})
                        .get("deliver_interval", 1),
                        duration=project["simulation"]["duration"],
                    )
                else:
                    got, _ = oracle.stdp(model, pre, post, syn["delay"], w0, params)
            np.testing.assert_allclose(
                got,
                weights[mine],
                rtol=1e-12,
                atol=1e-12,
                err_msg=f"{conn['id']} pair {i}->{j}",
            )
            checked += 1
    if case in NO_ORACLE:
        assert not checked
    else:
        assert checked, "no plastic connection checked"
