"""Generate NEST 3.10 reference data for the stimulating devices (run by hand, output committed).

    .venv/bin/python tools/reference/make_device_traces.py

Writes tests/data/reference/device_traces.json (every case as a spikedesk project dict, NEST's
global ids and event counts; ``statistics``: NEST's summary of stochastic cases) and
tests/data/reference/device_traces.npz (``<case>/<recorder>/<field>`` arrays, float64,
``senders`` int64). Deterministic cases: per-device values inside one node (dc_generator
amplitudes and windows seen through each neuron's V_m, spike_generator lists per device),
spike_train_injector (its own spikes recorded, and their effect on a neuron), pulse packets
with sdev 0 (exact times, multiplicities, window). Statistics: pulse packets with sdev > 0.
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


def one_to_one(cid: str, source: str, target: str, weight=1.0, delay=1.0) -> dict:
    c = conn(cid, source, target, weight, delay)
    c["rule"]["rule"] = "one_to_one"
    return c


def sampled(neurons: str) -> tuple[list[dict], list[dict]]:
    nodes = [
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=0.1, record_from=["V_m"]),
    ]
    return nodes, [conn("n-spikes", neurons, "spikes"), conn("mm-n", "mm", neurons)]


def dc_per_device() -> dict:
    nodes = [
        node("n", "iaf_psc_alpha", 3),
        node(
            "dc",
            "dc_generator",
            3,
            amplitude=[100.0, 300.0, 500.0],
            start=[0.0, 10.0, 20.0],
            stop=[150.0, 150.0, 120.0],
        ),
    ]
    rec_nodes, rec_conns = sampled("n")
    return project(
        "dc_per_device",
        "one dc_generator node of 3 devices (amplitude 100, 300, 500 pA; start 0, 10, 20; stop"
        " 150, 150, 120 ms), one_to_one into 3 iaf_psc_alpha: each neuron sees its own device",
        200.0,
        nodes + rec_nodes,
        [one_to_one("dc-n", "dc", "n", 1.0, 1.0), *rec_conns],
    )


def spike_generator_per_device() -> dict:
    nodes = [
        node("n", "iaf_psc_exp", 2),
        node(
            "sg",
            "spike_generator",
            2,
            spike_times=[[5.0, 10.0, 10.5], [7.5, 12.0, 30.0, 30.1]],
            spike_weights=[[1.0, 2.0, -1.0], [1.0, 1.0, 3.0, 3.0]],
        ),
    ]
    rec_nodes, rec_conns = sampled("n")
    return project(
        "spike_generator_per_device",
        "one spike_generator node of 2 devices, each with its own spike_times and spike_weights,"
        " one_to_one into 2 iaf_psc_exp (weight 200 pA)",
        50.0,
        nodes + rec_nodes,
        [one_to_one("sg-n", "sg", "n", 200.0, 1.0), *rec_conns],
    )


def spike_train_injector() -> dict:
    nodes = [
        node(
            "sti",
            "spike_train_injector",
            3,
            spike_times=[[1.0, 5.5, 10.0, 30.0], [2.0, 3.0, 3.1, 20.3], [4.0, 4.0]],
            start=[0.0, 2.5, 0.0],
            stop=[25.0, 25.0, 25.0],
        ),
        node("n", "iaf_psc_alpha", 1),
        node("sti_spikes", "spike_recorder"),
    ]
    rec_nodes, rec_conns = sampled("n")
    return project(
        "spike_train_injector",
        "spike_train_injector of 3 neurons, each its own spike_times (neuron 2 has two spikes at"
        " 4.0), per-neuron start, stop 25 ms; its spikes recorded by a spike_recorder and sent"
        " to an iaf_psc_alpha (500 pA, delay 1.5 ms)",
        40.0,
        nodes + rec_nodes,
        [
            conn("sti-rec", "sti", "sti_spikes"),
            conn("sti-n", "sti", "n", 500.0, 1.5),
            *rec_conns,
        ],
    )


def spike_train_injector_precise() -> dict:
    nodes = [
        node(
            "sti",
            "spike_train_injector",
            2,
            spike_times=[[1.23, 4.567, 10.0], [2.0001, 7.25]],
            precise_times=True,
        ),
        node("n", "iaf_psc_alpha_ps", 1),
        node("sti_spikes", "spike_recorder"),
    ]
    rec_nodes, rec_conns = sampled("n")
    return project(
        "spike_train_injector_precise",
        "spike_train_injector with precise_times and off-grid times, recorded by a"
        " spike_recorder (off-grid times) and sent to an iaf_psc_alpha_ps (800 pA, delay 1 ms)",
        20.0,
        nodes + rec_nodes,
        [
            conn("sti-rec", "sti", "sti_spikes"),
            conn("sti-n", "sti", "n", 800.0, 1.0),
            *rec_conns,
        ],
    )


def pulsepacket_exact() -> dict:
    nodes = [
        node(
            "pp",
            "pulsepacket_generator",
            2,
            pulse_times=[[10.0, 30.0, 12.34], [20.0]],
            activity=[3, 2],
            sdev=0.0,
            start=5.0,
            stop=25.0,
        ),
        node("parrots", "parrot_neuron", 2),
        node("spikes", "spike_recorder"),
    ]
    return project(
        "pulsepacket_exact",
        "pulsepacket_generator node of 2 devices with sdev 0 (own pulse_times and activity; the"
        " pulse at 30 ms lies outside start 5, stop 25), one_to_one into 2 parrot_neurons",
        40.0,
        nodes,
        [one_to_one("pp-p", "pp", "parrots", 1.0, 1.0), conn("p-s", "parrots", "spikes")],
    )


def pulsepacket_spread() -> dict:
    nodes = [
        node(
            "pp", "pulsepacket_generator", pulse_times=[50.0, 150.0, 250.0], activity=400, sdev=3.0
        ),
        node("parrot", "parrot_neuron", 1),
        node("spikes", "spike_recorder"),
    ]
    return project(
        "pulsepacket_spread",
        "pulsepacket_generator, 400 spikes per pulse with sdev 3 ms around 50, 150, 250 ms, into"
        " a parrot_neuron; statistics, not traces, are compared",
        300.0,
        nodes,
        [conn("pp-p", "pp", "parrot", 1.0, 1.0), conn("p-s", "parrot", "spikes")],
    )


def into_parrots(name: str, description: str, generator: dict, n: int, duration: float) -> dict:
    nodes = [generator, node("p", "parrot_neuron", n), node("spikes", "spike_recorder")]
    conns = [conn("g-p", generator["id"], "p", 1.0, 1.0), conn("p-s", "p", "spikes")]
    return project(name, description, duration, nodes, conns)


# name -> (generator, parrots, duration, what is measured); one_to_one would not matter: every
# parrot gets its own train (mip: a copy of the mother train)
TRAIN_CASES = {
    "sinusoidal_poisson_psth": (
        node("g", "sinusoidal_poisson_generator", rate=50.0, amplitude=30.0, frequency=10.0,
             phase=45.0),
        200, 2000.0, "sine fit of the PSTH at 10 Hz (1 ms bins): mean, amplitude, phase",
    ),
    "sinusoidal_gamma_psth": (
        node("g", "sinusoidal_gamma_generator", rate=40.0, amplitude=20.0, frequency=4.0,
             phase=90.0, order=3.0),
        200, 2500.0, "sine fit of the PSTH at 4 Hz",
    ),
    "sinusoidal_gamma_cv": (
        node("g", "sinusoidal_gamma_generator", rate=40.0, order=4.0),
        40, 5000.0, "rate and CV of ISI (1 / sqrt(order) = 0.5)",
    ),
    "gamma_sup_cv": (
        node("g", "gamma_sup_generator", rate=30.0, gamma_shape=3, n_proc=1),
        30, 6000.0, "rate and CV of ISI (1 / sqrt(3))",
    ),
    "ppd_sup_cv": (
        node("g", "ppd_sup_generator", rate=50.0, dead_time=5.0, n_proc=1),
        30, 6000.0, "rate, CV of ISI (1 - rate dead_time = 0.75) and the shortest interval",
    ),
    "mip_correlation": (
        node("g", "mip_generator", rate=200.0, p_copy=0.3),
        6, 20000.0, "rate per train and mean pairwise count correlation (5 ms bins) = p_copy",
    ),
}  # fmt: skip


def train_stats(times: np.ndarray, senders: np.ndarray, n: int, duration: float, freq) -> dict:
    """What tests/validation/test_nest_device_traces.py measures on spikedesk's trains too."""
    times = times - 1.0  # the parrots' 1 ms delay
    first = int(senders.min())
    trains = [times[senders == first + i] for i in range(n)]
    isis = [np.diff(t) for t in trains]
    out = {
        "rate": float(len(times) / n / (duration / 1000.0)),
        "cv": float(np.mean([d.std() / d.mean() for d in isis])),
        "min_isi": float(min(d.min() for d in isis)),
    }
    if freq:
        edges = np.arange(0.0, duration + 1e-9, 1.0)
        counts, _ = np.histogram(times - 0.05, edges)
        t = edges[:-1] + 0.5
        w = 2 * np.pi * freq / 1000.0
        design = np.column_stack([np.ones_like(t), np.sin(w * t), np.cos(w * t)])
        (a, b, c), *_ = np.linalg.lstsq(design, counts / n * 1000.0, rcond=None)
        out |= {"mean": float(a), "amplitude": float(np.hypot(b, c)),
                "phase": float(np.degrees(np.arctan2(c, b)) % 360.0)}  # fmt: skip
    edges = np.arange(0.0, duration + 1e-9, 5.0)
    counts = np.array([np.histogram(t, edges)[0] for t in trains])
    out["correlation"] = float(np.corrcoef(counts)[np.triu_indices(n, 1)].mean())
    return out


