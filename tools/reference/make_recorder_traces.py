"""Generate NEST 3.10 reference data for the recorders (run by hand, output committed).

    .venv/bin/python tools/reference/make_recorder_traces.py

Writes tests/data/reference/recorder_traces.json (manifest: every case as a spikedesk project
dict) and tests/data/reference/recorder_traces.npz (``<case>/<recorder>/<field>`` arrays at
full float64 precision). Cases (all deterministic):

- ``generator_currents``: multimeters recording ``I`` of dc, ac and step_current generators
  (with start/stop/origin), every 0.1 ms and every 1.0 ms with a recording window;
- ``recording_windows``: spike_recorders and multimeters with start/stop/origin on parrots
  fed by spike_generators and on a neuron driven by I_e;
- ``correlation``: correlation_detectors (receptor_type 0/1, weights, Tstart/Tstop,
  delta_tau/tau_max, start/stop) and a correlomatrix_detector with 3 channels on fixed spike
  trains (spike_generator -> parrot_neuron -> detector); ``correlation_short_delay`` the same
  with a detector connection of delay 0.3 ms (NEST's min_delay, which orders the spikes a
  detector gets: by sender within each min_delay slice). Their fields are NEST's status
  values (histogram, histogram_correction, count_histogram, n_events; covariance,
  count_covariance, n_events).
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


def generator_currents() -> dict:
    nodes = [
        node("n", "iaf_psc_alpha"),
        node("dc", "dc_generator", amplitude=150.0, start=10.0, stop=40.0),
        node("dc_origin", "dc_generator", amplitude=80.0, origin=5.0, start=10.0, stop=30.0),
        node(
            "ac",
            "ac_generator",
            amplitude=50.0,
            offset=20.0,
            frequency=40.0,
            phase=45.0,
            start=3.0,
            stop=45.0,
        ),
        node(
            "scg",
            "step_current_generator",
            amplitude_times=[5.0, 12.5, 30.0],
            amplitude_values=[100.0, -50.0, 75.0],
            start=2.0,
            stop=38.0,
        ),
        node("mm", "multimeter", interval=0.1, record_from=["I"]),
        node(
            "mm_window",
            "multimeter",
            interval=1.0,
            record_from=["I"],
            origin=2.0,
            start=5.0,
            stop=33.0,
        ),
    ]
    conns = [conn(f"{g}-n", g, "n", 1.0, 1.0) for g in ("dc", "dc_origin", "ac", "scg")]
    for g in ("dc", "dc_origin", "ac", "scg"):
        conns.append(conn(f"mm-{g}", "mm", g))
    conns += [conn("mmw-dc", "mm_window", "dc"), conn("mmw-scg", "mm_window", "scg")]
    return project(
        "generator_currents",
        "multimeters record I of dc (start 10, stop 40; origin 5, start 10, stop 30), ac and"
        " step_current generators every 0.1 ms, and every 1.0 ms with origin 2, start 5, stop 33",
        50.0,
        nodes,
        conns,
    )


def recording_windows() -> dict:
    times = [1.0, 2.0, 4.9, 5.0, 5.1, 9.9, 10.0, 10.1, 14.0, 15.0, 15.1, 20.0, 24.9, 25.0]
    nodes = [
        node("sg", "spike_generator", spike_times=times),
        node("parrots", "parrot_neuron", 2),
        node("n", "iaf_psc_exp", I_e=450.0),
        node("sr_all", "spike_recorder"),
        node("sr_window", "spike_recorder", start=5.0, stop=15.0),
        node("sr_origin", "spike_recorder", origin=4.9, start=0.1, stop=10.2),
        node("mm", "multimeter", interval=0.1, record_from=["V_m"], start=3.0, stop=12.0),
        node(
            "mm_origin",
            "multimeter",
            interval=0.5,
            record_from=["V_m"],
            origin=2.0,
            start=1.3,
            stop=20.0,
        ),
        node("vm", "voltmeter", interval=1.0, start=0.5, stop=17.5),
    ]
    conns = [conn("sg-parrots", "sg", "parrots", 1.0, 1.0)]
    for sr in ("sr_all", "sr_window", "sr_origin"):
        conns += [conn(f"parrots-{sr}", "parrots", sr), conn(f"n-{sr}", "n", sr)]
    for mm in ("mm", "mm_origin", "vm"):
        conns.append(conn(f"{mm}-n", mm, "n"))
    return project(
        "recording_windows",
        "spike_recorders (no window; start 5, stop 15; origin 4.9, start 0.1, stop 10.2) on"
        " parrots and a regularly firing neuron; multimeters/voltmeter with start/stop/origin",
        30.0,
        nodes,
        conns,
    )


def receptor_conn(cid, source, target, receptor, weight=1.0, delay=1.0):
    c = conn(cid, source, target, weight, delay)
    c["synapse"]["receptor_type"] = receptor
    return c


def correlation() -> dict:
    a = [2.0, 5.0, 5.5, 7.0, 11.0, 11.2, 15.0, 21.0, 22.0, 26.3, 30.0, 33.3, 34.0, 40.0]
    b = [1.0, 5.0, 6.0, 6.6, 10.0, 12.0, 15.0, 15.4, 20.0, 25.0, 27.0, 31.0, 39.0, 44.0]
    c = [3.0, 5.0, 9.0, 14.0, 15.0, 18.5, 24.0, 29.0, 35.0]
    nodes = [
        node("sg_a", "spike_generator", spike_times=a),
        node("sg_b", "spike_generator", spike_times=b),
        node("sg_c", "spike_generator", spike_times=c),
        node("pa", "parrot_neuron"),
        node("pb", "parrot_neuron"),
        node("pc", "parrot_neuron"),
        node("cd", "correlation_detector", delta_tau=1.0, tau_max=5.0),
        node(
            "cd_window", "correlation_detector", delta_tau=0.5, tau_max=3.0, Tstart=8.0, Tstop=30.0
        ),
        node(
            "cd_weighted", "correlation_detector", delta_tau=0.2, tau_max=2.0, start=4.0, stop=35.0
        ),
        node("cd_defaults", "correlation_detector"),
        node("cm", "correlomatrix_detector", N_channels=3, delta_tau=0.5, tau_max=4.0),
        node(
            "cm_window",
            "correlomatrix_detector",
            N_channels=2,
            delta_tau=0.3,
            tau_max=1.5,
            Tstart=5.0,
            Tstop=25.0,
        ),
    ]
    conns = [
        conn("a", "sg_a", "pa"),
        conn("b", "sg_b", "pb"),
        conn("c", "sg_c", "pc"),
        receptor_conn("pa-cd", "pa", "cd", 0),
        receptor_conn("pb-cd", "pb", "cd", 1),
        receptor_conn("pa-cdw", "pa", "cd_window", 0),
        receptor_conn("pb-cdw", "pb", "cd_window", 1),
        receptor_conn("pc-cdw", "pc", "cd_window", 1),
        receptor_conn("pa-cdx", "pa", "cd_weighted", 0, weight=2.0),
        receptor_conn("pb-cdx", "pb", "cd_weighted", 1, weight=0.5, delay=2.0),
        receptor_conn("pb-cdd", "pb", "cd_defaults", 0),
        receptor_conn("pc-cdd", "pc", "cd_defaults", 1),
        receptor_conn("pa-cm", "pa", "cm", 0),
        receptor_conn("pb-cm", "pb", "cm", 1),
        receptor_conn("pc-cm", "pc", "cm", 2, weight=1.5),
        receptor_conn("pa-cmw", "pa", "cm_window", 0),
        receptor_conn("pb-cmw", "pb", "cm_window", 1),
    ]
    return project(
        "correlation",
        "correlation_detector and correlomatrix_detector on three fixed spike trains through"
        " parrots; receptor_type selects the channel",
        50.0,
        nodes,
        conns,
    )


def correlation_short_delay() -> dict:
    """The correlation case with one more detector connected with delay 0.3 ms: NEST's
    min_delay, and so the slices whose spikes reach the detectors together, is 0.3 ms."""
    proj = correlation()
    proj["name"] = "correlation_short_delay"
    proj["description"] += "; a detector connection of delay 0.3 ms sets min_delay"
    proj["nodes"].append(node("cd_fast", "correlation_detector", delta_tau=0.5, tau_max=3.0))
    proj["connections"] += [
        receptor_conn("pa-fast", "pa", "cd_fast", 0, delay=0.3),
        receptor_conn("pc-fast", "pc", "cd_fast", 1, delay=0.3),
    ]
    return proj


def main() -> None:
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_recorder_traces.py",
        "nest_version": "3.10.0",
        "layout": "recorder_traces.npz holds '<case>/<recorder>/<field>' arrays: NEST's"
        " events (spike_recorder, multimeter) or status values (correlation detectors)",
        "cases": {},
    }
    for proj in (
        generator_currents(),
        recording_windows(),
        correlation(),
        correlation_short_delay(),
    ):
        result = run_project(proj)
        for rec, fields in result["events"].items():
            for field, values in fields.items():
                arrays[f"{proj['name']}/{rec}/{field}"] = values
        manifest["cases"][proj["name"]] = {"project": proj, "node_ids": result["node_ids"]}
        for rec, fields in result["events"].items():
            print(proj["name"], rec, {k: np.asarray(v).shape for k, v in fields.items()})
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "recorder_traces.npz", **arrays)
    (OUT / "recorder_traces.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
