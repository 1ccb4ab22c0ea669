"""Generate NEST 3.10 reference traces for the further neuron models (run by hand, output
committed).

    .venv/bin/python tools/reference/make_model_traces.py [OUT_DIR]

Writes tests/data/reference/model_traces.json (manifest in the layout of traces.json: every
case as a spikedesk project dict, NEST's global ids, events per recorder, spike counts per
node, the multimeter's recordables and a description) and tests/data/reference/
model_traces.npz (``<case>/<recorder>/<field>`` arrays, float64, ``senders`` int64).

Per model ``<model>_dc`` (a suprathreshold and a subthreshold dc_generator with
start/stop/origin) and ``<model>_spikes`` (excitatory and inhibitory spike_generator input,
coincident arrivals, spike_weights; a default neuron and one with non-default parameters).
Multimeters sample every 0.1 ms and record all of the model's NEST recordables. Precise
(``*_ps``) cases use spike_generators with ``precise_times`` and off-grid times and add a
second spike_recorder with ``time_in_steps`` (fields ``times`` in steps and ``offsets``).
Random cases (gif_* escape noise, poisson_generator_ps) are summarised under
``statistics`` with NEST's numbers and the seed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_traces import node, project  # noqa: E402
from nest_runner import _nest, run_project  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"
RESOLUTION = 0.1


def conn(cid, source, target, weight=1.0, delay=1.0, receptor_type=None) -> dict:
    syn = {"model": "static_synapse", "weight": weight, "delay": delay}
    if receptor_type is not None:
        syn["receptor_type"] = receptor_type
    return {
        "id": cid,
        "source": source,
        "target": target,
        "rule": {"rule": "all_to_all", "params": {}},
        "synapse": syn,
    }


# Per model: input unit, dc amplitudes (strong, weak) in pA, spike weights (excitatory,
# inhibitory, spike_weights train; in the input unit), params of both neurons of every case
# (`base`), non-default params of the second neuron of the spikes case (`custom`).
# `receptors` (multisynapse, ht_neuron): receptor_type of the ex/in/mix connections.
TAU3 = [0.5, 2.0, 8.0]
HT_RT = {"AMPA": 1, "NMDA": 2, "GABA_A": 3, "GABA_B": 4}
MODELS: dict[str, dict] = {
    "iaf_cond_exp": dict(
        unit="nS",
        dc=(500.0, 200.0),
        w=(300.0, -60.0, 150.0),
        custom=dict(tau_syn_ex=1.5, tau_syn_in=5.0, t_ref=5.0, E_in=-80.0, I_e=100.0),
    ),
    "iaf_cond_beta": dict(
        unit="nS",
        dc=(500.0, 200.0),
        w=(200.0, -40.0, 100.0),
        custom=dict(
            tau_rise_ex=0.5,
            tau_decay_ex=3.0,
            tau_rise_in=1.0,
            tau_decay_in=6.0,
            t_ref=5.0,
            I_e=100.0,
        ),
    ),
    "aeif_cond_alpha": dict(
        unit="nS",
        dc=(1000.0, 400.0),
        w=(200.0, -40.0, 100.0),
        custom=dict(
            a=2.0, b=40.0, tau_w=100.0, tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=2.0, I_e=200.0
        ),
    ),
    "aeif_cond_exp": dict(
        unit="nS",
        dc=(1000.0, 400.0),
        w=(300.0, -60.0, 150.0),
        custom=dict(
            a=2.0, b=40.0, tau_w=100.0, tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=2.0, I_e=200.0
        ),
    ),
    "aeif_psc_alpha": dict(
        unit="pA",
        dc=(1000.0, 400.0),
        w=(8000.0, -3000.0, 4000.0),
        custom=dict(
            a=2.0, b=40.0, tau_w=100.0, tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=2.0, I_e=200.0
        ),
    ),
    "aeif_psc_exp": dict(
        unit="pA",
        dc=(1000.0, 400.0),
        w=(15000.0, -5000.0, 8000.0),
        custom=dict(
            a=2.0, b=40.0, tau_w=100.0, tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=2.0, I_e=200.0
        ),
    ),
    "aeif_psc_delta": dict(
        unit="mV",
        dc=(1000.0, 400.0),
        w=(8.0, -4.0, 5.0),
        custom=dict(a=2.0, b=40.0, tau_w=100.0, t_ref=2.0, refractory_input=True, I_e=200.0),
    ),
    "hh_psc_alpha": dict(
        unit="pA",
        dc=(1000.0, 150.0),
        w=(1500.0, -800.0, 800.0),
        custom=dict(tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=3.0, g_K=3000.0, I_e=100.0),
    ),
    "hh_cond_exp_traub": dict(
        unit="nS",
        dc=(300.0, 50.0),
        w=(30.0, -20.0, 15.0),
        # default E_L = -60 mV fires spontaneously (about 14 spikes/s without input)
        base=dict(E_L=-70.0, V_m=-70.0),
        custom=dict(tau_syn_ex=2.0, tau_syn_in=5.0, t_ref=3.0, V_T=-60.0, I_e=20.0),
    ),
    "izhikevich": dict(
        unit="mV",
        dc=(10.0, 2.0),
        w=(15.0, -8.0, 8.0),
        custom=dict(a=0.02, b=0.2, c=-50.0, d=2.0, I_e=5.0, V_min=-90.0),
    ),
    "mat2_psc_exp": dict(
        unit="pA",
        dc=(800.0, 200.0),
        w=(1500.0, -800.0, 800.0),
        custom=dict(
            tau_syn_ex=2.0, tau_syn_in=4.0, alpha_1=20.0, alpha_2=3.0, t_ref=3.0, I_e=100.0
        ),
    ),
    "amat2_psc_exp": dict(
        unit="pA",
        dc=(300.0, 60.0),
        w=(1000.0, -600.0, 500.0),
        custom=dict(
            tau_syn_ex=2.0, tau_syn_in=5.0, beta=0.5, alpha_2=2.0, tau_v=8.0, t_ref=3.0, I_e=50.0
        ),
    ),
    "gif_psc_exp": dict(
        unit="pA",
        dc=(500.0, 60.0),
        w=(2500.0, -1500.0, 1500.0),
        custom=dict(
            q_sfa=[10.0, 2.0],
            tau_sfa=[100.0, 500.0],
            q_stc=[20.0],
            tau_stc=[30.0],
            tau_syn_ex=3.0,
            t_ref=5.0,
            I_e=50.0,
        ),
    ),
    "gif_cond_exp": dict(
        unit="nS",
        dc=(500.0, 60.0),
        w=(60.0, -30.0, 30.0),
        custom=dict(
            q_sfa=[10.0, 2.0],
            tau_sfa=[100.0, 500.0],
            q_stc=[20.0],
            tau_stc=[30.0],
            tau_syn_ex=3.0,
            t_ref=5.0,
            I_e=50.0,
        ),
    ),
    "iaf_psc_exp_multisynapse": dict(
        unit="pA",
        dc=(500.0, 300.0),
        w=(1000.0, -600.0, 500.0),
        base=dict(tau_syn=TAU3),
        receptors=(1, 2, 3),
        custom=dict(tau_syn=[1.0, 3.0, 20.0], t_ref=5.0, V_reset=-65.0, I_e=100.0),
    ),
    "iaf_psc_alpha_multisynapse": dict(
        unit="pA",
        dc=(500.0, 300.0),
        w=(700.0, -500.0, 300.0),
        base=dict(tau_syn=TAU3),
        receptors=(1, 2, 3),
        custom=dict(tau_syn=[1.0, 3.0, 20.0], t_ref=5.0, V_reset=-65.0, I_e=100.0),
    ),
    "ht_neuron": dict(
        unit="ht",
        dc=(10.0, 2.0),
        w=(4.0, 1.0, 2.0),
        custom=dict(
            tau_theta=4.0,
            theta_eq=-53.0,
            g_peak_NaP=0.5,
            g_peak_h=0.5,
            tau_decay_AMPA=4.0,
            t_ref=3.0,
        ),
    ),
    "iaf_psc_delta_ps": dict(
        unit="mV",
        dc=(500.0, 300.0),
        w=(6.0, -4.0, 3.0),
        precise=True,
        custom=dict(tau_m=15.0, t_ref=5.0, V_reset=-65.0, I_e=100.0),
    ),
    "iaf_psc_alpha_ps": dict(
        unit="pA",
        dc=(500.0, 300.0),
        w=(700.0, -500.0, 300.0),
        precise=True,
        custom=dict(tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=5.0, V_reset=-65.0, I_e=100.0),
    ),
    "iaf_psc_exp_ps": dict(
        unit="pA",
        dc=(500.0, 300.0),
        w=(1000.0, -600.0, 500.0),
        precise=True,
        custom=dict(tau_syn_ex=1.0, tau_syn_in=4.0, t_ref=5.0, V_reset=-65.0, I_e=100.0),
    ),
}

# spike_generator input, on the grid and precise (off-grid) variants
GRID = dict(
    ex=[5.0, 12.3, 20.0, 20.0, 21.0, 22.0, 60.0, 80.0, 80.0, 80.0, 110.0],
    inh=[20.0, 40.0, 40.5, 70.0, 95.0],
    mix=[30.0, 30.1, 30.2, 30.3, 30.4],
)
PRECISE = dict(
    ex=[5.37, 10.03, 15.57, 20.05, 20.05, 21.05, 22.01, 60.33, 80.08, 80.08, 80.08, 110.0],
    inh=[20.05, 40.01, 40.55, 70.07, 95.5],
    mix=[30.01, 30.12, 30.25, 30.33, 30.49],
)
MIX_WEIGHTS = [1.0, 2.0, 1.5, 1.0, 0.5]


def recordables(model: str, params: dict) -> list[str]:
    nest = _nest()
    nest.ResetKernel()
    n = nest.Create(model)
    if params:
        n.set(params)
    return sorted(n.get("recordables") or [])


def recorder_nodes(targets, record_from, precise) -> tuple[list[dict], list[dict]]:
    nodes = [node("spikes", "spike_recorder")]
    conns = []
    if precise:
        nodes.append(node("spikes_steps", "spike_recorder", time_in_steps=True))
    if record_from:
        nodes.append(node("mm", "multimeter", interval=0.1, record_from=record_from))
    for t in targets:
        conns.append(conn(f"{t}-spikes", t, "spikes"))
        if precise:
            conns.append(conn(f"{t}-spikes_steps", t, "spikes_steps"))
        if record_from:
            conns.append(conn(f"mm-{t}", "mm", t))
    return nodes, conns


def dc_case(model: str, cfg: dict) -> dict:
    strong, weak = cfg["dc"]
    base = cfg.get("base", {})
    nodes = [
        node("strong", model, **base),
        node("weak", model, **base),
        node("dc_strong", "dc_generator", amplitude=strong, start=20.0, stop=180.0),
        node("dc_weak", "dc_generator", amplitude=weak, origin=10.0, start=20.0, stop=150.0),
    ]
    rec = recordables(model, base)
    rec_nodes, rec_conns = recorder_nodes(["strong", "weak"], rec, cfg.get("precise", False))
    extra = f" ({', '.join(f'{k} = {v}' for k, v in base.items())})" if base else ""
    return project(
        f"{model}_dc",
        f"dc_generator {strong:g} pA on [20,180) ms (delay 1.0 ms) into 'strong' spikes"
        f" repeatedly; {weak:g} pA with origin 10, start 20, stop 150 (delay 0.5 ms) into"
        f" 'weak' stays subthreshold{extra}",
        250.0,
        nodes + rec_nodes,
        [conn("dc1", "dc_strong", "strong", 1.0, 1.0), conn("dc2", "dc_weak", "weak", 1.0, 0.5)]
        + rec_conns,
    )


def spikes_case(model: str, cfg: dict) -> dict:
    precise = cfg.get("precise", False)
    times = PRECISE if precise else GRID
    gen = {"precise_times": True} if precise else {}
    base = cfg.get("base", {})
    custom = {**base, **cfg["custom"]}
    nodes = [
        node("n", model, **base),
        node("custom", model, **custom),
        node("sg_ex", "spike_generator", spike_times=times["ex"], **gen),
        node("sg_in", "spike_generator", spike_times=times["inh"], **gen),
        node(
            "sg_mix", "spike_generator", spike_times=times["mix"], spike_weights=MIX_WEIGHTS, **gen
        ),
    ]
    w_ex, w_in, w_mix = cfg["w"]
    conns = []
    for t in ("n", "custom"):
        if cfg["unit"] == "ht":  # weights scale g_peak_*, positive, one receptor each
            conns += [
                conn(f"ex-{t}", "sg_ex", t, w_ex, 1.0, HT_RT["AMPA"]),
                conn(f"ex_nmda-{t}", "sg_ex", t, w_ex / 2, 1.0, HT_RT["NMDA"]),
                conn(f"in-{t}", "sg_in", t, w_in, 2.0, HT_RT["GABA_A"]),
                conn(f"in_b-{t}", "sg_in", t, w_in, 2.0, HT_RT["GABA_B"]),
                conn(f"mix-{t}", "sg_mix", t, w_mix, 1.5, HT_RT["AMPA"]),
            ]
        elif "receptors" in cfg:
            r_ex, r_in, r_mix = cfg["receptors"]
            conns += [
                conn(f"ex-{t}", "sg_ex", t, w_ex, 1.0, r_ex),
                conn(f"in-{t}", "sg_in", t, w_in, 2.0, r_in),
                conn(f"mix-{t}", "sg_mix", t, w_mix, 1.5, r_mix),
                conn(f"in_r1-{t}", "sg_in", t, w_in / 2, 1.0, r_ex),
            ]
        else:
            conns += [
                conn(f"ex-{t}", "sg_ex", t, w_ex, 1.0),
                conn(f"in-{t}", "sg_in", t, w_in, 2.0),
                conn(f"mix-{t}", "sg_mix", t, w_mix, 1.5),
            ]
    rec = recordables(model, custom)
    rec_nodes, rec_conns = recorder_nodes(["n", "custom"], rec, precise)
    unit = "weights scale g_peak (dimensionless)" if cfg["unit"] == "ht" else cfg["unit"]
    if cfg["unit"] == "ht":
        routing = (
            f"receptor_types {HT_RT}: sg_ex -> AMPA (w {w_ex:g}) and NMDA (w {w_ex / 2:g}),"
            f" sg_in -> GABA_A and GABA_B (w {w_in:g}), sg_mix -> AMPA (w {w_mix:g})"
        )
    elif "receptors" in cfg:
        routing = (
            f"sg_ex -> receptor 1 (w {w_ex:g}), sg_in -> receptor 2 (w {w_in:g}) and"
            f" receptor 1 (w {w_in / 2:g}, delay 1), sg_mix -> receptor 3 (w {w_mix:g});"
            f" tau_syn {base['tau_syn']} / {custom['tau_syn']}"
        )
    else:
        routing = f"weights ex {w_ex:g}, in {w_in:g}, mix {w_mix:g}"
    when = (
        "precise (off-grid) spike_generator input: two excitatory spikes at 20.05, excitatory"
        " 21.05 (delay 1 ms) and inhibitory 20.05 (delay 2 ms) arriving at the same time, three"
        " at 80.08, a spike_weights train from 30.01"
        if precise
        else "spike_generator input: two excitatory spikes at 20.0 (same step), excitatory 21.0"
        " (delay 1 ms) and inhibitory 20.0 (delay 2 ms) arriving in the same step, three at"
        " 80.0, a spike_weights train every step from 30.0"
    )
    params = ", ".join(f"{k} = {v}" for k, v in cfg["custom"].items())
    return project(
        f"{model}_spikes",
        f"{when}; {routing} ({unit}); default neuron 'n' and 'custom' with {params}",
        150.0,
        nodes + rec_nodes,
        conns + rec_conns,
    )


def gif_subthreshold_case(model: str, cfg: dict) -> dict:
    """lambda_0 tiny: no escape-noise spikes, so V_m and synaptic variables are deterministic."""
    w_ex, w_in = (2.0, -2.0) if cfg["unit"] == "nS" else (100.0, -100.0)
    sub = dict(lambda_0=1e-9)
    nodes = [
        node("n", model, **sub),
        node("custom", model, **sub, **cfg["custom"]),
        node("dc", "dc_generator", amplitude=40.0, origin=10.0, start=20.0, stop=200.0),
        node("sg_ex", "spike_generator", spike_times=GRID["ex"]),
        node("sg_in", "spike_generator", spike_times=GRID["inh"]),
    ]
    rec = recordables(model, {})
    rec_nodes, rec_conns = recorder_nodes(["n", "custom"], rec, False)
    conns = []
    for t in ("n", "custom"):
        conns += [
            conn(f"dc-{t}", "dc", t, 1.0, 1.0),
            conn(f"ex-{t}", "sg_ex", t, w_ex, 1.0),
            conn(f"in-{t}", "sg_in", t, w_in, 2.0),
        ]
    return project(
        f"{model}_subthreshold",
        f"lambda_0 = 1e-9 /s (no escape-noise spikes): deterministic V_m under a 40 pA"
        f" dc_generator (origin 10, start 20, stop 200) and spike_generator input (ex"
        f" {w_ex:g}, in {w_in:g} {cfg['unit']}); default 'n' and 'custom' (its adaptation"
        " parameters do not act without spikes); V_m stays below V_T_star",
        250.0,
        nodes + rec_nodes,
        conns + rec_conns,
    )


def parrot_case() -> dict:
    nodes = [
        node("parrot", "parrot_neuron_ps"),
        node("parrot_grid", "parrot_neuron_ps"),
        node(
            "sg",
            "spike_generator",
            precise_times=True,
            spike_times=[1.0, 10.03, 15.57, 15.57, 20.0, 33.333, 40.09, 40.11],
            spike_multiplicities=[1, 1, 2, 1, 3, 1, 1, 1],
        ),
        node("sg_grid", "spike_generator", spike_times=[2.0, 7.5, 7.5, 12.3]),
    ]
    rec_nodes, rec_conns = recorder_nodes(["parrot", "parrot_grid"], [], True)
    conns = [
        conn("sg-parrot", "sg", "parrot", 2.5, 1.0),
        conn("sg_grid-parrot", "sg_grid", "parrot_grid", 1.0, 0.7),
    ]
    return project(
        "parrot_neuron_ps_spikes",
        "parrot_neuron_ps repeats a precise spike_generator (off-grid times, duplicates,"
        " spike_multiplicities; weight 2.5 is ignored, delay 1.0) and an on-grid one (delay"
        " 0.7); every spike shifted by the delay, the offset kept",
        60.0,
        nodes + rec_nodes,
        conns + rec_conns,
    )


def poisson_ps_case(dead_time: float) -> dict:
    params = dict(rate=50.0)
    if dead_time:
        params["dead_time"] = dead_time
    nodes = [
        node("pg", "poisson_generator_ps", **params),
        node("parrots", "parrot_neuron_ps", 100),
        node("spikes", "spike_recorder"),
    ]
    suffix = f"_dead_time_{dead_time:g}" if dead_time else ""
    return project(
        f"poisson_generator_ps{suffix}",
        f"poisson_generator_ps 50 spikes/s{f', dead_time {dead_time:g} ms' if dead_time else ''}"
        " into 100 parrot_neuron_ps (an independent train each) for 10 s; statistics only",
        10000.0,
        nodes,
        [
            conn("pg-parrots", "pg", "parrots", 1.0, 1.0),
            conn("parrots-spikes", "parrots", "spikes", 1.0, 1.0),
        ],
    )


GIF_ADAPTING = dict(Delta_V=4.0, q_sfa=[5.0], tau_sfa=[100.0], q_stc=[10.0], tau_stc=[20.0])


def gif_stats_case(model: str, adapting: bool) -> dict:
    params, amp = (GIF_ADAPTING, 200.0) if adapting else ({}, 144.0)
    nodes = [
        node("pop", model, 200, **params),
        node("dc", "dc_generator", amplitude=amp),
        node("spikes", "spike_recorder"),
    ]
    what = ", ".join(f"{k} = {v}" for k, v in params.items()) or "default parameters"
    return project(
        f"{model}_statistics{'_adapting' if adapting else ''}",
        f"200 {model} ({what}) under a {amp:g} pA dc_generator (delay 1 ms) for 5 s; escape"
        " noise: statistics only (rates per neuron over [0, 5000) ms)",
        5000.0,
        nodes,
        [conn("dc-pop", "dc", "pop", 1.0, 1.0), conn("pop-spikes", "pop", "spikes", 1.0, 1.0)],
    )


def train_stats(events: dict, first_id: int, n: int, t0: float, t1: float) -> dict:
    times, senders = events["times"], events["senders"]
    counts = np.bincount(senders - first_id, minlength=n)
    rates = counts / ((t1 - t0) / 1000.0)
    cvs = []
    for s in np.unique(senders):
        isi = np.diff(np.sort(times[senders == s]))
        if len(isi) > 2:
            cvs.append(isi.std() / isi.mean())
    isis = np.concatenate(
        [np.diff(np.sort(times[senders == s])) for s in np.unique(senders)] or [np.zeros(0)]
    )
    steps = times / RESOLUTION
    return {
        "n_neurons": n,
        "t_start": t0,
        "t_stop": t1,
        "n_spikes": int(len(times)),
        "mean_rate": float(rates.mean()),
        "std_rate": float(rates.std()),
        "count_fano": float(counts.var() / counts.mean()) if counts.mean() else None,
        "mean_cv_isi": float(np.mean(cvs)) if cvs else None,
        "min_isi": float(isis.min()) if len(isis) else None,
        "fraction_off_grid": float(np.mean(np.abs(steps - np.round(steps)) > 1e-6))
        if len(times)
        else None,
    }


def spike_counts(proj: dict, result: dict) -> dict[str, int]:
    spikes = result["events"].get("spikes")
    out = {}
    if spikes is None:
        return out
    for n in proj["nodes"]:
        if n["model"] in MODELS or n["model"] == "parrot_neuron_ps":
            first, size = result["node_ids"][n["id"]]
            s = spikes["senders"]
            out[n["id"]] = int(np.sum((s >= first) & (s < first + size)))
    return out


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_model_traces.py",
        "nest_version": "3.10.0",
        "layout": "model_traces.npz holds '<case>/<recorder>/<field>' arrays (NEST events"
        " layout; senders int64, everything else float64)",
        "recorder_wiring": "multimeter -> neuron; neuron -> spike_recorder",
        "precise_spikes": "'spikes' times are NEST's float ms (off-grid for *_ps models);"
        " 'spikes_steps' (time_in_steps = true) holds the same spikes as 'times' = step"
        " (float64 of an integer) and 'offsets' (ms), spike time = step * resolution - offset",
        "cases": {},
        "statistics": {},
    }
    cases = []
    for model, cfg in MODELS.items():
        cases += [dc_case(model, cfg), spikes_case(model, cfg)]
        if model.startswith("gif_"):
            cases.append(gif_subthreshold_case(model, cfg))
    cases.append(parrot_case())
    table = []
    for proj in cases:
        result = run_project(proj)
        for rec, fields in result["events"].items():
            for field, values in fields.items():
                arrays[f"{proj['name']}/{rec}/{field}"] = values
        nspk = {r: len(f["times"]) for r, f in result["events"].items()}
        counts = spike_counts(proj, result)
        mm = next((n for n in proj["nodes"] if n["model"] == "multimeter"), None)
        random = proj["name"].startswith("gif_") and not proj["name"].endswith("_subthreshold")
        entry = {
            "project": proj,
            "node_ids": result["node_ids"],
            "events_per_recorder": nspk,
            "spike_counts": counts,
            "recordables": mm["params"]["record_from"] if mm else [],
            "description": proj["description"]
            + ". NEST spike counts: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + (" (escape noise: random, depends on the seed)" if random else ""),
        }
        if random:
            entry["random"] = True
            entry["seed"] = proj["simulation"]["seed"]
        manifest["cases"][proj["name"]] = entry
        table.append((proj["name"], counts))
        print(f"{proj['name']:34s} {counts}", flush=True)
    stats_cases = [poisson_ps_case(0.0), poisson_ps_case(2.0)]
    stats_cases += [
        gif_stats_case(m, adapting) for m in MODELS if m.startswith("gif_") for adapting in (0, 1)
    ]
    for proj in stats_cases:
        result = run_project(proj)
        pop = "parrots" if "parrots" in result["node_ids"] else "pop"
        first, size = result["node_ids"][pop]
        t0 = 1.0 if pop == "parrots" else 0.0  # parrots repeat after the 1 ms delay
        stats = train_stats(
            result["events"]["spikes"], first, size, t0, proj["simulation"]["duration"]
        )
        manifest["statistics"][proj["name"]] = {
            "project": proj,
            "seed": proj["simulation"]["seed"],
            "nest": stats,
        }
        print(f"{proj['name']:34s} {stats}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "model_traces.npz", **arrays)
    (out / "model_traces.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