def packet_stats(times: np.ndarray, centers: list[float], delay: float) -> dict:
    out = {}
    for c in centers:
        near = times[np.abs(times - (c + delay)) < 50.0] - delay
        out[str(c)] = {"n": int(len(near)), "mean": float(near.mean()), "std": float(near.std())}
    return out


def main() -> None:
    cases = [
        dc_per_device(),
        spike_generator_per_device(),
        spike_train_injector(),
        spike_train_injector_precise(),
        pulsepacket_exact(),
    ]
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_device_traces.py",
        "nest_version": "3.10.0",
        "layout": "device_traces.npz holds '<case>/<recorder>/<field>' arrays (NEST events layout)",
        "cases": {},
        "statistics": {},
    }
    for proj in cases:
        result = run_project(proj)
        for rec, fields in result["events"].items():
            for field, values in fields.items():
                arrays[f"{proj['name']}/{rec}/{field}"] = values
        counts = {r: len(f["times"]) for r, f in result["events"].items()}
        manifest["cases"][proj["name"]] = {
            "project": proj,
            "node_ids": result["node_ids"],
            "events_per_recorder": counts,
        }
        print(
            proj["name"],
            counts,
            {r: f["times"][:12] for r, f in result["events"].items() if "V_m" not in f},
        )
    for name, (generator, n, duration, what) in TRAIN_CASES.items():
        proj = into_parrots(name, f"{generator['model']} into {n} parrots: {what}", generator,
                            n, duration)  # fmt: skip
        ev = run_project(proj)["events"]["spikes"]
        freq = generator["params"].get("frequency")
        stats = train_stats(ev["times"], ev["senders"], n, duration, freq)
        manifest["statistics"][name] = {"project": proj, "parrots": n, "nest": stats}
        print(name, stats)
    proj = pulsepacket_spread()
    result = run_project(proj)
    stats = packet_stats(result["events"]["spikes"]["times"], [50.0, 150.0, 250.0], 1.0)
    manifest["statistics"][proj["name"]] = {"project": proj, "nest": stats}
    print(proj["name"], stats)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "device_traces.npz", **arrays)
    (OUT / "device_traces.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
