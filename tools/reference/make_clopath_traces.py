"""Generate NEST 3.10 reference data for Clopath plasticity (issue 10; run by hand, output
committed).

    .venv/bin/python tools/reference/make_clopath_traces.py [OUT_DIR]

Writes tests/data/reference/clopath_traces.json and clopath_traces.npz in the layout of
synapse_traces.* (tools/reference/make_synapse_traces.py): every case a spikedesk project dict
in format version 2, NEST's global ids, events per recorder ('<case>/<recorder>/<field>'),
NEST's final connection tables ('<case>/connections/<connection id>/<field>').

synapse_traces.json already holds NEST's clopath_synapse_spike_pairing example
(``clopath_synapse_pairing``, aeif_psc_delta_clopath, all delays 0.1 ms). The cases here add
what it does not reach:

- ``clopath_hh_pairing``: NEST's test_clopath_synapse.py pairing protocol for
  hh_psc_alpha_clopath (six pre/post trains as six neurons, post spikes forced by a 2000 pA
  spike_generator input), plus a second clopath_synapse per pair with delay 1.3 ms;
- ``clopath_aeif_network``: clopath_synapse_small_network.py kept small and deterministic:
  60 parrots with fixed inhomogeneous trains (NumPy seed ``SEED``, a Gaussian bump of rate
  moving every 100 ms) onto 6 excitatory aeif_psc_delta_clopath (input -> exc clopath, delay
  1.0 ms, Wmax 3), exc -> exc clopath all_to_all without autapses (delay 2.0 ms, Wmin 0.245,
  Wmax 0.75, initial x_bar, tau_x 10), 2 inhibitory neurons (static); A_LTD_const false. The
  network's delays are 1.0 and 2.0 ms, so a slice is 10 steps and NEST's LTD ring holds
  max_delay + 1 = 21 entries: the exc -> exc synapses (delay = max_delay) find the LTD entry
  of t_spike - 2 ms overwritten unless the spike was late in its slice. The excitatory
  neurons' V_th_rest is -51 mV: NEST starts V_th at the default V_th_rest, -50.4 mV, whatever
  V_th_rest is;
- ``clopath_hh_network``: 20 parrots onto 3 hh_psc_alpha_clopath (clopath delays 0.5 and
  1.5 ms, the first clipped at Wmax; A_LTD_const false, delay_u_bars 3 ms, non-default
  thresholds).

Multimeters record V_m and the filtered voltages every 2 ms (tests/data/reference stays
under its 5 MB budget). NEST with 2 threads gives the same events
and final weights (checked).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_synapse_traces import (  # noqa: E402
    GEN_DELAY,
    check_threads,
    grid,
    node,
    plastic,
    project,
    static,
)
from nest_runner import run_project  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"
SEED = 20261203

HH_PARAMS = dict(  # NEST's testsuite pytests/synapses/test_clopath_synapse.py
    V_m=-64.9,
    C_m=100.0,
    tau_syn_ex=0.2,
    tau_syn_in=2.0,
    theta_minus=-64.9,
    theta_plus=-35.0,
    A_LTD=14.0e-5,
    A_LTP=8.0e-5,
    tau_u_bar_minus=10.0,
    tau_u_bar_plus=114.0,
    delay_u_bars=5.0,
)
HH_PRE = [
    [29.0, 129.0, 229.0, 329.0, 429.0],
    [29.0, 62.3, 95.7, 129.0, 162.3],
    [29.0, 49.0, 69.0, 89.0, 109.0],
    [129.0, 229.0, 329.0, 429.0, 529.0, 629.0],
    [62.3, 95.6, 129.0, 162.3, 195.6, 229.0],
    [49.0, 69.0, 89.0, 109.0, 129.0, 149.0],
]
HH_POST = [
    [19.0, 119.0, 219.0, 319.0, 419.0],
    [19.0, 52.3, 85.7, 119.0, 152.3],
    [19.0, 39.0, 59.0, 79.0, 99.0],
    [139.0, 239.0, 339.0, 439.0, 539.0, 639.0],
    [72.3, 105.6, 139.0, 172.3, 205.6, 239.0],
    [59.0, 79.0, 99.0, 119.0, 139.0, 159.0],
]
RES = 0.1
EXC_I_E = [0.0, 100.0, 200.0, 300.0, 50.0, 150.0]  # pA: the neurons fire differently

AEIF_NET = dict(  # clopath_synapse_small_network.py's neurons, 100x its learning rates
    g_L=30.0,
    w=0.0,
    tau_u_bar_plus=7.0,
    tau_u_bar_minus=10.0,
    tau_w=144.0,
    a=4.0,
    C_m=281.0,
    Delta_T=2.0,
    V_peak=20.0,
    t_clamp=2.0,
    A_LTP=8.0e-4,
    A_LTD=14.0e-4,
    A_LTD_const=False,
    b=0.0805,
    u_ref_squared=60.0**2,
)


def bump_trains(rng, n: int, duration: float, base: float, peak: float, sigma: float):
    """Inhomogeneous Poisson trains on the 0.1 ms grid: input j fires at base + peak *
    exp(-(j - mu)^2 / (2 sigma^2)) per second, mu drawn anew every 100 ms."""
    trains = [[] for _ in range(n)]
    for start in np.arange(0.0, duration, 100.0):
        mu = rng.uniform(0, n)
        for j in range(n):
            rate = base + peak * np.exp(-((j - mu) ** 2) / (2 * sigma**2))
            k = rng.poisson(rate * 0.1)
            trains[j] += list(rng.uniform(start, start + 100.0, k))
    out = []
    for t in trains:
        t = np.unique(np.round(np.asarray(t), 1))
        out.append(grid(t[(t >= 2.0) & (t <= duration - 5.0)] - GEN_DELAY))
    return out


def hh_pairing_case() -> dict:
    n = len(HH_PRE)
    nodes = [
        node("sg_pre", "spike_generator", n, spike_times=HH_PRE),
        node("sg_post", "spike_generator", n, spike_times=HH_POST),
        node("pre", "parrot_neuron", n),
        node("nrn", "hh_psc_alpha_clopath", n, **HH_PARAMS),
        node("wr", "weight_recorder"),
        node("wr_slow", "weight_recorder"),
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=2.0,
             record_from=["V_m", "u_bar_plus", "u_bar_minus"]),  # fmt: skip
    ]
    conns = [
        static("sg_pre-pre", "sg_pre", "pre", delay=RES, rule="one_to_one"),
        static("sg_post-nrn", "sg_post", "nrn", weight=2000.0, delay=RES, rule="one_to_one"),
        plastic("clopath", "pre", "nrn", "clopath_synapse", 0.5, RES, {"weight_recorder": "wr"},
                receptor_type=None),  # fmt: skip
        plastic("clopath_slow", "pre", "nrn", "clopath_synapse", 0.3, 1.3,
                {"weight_recorder": "wr_slow", "tau_x": 25.0, "Wmax": 0.8},
                receptor_type=None),  # fmt: skip
        static("nrn-spikes", "nrn", "spikes"),
        static("mm-nrn", "mm", "nrn"),
    ]
    return project(
        "clopath_hh_pairing",
        "NEST's test_clopath_synapse.py pairing for hh_psc_alpha_clopath: 6 pre/post trains as 6"
        " neurons (post forced by a 2000 pA input), clopath_synapse weight 0.5 delay 0.1 and a"
        " second one weight 0.3 delay 1.3 (tau_x 25, Wmax 0.8); V_m, u_bar_plus and u_bar_minus every 2 ms",
        650.0,
        nodes,
        conns,
    )


def aeif_network_case() -> dict:
    rng = np.random.default_rng(SEED)
    n_in, n_exc, n_inh, duration = 60, 6, 2, 600.0
    trains = bump_trains(rng, n_in, duration, base=2.0, peak=60.0, sigma=6.0)
    v0 = [round(float(v), 2) for v in rng.normal(-60.0, 5.0, n_exc)]
    nodes = [
        node("sg", "spike_generator", n_in, spike_times=trains),
        node("inp", "parrot_neuron", n_in),
        node("exc", "aeif_psc_delta_clopath", n_exc, V_m=v0, I_e=EXC_I_E, V_th_rest=-51.0,
             **AEIF_NET),
        node("inh", "aeif_psc_delta_clopath", n_inh, V_m=-60.0, I_e=100.0, **AEIF_NET),
        node("wr_in", "weight_recorder"),
        node("wr_ee", "weight_recorder"),
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=2.0,
             record_from=["V_m", "V_th", "u_bar_plus", "u_bar_minus"]),
    ]  # fmt: skip
    inp_exc = plastic("inp-exc", "inp", "exc", "clopath_synapse", 2.5, 1.0,
                      {"Wmax": 3.0, "weight_recorder": "wr_in"}, rule="all_to_all",
                      receptor_type=None)  # fmt: skip
    exc_exc = plastic("exc-exc", "exc", "exc", "clopath_synapse", 0.25, 2.0,
                      {"Wmax": 0.75, "Wmin": 0.245, "x_bar": 0.02, "tau_x": 10.0,
                       "weight_recorder": "wr_ee"},
                      rule="all_to_all", receptor_type=None)  # fmt: skip
    exc_exc["rule"]["params"] = {"allow_autapses": False}
    conns = [
        static("sg-inp", "sg", "inp", delay=GEN_DELAY, rule="one_to_one"),
        inp_exc,
        exc_exc,
        static("inp-inh", "inp", "inh", weight=1.5, delay=1.0),
        static("exc-inh", "exc", "inh", weight=1.0, delay=1.0),
        static("inh-exc", "inh", "exc", weight=-1.0, delay=1.0),
        static("exc-spikes", "exc", "spikes"),
        static("inh-spikes", "inh", "spikes"),
        static("mm-exc", "mm", "exc"),
    ]
    return project(
        "clopath_aeif_network",
        "clopath_synapse_small_network.py kept small and deterministic: 60 parrots (fixed"
        " inhomogeneous trains, seed 20261203) -> 6 aeif_psc_delta_clopath (I_e 0..300 pA;"
        " clopath weight 2.5, delay 1.0, Wmax 3), exc -> exc clopath without autapses (weight"
        " 0.25, delay 2.0 = max_delay, Wmin 0.245, Wmax 0.75, x_bar 0.02, tau_x 10), 2"
        " inhibitory neurons (static); exc V_th_rest -51 mV; A_LTD_const false, 100x the"
        " example's A_LTP/A_LTD; exc V_m, V_th, u_bar_plus, u_bar_minus every 2 ms",
        duration,
        nodes,
        conns,
    )


def hh_network_case() -> dict:
    rng = np.random.default_rng(SEED + 1)
    n_in, duration = 20, 500.0
    trains = bump_trains(rng, n_in, duration, base=5.0, peak=80.0, sigma=3.0)
    params = dict(
        I_e=[300.0, 400.0, 500.0],
        A_LTD=1.0e-2,
        A_LTP=1.0e-2,
        A_LTD_const=False,
        u_ref_squared=50.0**2,
        theta_minus=-66.0,
        theta_plus=-40.0,
        delay_u_bars=3.0,
        tau_u_bar_plus=60.0,
    )
    nodes = [
        node("sg", "spike_generator", n_in, spike_times=trains),
        node("inp", "parrot_neuron", n_in),
        node("nrn", "hh_psc_alpha_clopath", 3, **params),
        node("wr_fast", "weight_recorder"),
        node("wr_slow", "weight_recorder"),
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=2.0,
             record_from=["V_m", "u_bar_plus", "u_bar_minus", "u_bar_bar"]),  # fmt: skip
    ]
    conns = [
        static("sg-inp", "sg", "inp", delay=GEN_DELAY, rule="one_to_one"),
        plastic("fast", "inp", "nrn", "clopath_synapse", 300.0, 0.5,
                {"Wmax": 310.0, "Wmin": 20.0, "weight_recorder": "wr_fast"}, rule="all_to_all",
                receptor_type=None),  # fmt: skip
        plastic("slow", "inp", "nrn", "clopath_synapse", 60.0, 1.5,
                {"Wmax": 300.0, "tau_x": 20.0, "weight_recorder": "wr_slow"}, rule="all_to_all",
                receptor_type=None),  # fmt: skip
        static("nrn-spikes", "nrn", "spikes"),
        static("mm-nrn", "mm", "nrn"),
    ]
    return project(
        "clopath_hh_network",
        "20 parrots (fixed inhomogeneous trains, seed 20261204) -> 3 hh_psc_alpha_clopath"
        " (I_e 300/400/500 pA, A_LTP = A_LTD = 0.01) through two clopath_synapse connections"
        " (delay 0.5: weight 300, Wmin 20, Wmax 310; delay 1.5: weight 60, tau_x 20, Wmax 300);"
        " A_LTD_const false, delay_u_bars 3, thetas -66/-40 mV; V_m and u_bars every 2 ms",
        duration,
        nodes,
        conns,
    )


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_clopath_traces.py",
        "nest_version": "3.10.0",
        "layout": "clopath_traces.npz holds '<case>/<recorder>/<field>' arrays (NEST events"
        " layout; senders and targets int64, everything else float64) and"
        " '<case>/connections/<connection id>/<field>' (sources, targets, weights, delays) of"
        " NEST's connections after the run, sorted by (source, target, delay, weight)",
        "weight_recorder": "times = presynaptic spike time (NEST's event stamp, not arrival),"
        " weights = the weight transmitted with that spike",
        "cases": {},
    }
    for proj in (hh_pairing_case(), aeif_network_case(), hh_network_case()):
        result = run_project(proj, connection_tables=True)
        again = run_project(proj, threads=2, connection_tables=True)
        for rec, fields in result["events"].items():
            for field, values in fields.items():
                arrays[f"{proj['name']}/{rec}/{field}"] = values
            check_threads(proj["name"], rec, fields, again["events"][rec])
        for cid, table in result["connections"].items():
            for field, values in table.items():
                arrays[f"{proj['name']}/connections/{cid}/{field}"] = values
            for field, values in again["connections"][cid].items():
                np.testing.assert_array_equal(values, table[field], err_msg=f"{proj['name']} {cid}")
        nev = {r: len(f["times"]) for r, f in result["events"].items()}
        manifest["cases"][proj["name"]] = {
            "project": proj,
            "node_ids": result["node_ids"],
            "events_per_recorder": nev,
            "connections": sorted(result["connections"]),
            "description": proj["description"],
            "numerics": "ode",
        }
        ranges = {
            rec: (round(float(f["weights"].min()), 4), round(float(f["weights"].max()), 4))
            for rec, f in result["events"].items()
            if "weights" in f and len(f["weights"])
        }
        print(f"{proj['name']:24s} {nev} {ranges}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "clopath_traces.npz", **arrays)
    text = json.dumps(manifest, indent=1, sort_keys=True)
    text = re.sub(r"\[\s+([-0-9.e+]+(?:,\s+[-0-9.e+]+)*)\s+\]",
                  lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)  # fmt: skip
    text = re.sub(r"\[\s+(\[[^\[\]]*\](?:,\s+\[[^\[\]]*\])*)\s+\]",
                  lambda m: "[" + re.sub(r"\],\s+\[", "], [", m.group(1)) + "]", text)  # fmt: skip
    (out / "clopath_traces.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
