"""Generate NEST 3.10 reference traces for tests/validation (run by hand, output committed).

    .venv/bin/python tools/reference/make_traces.py

Writes tests/data/reference/traces.json (manifest: every case as a spikedesk project dict
plus a description) and tests/data/reference/traces.npz (``<case>/<recorder>/<field>``
arrays at full float64 precision). Cases are deterministic (no random input) except
``poisson_parrot``, whose NEST summary statistics are stored instead of a trace.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nest_runner import run_project  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"
PSC_MODELS = ("iaf_psc_delta", "iaf_psc_alpha", "iaf_psc_exp")


def node(node_id: str, model: str, size: int = 1, **params) -> dict:
    return {"id": node_id, "model": model, "size": size, "params": params}


def conn(cid: str, source: str, target: str, weight=1.0, delay=1.0, rule="all_to_all") -> dict:
    return {
        "id": cid,
        "source": source,
        "target": target,
        "rule": {"rule": rule, "params": {}},
        "synapse": {"model": "static_synapse", "weight": weight, "delay": delay},
    }


def recorders(model: str, targets: list[str]) -> tuple[list[dict], list[dict]]:
    """Spike recorder + voltmeter (iaf_psc_delta) or multimeter with synaptic currents."""
    if model == "iaf_psc_delta":
        rec = node("vm", "voltmeter", interval=0.1)
    else:
        rec = node("vm", "multimeter", interval=0.1, record_from=["V_m", "I_syn_ex", "I_syn_in"])
    nodes = [node("spikes", "spike_recorder"), rec]
    conns = []
    for t in targets:
        conns.append(conn(f"{t}-spikes", t, "spikes"))
        conns.append(conn(f"vm-{t}", "vm", t))
    return nodes, conns


def project(name: str, description: str, duration: float, nodes, conns) -> dict:
    return {
        "name": name,
        "description": description,
        "simulation": {"duration": duration, "resolution": 0.1, "seed": 1, "threads": 1},
        "nodes": nodes,
        "connections": conns,
    }


def dc_case(model: str) -> dict:
    nodes = [
        node("strong", model),
        node("weak", model),
        node("dc_strong", "dc_generator", amplitude=500.0, start=20.0, stop=150.0),
        node("dc_weak", "dc_generator", amplitude=300.0, origin=10.0, start=20.0, stop=120.0),
    ]
    rec_nodes, rec_conns = recorders(model, ["strong", "weak"])
    conns = [
        conn("dc1", "dc_strong", "strong", 1.0, 1.0),
        conn("dc2", "dc_weak", "weak", 1.0, 0.1),
        *rec_conns,
    ]
    return project(
        f"{model}_dc",
        "dc_generator 500 pA on [20,150) ms (delay 1.0 ms) spikes several times; 300 pA with"
        " origin 10, start 20, stop 120 (delay 0.1 ms) stays subthreshold",
        200.0,
        nodes + rec_nodes,
        conns,
    )


def spike_input_case(model: str, tau_equal: bool = False) -> dict:
    delta = model == "iaf_psc_delta"
    w_ex, w_in = (6.0, -4.0) if delta else (700.0, -500.0)
    extra = {"tau_syn_ex": 10.0, "tau_syn_in": 10.0, "tau_m": 10.0} if tau_equal else {}
    nodes = [
        node("n", model, **extra),
        node("sg_ex", "spike_generator", spike_times=[5.0, 12.3, 20.0, 20.0, 21.0, 22.0, 60.0]),
        node("sg_in", "spike_generator", spike_times=[20.0, 40.0, 40.5]),
        node(
            "sg_mix",
            "spike_generator",
            spike_times=[30.0, 30.1, 30.2, 30.3, 30.4],
            spike_weights=[1.0, 2.0, 1.5, 1.0, 0.5],
        ),
    ]
    rec_nodes, rec_conns = recorders(model, ["n"])
    conns = [
        conn("ex", "sg_ex", "n", w_ex, 1.0),
        conn("in", "sg_in", "n", w_in, 2.0),
        conn("mix", "sg_mix", "n", w_ex, 1.5),
        *rec_conns,
    ]
    suffix = "_tau_equal" if tau_equal else "_spikes"
    what = "tau_m == tau_syn_ex == tau_syn_in == 10 ms; " if tau_equal else ""
    return project(
        f"{model}{suffix}",
        what + "spike_generator input: two excitatory spikes at 20.0 (same step), excitatory 21.0"
        " (delay 1 ms) and inhibitory 20.0 (delay 2 ms) arriving in the same step, a"
        " spike_weights train every step from 30.0; strong enough to spike",
        100.0,
        nodes + rec_nodes,
        conns,
    )


def ie_case(model: str) -> dict:
    nodes = [node("n", model, I_e=600.0, t_ref=5.0, V_reset=-65.0)]
    rec_nodes, rec_conns = recorders(model, ["n"])
    return project(
        f"{model}_ie_refractory",
        "I_e = 600 pA only, t_ref = 5 ms, V_reset = -65 mV: regular firing with refractoriness",
        150.0,
        nodes + rec_nodes,
        rec_conns,
    )


def step_current_case() -> dict:
    model = "iaf_psc_alpha"
    nodes = [
        node("n", model),
        node(
            "scg",
            "step_current_generator",
            amplitude_times=[10.0, 40.0, 80.0, 120.0],
            amplitude_values=[450.0, -100.0, 600.0, 0.0],
            start=5.0,
            stop=130.0,
        ),
    ]
    rec_nodes, rec_conns = recorders(model, ["n"])
    return project(
        "step_current_generator",
        "step_current_generator (450, -100, 600, 0 pA at 10, 40, 80, 120 ms; start 5,"
        " stop 130) into iaf_psc_alpha",
        150.0,
        nodes + rec_nodes,
        [conn("scg-n", "scg", "n", 1.0, 1.0), *rec_conns],
    )


def ac_case() -> dict:
    model = "iaf_psc_exp"
    nodes = [
        node("n", model),
        node(
            "ac",
            "ac_generator",
            amplitude=250.0,
            offset=300.0,
            frequency=25.0,
            phase=30.0,
            start=10.0,
            stop=180.0,
        ),
    ]
    rec_nodes, rec_conns = recorders(model, ["n"])
    return project(
        "ac_generator",
        "ac_generator (offset 300 pA, amplitude 250 pA, 25 Hz, phase 30 deg, start 10,"
        " stop 180) into iaf_psc_exp",
        200.0,
        nodes + rec_nodes,
        [conn("ac-n", "ac", "n", 1.0, 1.0), *rec_conns],
    )


def poisson_case() -> dict:
    nodes = [
        node("pg", "poisson_generator", rate=40.0, start=100.0, stop=900.0),
        node("parrots", "parrot_neuron", 200),
        node("spikes", "spike_recorder"),
    ]
    conns = [
        conn("pg-parrots", "pg", "parrots", 1.0, 1.0),
        conn("parrots-spikes", "parrots", "spikes", 1.0, 1.0),
    ]
    return project(
        "poisson_parrot",
        "poisson_generator 40 spikes/s on [100, 900) ms into 200 parrot_neurons (an independent"
        " train per target); statistics, not traces, are compared",
        1000.0,
        nodes,
        conns,
    )


def poisson_stats(events: dict, n: int, t0: float, t1: float) -> dict:
    times, senders = events["times"], events["senders"]
    counts = np.bincount(senders - senders.min(), minlength=n) if len(senders) else np.zeros(n)
    cvs = []
    for s in np.unique(senders):
        isi = np.diff(np.sort(times[senders == s]))
        if len(isi) > 2:
            cvs.append(isi.std() / isi.mean())
    return {
        "n_spikes": int(len(times)),
        "mean_rate": float(len(times) / n / ((t1 - t0) / 1000.0)),
        "count_fano": float(counts.var() / counts.mean()),
        "mean_cv_isi": float(np.mean(cvs)),
        "first_time": float(times.min()),
        "last_time": float(times.max()),
    }


def main() -> None:
    cases = []
    for model in PSC_MODELS:
        cases += [dc_case(model), spike_input_case(model), ie_case(model)]
    cases += [spike_input_case("iaf_psc_alpha", True), spike_input_case("iaf_psc_exp", True)]
    cases += [step_current_case(), ac_case()]
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_traces.py",
        "nest_version": "3.10.0",
        "layout": "traces.npz holds '<case>/<recorder>/<field>' arrays (NEST events layout)",
        "recorder_wiring": "voltmeter/multimeter -> neuron; neuron -> spike_recorder",
        "cases": {},
        "statistics": {},
    }
    for proj in cases:
        result = run_project(proj)
        for rec, fields in result["events"].items():
            for field, values in fields.items():
                arrays[f"{proj['name']}/{rec}/{field}"] = values
        nspk = {r: len(f["times"]) for r, f in result["events"].items()}
        manifest["cases"][proj["name"]] = {
            "project": proj,
            "node_ids": result["node_ids"],
            "events_per_recorder": nspk,
        }
        print(proj["name"], nspk, result["events"].get("spikes", {}).get("times"))
    proj = poisson_case()
    result = run_project(proj)
    stats = poisson_stats(result["events"]["spikes"], 200, 100.0, 900.0)
    manifest["statistics"][proj["name"]] = {"project": proj, "nest": stats}
    print(proj["name"], stats)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "traces.npz", **arrays)
    (OUT / "traces.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
