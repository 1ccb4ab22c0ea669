"""Generate NEST 3.10 reference traces of iaf_cond_alpha (run by hand, output committed).

    .venv/bin/python tools/reference/make_cond_traces.py

Writes tests/data/reference/cond_traces.json (manifest in the layout of traces.json: every
case as a spikedesk project dict, NEST's global ids, events per recorder) and
tests/data/reference/cond_traces.npz (``<case>/<recorder>/<field>`` arrays, float64).
Every input is deterministic: the "Poisson" trains are drawn here once with a fixed NumPy
seed and handed to spike_generators, so NEST and spikedesk see the same spike times.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_traces import conn, node, project  # noqa: E402
from nest_runner import run_project  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"
MODEL = "iaf_cond_alpha"
RECORD = ["V_m", "g_ex", "g_in"]


def recorders(targets: list[str]) -> tuple[list[dict], list[dict]]:
    nodes = [
        node("spikes", "spike_recorder"),
        node("vm", "multimeter", interval=0.1, record_from=RECORD),
    ]
    conns = []
    for t in targets:
        conns.append(conn(f"{t}-spikes", t, "spikes"))
        conns.append(conn(f"vm-{t}", "vm", t))
    return nodes, conns


def dc_case() -> dict:
    nodes = [
        node("strong", MODEL),
        node("weak", MODEL, V_m=-65.0),
        node("dc_strong", "dc_generator", amplitude=500.0, start=20.0, stop=150.0),
        node("dc_weak", "dc_generator", amplitude=200.0, origin=10.0, start=20.0, stop=120.0),
    ]
    rec_nodes, rec_conns = recorders(["strong", "weak"])
    conns = [
        conn("dc1", "dc_strong", "strong", 1.0, 1.0),
        conn("dc2", "dc_weak", "weak", 1.0, 0.1),
        *rec_conns,
    ]
    return project(
        f"{MODEL}_dc",
        "dc_generator 500 pA on [20,150) ms (delay 1.0 ms) spikes repeatedly; 200 pA with"
        " origin 10, start 20, stop 120 (delay 0.1 ms) stays subthreshold, from V_m = -65 mV",
        200.0,
        nodes + rec_nodes,
        conns,
    )


def spike_input_case() -> dict:
    nodes = [
        node("n", MODEL),
        node("slow", MODEL, tau_syn_ex=1.5, tau_syn_in=5.0, t_ref=5.0, E_in=-80.0, I_e=100.0),
        node("sg_ex", "spike_generator", spike_times=[5.0, 12.3, 20.0, 20.0, 21.0, 22.0, 60.0]),
        node("sg_in", "spike_generator", spike_times=[20.0, 40.0, 40.5, 70.0]),
        node(
            "sg_mix",
            "spike_generator",
            spike_times=[30.0, 30.1, 30.2, 30.3, 30.4],
            spike_weights=[1.0, 2.0, 1.5, 1.0, 0.5],
        ),
    ]
    rec_nodes, rec_conns = recorders(["n", "slow"])
    conns = []
    for target in ("n", "slow"):
        conns += [
            conn(f"ex-{target}", "sg_ex", target, 120.0, 1.0),
            conn(f"in-{target}", "sg_in", target, -40.0, 2.0),
            conn(f"mix-{target}", "sg_mix", target, 80.0, 1.5),
        ]
    return project(
        f"{MODEL}_spikes",
        "spike_generator input in nS: two excitatory spikes at 20.0 (same step), excitatory"
        " 21.0 (delay 1 ms) and inhibitory 20.0 (delay 2 ms) arriving in the same step, a"
        " spike_weights train every step from 30.0; default neuron and one with slow synapses,"
        " t_ref 5 ms, E_in -80 mV and I_e 100 pA; both spike",
        100.0,
        nodes + rec_nodes,
        conns + rec_conns,
    )


def poisson_trains(seed: int, rates: list[float], duration: float) -> list[list[float]]:
    """Poisson spike times on the 0.1 ms grid (one spike per step at most), rounded to 1e-1."""
    rng = np.random.default_rng(seed)
    trains = []
    for rate in rates:
        steps = np.arange(1, int(round(duration / 0.1)))
        keep = rng.random(len(steps)) < rate * 1e-4
        trains.append([round(float(s) * 0.1, 1) for s in steps[keep]])
    return trains


def poisson_case() -> dict:
    duration = 400.0
    ex1, ex2, inh = poisson_trains(20240611, [3000.0, 2000.0, 1500.0], duration - 5.0)
    nodes = [
        node("pop", MODEL, 4, I_e=[0.0, 50.0, 100.0, 150.0], V_m=[-70.0, -65.0, -60.0, -58.0]),
        node("sg_ex1", "spike_generator", spike_times=ex1),
        node("sg_ex2", "spike_generator", spike_times=ex2),
        node("sg_in", "spike_generator", spike_times=inh),
        node("dc", "dc_generator", amplitude=60.0, start=100.0, stop=300.0),
    ]
    rec_nodes, rec_conns = recorders(["pop"])
    conns = [
        conn("ex1", "sg_ex1", "pop", 4.0, 1.0),
        conn("ex2", "sg_ex2", "pop", 8.0, 1.5),
        conn("in", "sg_in", "pop", -2.0, 1.0),
        conn("dc-pop", "dc", "pop", 1.0, 1.0),
        *rec_conns,
    ]
    return project(
        f"{MODEL}_poisson",
        "4 neurons (I_e 0..150 pA, different initial V_m) driven by three fixed Poisson-like"
        " trains (3000, 2000 Hz excitatory 4 and 8 nS, 1500 Hz inhibitory 2 nS, drawn with"
        " NumPy seed 20240611) plus a 60 pA dc_generator on [100, 300) ms; irregular spiking",
        duration,
        nodes + rec_nodes,
        conns,
    )


def main() -> None:
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_cond_traces.py",
        "nest_version": "3.10.0",
        "layout": "cond_traces.npz holds '<case>/<recorder>/<field>' arrays (NEST events layout)",
        "recorder_wiring": "voltmeter/multimeter -> neuron; neuron -> spike_recorder",
        "cases": {},
    }
    for proj in (dc_case(), spike_input_case(), poisson_case()):
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
        print(proj["name"], nspk, result["events"]["spikes"]["times"][:12])
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "cond_traces.npz", **arrays)
    (out / "cond_traces.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
