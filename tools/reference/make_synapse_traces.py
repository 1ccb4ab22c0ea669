"""Generate NEST 3.10 reference data for synapses with state (issue 10; run by hand, output
committed).

    .venv/bin/python tools/reference/make_synapse_traces.py [OUT_DIR]

Writes tests/data/reference/synapse_traces.json (manifest in the layout of traces.json: every
case as a spikedesk project dict in format version 2, NEST's global ids, events per recorder,
NEST's final connection tables, a description) and tests/data/reference/synapse_traces.npz
(``<case>/<recorder>/<field>`` arrays in NEST's events layout; weight_recorder fields are
senders, targets (int64), times, weights; ``<case>/connections/<connection id>/<field>`` the
final connection table: sources, targets (gids, int64), weights, delays (ms), sorted by
(source, target, delay, weight)).

Pairing protocols use NEST's own STDP test layout: spike_generator -> parrot_neuron 'pre',
spike_generator -> parrot_neuron 'post', and the plastic synapse pre -> post with
receptor_type 1 (a parrot does not repeat spikes on port 1), so post spikes come only from
its generator. Every plastic connection has its own weight_recorder. Per STDP model:

- ``<model>_pairing``: one pre/post parrot pair per interval in ``PAIRING_DT`` (post minus
  pre spike time at the parrots, both signs, 0 and -delay), 5 pairings 100 ms apart; two
  connections per pair (multapses) with delays 1.0 and 2.5 ms and their own weights;
- ``<model>_trains``: 3 pairs with fixed irregular trains (NumPy seed ``TRAIN_SEED``, pre
  20/s, post 30/s with bursts, 1 s, on the 0.1 ms grid), delays 1.0 and 2.0 ms;
- ``<model>_clipping``: 40 pairings 25 ms apart with post 4 ms after pre (potentiation up
  to Wmax) and before pre (depression down to 0 / Wmin), large learning rates.

stdp_dopamine_synapse cases add a dopamine spike_generator -> parrot -> volume_transmitter
(its copy model names the volume_transmitter and the weight_recorder). tsodyks_synapse,
tsodyks2_synapse and static_synapse_hom_w drive iaf_psc_exp neurons whose V_m a multimeter
records (every 0.2 ms in the STP cases, 0.1 ms for static_synapse_hom_w). bernoulli_synapse
and quantal_stp_synapse are random: ``statistics`` holds NEST's numbers with the seed.
Post neurons get non-default tau_minus (and
tau_minus_triplet): they are neuron parameters in NEST.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_traces import node  # noqa: E402
from nest_runner import run_project  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"
RESOLUTION = 0.1
GEN_DELAY = 1.0  # spike_generator -> parrot
PAIRING_DT = [-30.0, -10.0, -5.0, -2.0, -1.0, -0.5, 0.0, 0.5, 2.0, 5.0, 10.0, 30.0]
TRAIN_SEED = 20261201

# Per STDP model: the synapse params of the pairing/trains cases (NEST names; per connection
# and common alike), the clipping case's params, the two multapse weights, the post neuron's
# params, and whether the weight is negative (inhibitory Wmax).
STDP: dict[str, dict] = {
    "stdp_synapse": dict(
        params=dict(tau_plus=15.0, lambda_=0.05, alpha=1.2, mu_plus=0.5, mu_minus=0.8, Wmax=100.0),
        clip=dict(tau_plus=15.0, lambda_=0.4, alpha=0.5, mu_plus=0.0, mu_minus=0.0, Wmax=60.0),
        weights=(50.0, 20.0),
        post=dict(tau_minus=30.0),
    ),
    "stdp_synapse_hom": dict(
        params=dict(tau_plus=15.0, lambda_=0.05, alpha=1.2, mu_plus=0.5, mu_minus=0.8, Wmax=100.0),
        clip=dict(tau_plus=15.0, lambda_=0.4, alpha=0.5, mu_plus=0.0, mu_minus=0.0, Wmax=60.0),
        weights=(50.0, 20.0),
        post=dict(tau_minus=30.0),
    ),
    "stdp_nn_symm_synapse": dict(
        params=dict(tau_plus=15.0, lambda_=0.05, alpha=1.2, mu_plus=0.5, mu_minus=0.8, Wmax=100.0),
        clip=dict(tau_plus=15.0, lambda_=0.4, alpha=0.5, mu_plus=0.0, mu_minus=0.0, Wmax=60.0),
        weights=(50.0, 20.0),
        post=dict(tau_minus=30.0),
    ),
    "stdp_nn_pre_centered_synapse": dict(
        params=dict(tau_plus=15.0, lambda_=0.05, alpha=1.2, mu_plus=0.5, mu_minus=0.8, Wmax=100.0),
        clip=dict(tau_plus=15.0, lambda_=0.4, alpha=0.5, mu_plus=0.0, mu_minus=0.0, Wmax=60.0),
        weights=(50.0, 20.0),
        post=dict(tau_minus=30.0),
    ),
    "stdp_nn_restr_synapse": dict(
        params=dict(tau_plus=15.0, lambda_=0.05, alpha=1.2, mu_plus=0.5, mu_minus=0.8, Wmax=100.0),
        clip=dict(tau_plus=15.0, lambda_=0.4, alpha=0.5, mu_plus=0.0, mu_minus=0.0, Wmax=60.0),
        weights=(50.0, 20.0),
        post=dict(tau_minus=30.0),
    ),
    "stdp_pl_synapse_hom": dict(
        params=dict(tau_plus=15.0, lambda_=0.05, alpha=1.2, mu=0.4),
        clip=dict(tau_plus=15.0, lambda_=0.3, alpha=0.05, mu=0.4),
        clip2=dict(alpha=3.0),  # the second connection: depression to 0 (absorbing)
        weights=(50.0, 20.0),
        post=dict(tau_minus=30.0),
    ),
    "stdp_triplet_synapse": dict(
        params=dict(
            tau_plus=16.8,
            tau_plus_triplet=101.0,
            Aplus=0.05,
            Aminus=0.07,
            Aplus_triplet=0.06,
            Aminus_triplet=0.002,
            Wmax=100.0,
        ),
        clip=dict(
            tau_plus=16.8,
            tau_plus_triplet=101.0,
            Aplus=5.0,
            Aminus=2.0,
            Aplus_triplet=2.0,
            Aminus_triplet=0.5,
            Wmax=60.0,
        ),
        weights=(50.0, 20.0),
        post=dict(tau_minus=33.7, tau_minus_triplet=125.0),
    ),
    # inhibitory plasticity: negative weights follow the sign of Wmax; the post trace uses the
    # neuron's tau_minus, NOT the synapse's tau (Vogels et al. have them equal; 30 vs 20 here
    # shows which one NEST uses)
    "vogels_sprekeler_synapse": dict(
        params=dict(tau=20.0, alpha=0.25, eta=0.5, Wmax=-100.0),
        clip=dict(tau=20.0, alpha=0.8, eta=3.0, Wmax=-30.0),
        clip_post=(4.0, None),  # pair 1 gets no post spikes: the constant depression to 0
        weights=(-50.0, -20.0),
        post=dict(tau_minus=30.0),
    ),
}
DOPA = dict(
    params=dict(
        A_plus=1.0,
        A_minus=1.5,
        tau_plus=15.0,
        tau_c=200.0,
        tau_n=100.0,
        b=0.005,
        Wmin=0.0,
        Wmax=200.0,
    ),
    clip=dict(
        A_plus=20.0,
        A_minus=10.0,
        tau_plus=15.0,
        tau_c=100.0,
        tau_n=50.0,
        b=0.0,
        Wmin=5.0,
        Wmax=60.0,
    ),
    weights=(50.0, 20.0),
    post=dict(tau_minus=30.0),
)


def nest_params(params: dict) -> dict:
    """``lambda_`` (a Python keyword) -> NEST's ``lambda``."""
    return {("lambda" if k == "lambda_" else k): v for k, v in params.items()}


def grid(times) -> list[float]:
    return [round(float(t), 1) for t in times]


def static(cid, source, target, weight=1.0, delay=1.0, rule="all_to_all", receptor_type=None):
    syn = {"model": "static_synapse", "weight": weight, "delay": delay}
    if receptor_type is not None:
        syn["receptor_type"] = receptor_type
    return {
        "id": cid,
        "source": source,
        "target": target,
        "rule": {"rule": rule, "params": {}},
        "synapse": syn,
    }


def plastic(
    cid, source, target, model, weight, delay, params, rule="one_to_one", receptor_type=1
) -> dict:
    syn = {"model": model, "weight": weight, "delay": delay, "params": dict(params)}
    if receptor_type is not None:
        syn["receptor_type"] = receptor_type
    return {
        "id": cid,
        "source": source,
        "target": target,
        "rule": {"rule": rule, "params": {}},
        "synapse": syn,
    }


def project(name, description, duration, nodes, conns, copy_models=None, seed=1) -> dict:
    out = {
        "version": 2,
        "name": name,
        "description": description,
        "simulation": {"duration": duration, "resolution": RESOLUTION, "seed": seed, "threads": 1},
        "nodes": nodes,
        "connections": conns,
    }
    if copy_models:
        out["copy_models"] = copy_models
    return out


def parrot_pairs(pre_trains, post_trains, post_params) -> tuple[list[dict], list[dict]]:
    """spike_generators -> parrots 'pre' and 'post' (one device and parrot per pair; the
    trains are the parrots' spike times), and a spike_recorder of both."""
    shift = lambda trains: [grid(np.asarray(t) - GEN_DELAY) for t in trains]  # noqa: E731
    nodes = [
        node("sg_pre", "spike_generator", len(pre_trains), spike_times=shift(pre_trains)),
        node("sg_post", "spike_generator", len(post_trains), spike_times=shift(post_trains)),
        node("pre", "parrot_neuron", len(pre_trains)),
        node("post", "parrot_neuron", len(post_trains), **post_params),
        node("spikes", "spike_recorder"),
    ]
    conns = [
        static("sg_pre-pre", "sg_pre", "pre", delay=GEN_DELAY, rule="one_to_one"),
        static("sg_post-post", "sg_post", "post", delay=GEN_DELAY, rule="one_to_one"),
        static("pre-spikes", "pre", "spikes"),
        static("post-spikes", "post", "spikes"),
    ]
    return nodes, conns


def pairing_trains(dts, n=5, period=100.0, first=20.3):
    """Pre spikes mid-slice (50.3 ms + k period with min_delay 1 ms): NEST's dopamine synapse
    updates at slice ends, so its pre spikes must not fall on them."""
    pre = [[first + 30.0 + k * period for k in range(n)] for _ in dts]
    post = [[first + 30.0 + k * period + dt for k in range(n)] for dt in dts]
    return pre, post


def fixed_trains(rng, n, rate, duration, bursts=False, gap=2.0):
    """Irregular trains on the grid (unique steps, >= 5 ms from the borders); ``bursts``: a few
    3-spike bursts ``gap`` ms apart."""
    trains = []
    for _ in range(n):
        steps = np.flatnonzero(rng.random(int(duration / RESOLUTION)) < rate * RESOLUTION / 1000.0)
        times = set(np.round(steps * RESOLUTION, 1).tolist())
        if bursts:
            for t in rng.choice(sorted(times), size=min(3, len(times)), replace=False):
                times.update({round(t + gap, 1), round(t + 2 * gap, 1)})
        trains.append(sorted(t for t in times if 5.0 <= t <= duration - 5.0))
    return trains


def stdp_case(model, cfg, kind) -> dict:
    params = nest_params(cfg["clip" if kind == "clipping" else "params"])
    w1, w2 = cfg["weights"]
    if kind == "pairing":
        pre, post = pairing_trains(PAIRING_DT)
        duration, delays = 560.0, (1.0, 2.5)
        what = (
            f"one pre/post parrot pair per interval post - pre in {PAIRING_DT} ms, 5 pairings"
            " 100 ms apart; two connections per pair (delays 1.0 and 2.5 ms, weights"
            f" {w1} and {w2})"
        )
    elif kind == "trains":
        rng = np.random.default_rng(TRAIN_SEED)  # the same trains for every model
        pre = fixed_trains(rng, 3, 20.0, 1000.0)
        post = fixed_trains(rng, 3, 30.0, 1000.0, bursts=True)
        # presynaptic bursts 0.3 ms apart: several pre spikes of one synapse in one slice
        pre = [
            sorted(set(a) | set(b))
            for a, b in zip(
                pre, fixed_trains(rng, 3, 3.0, 1000.0, bursts=True, gap=0.3), strict=True
            )
        ]
        duration, delays = 1000.0, (1.0, 2.0)
        what = (
            "3 pairs with fixed irregular trains (pre 20/s plus 3-spike bursts 0.3 ms apart, post"
            " 30/s with 3-spike bursts 2 ms apart, NumPy seed"
            f" {TRAIN_SEED}), delays 1.0 and 2.0 ms, weights {w1} and {w2}"
        )
    else:
        times = [20.4 + 25.0 * k for k in range(40)]
        pre = [times, times]
        post = [[t + 4.0 for t in times], [t - 4.0 for t in times]]
        duration, delays = 1030.0, (1.0, 1.5)
        what = (
            "40 pairings 25 ms apart, post 4 ms after pre (pair 0: potentiation to the bound)"
            " and 4 ms before (pair 1: depression to the bound), large learning rates"
        )
        if cfg.get("clip_post"):
            post = [[t + dt for t in times] if dt is not None else [] for dt in cfg["clip_post"]]
            what += "; pair 1 gets no post spikes"
        if cfg.get("clip2"):
            what += f"; the second connection (delay 1.5) has {cfg['clip2']}"
    nodes, conns = parrot_pairs(pre, post, cfg["post"])
    copy_models = None
    if model == "stdp_dopamine_synapse":
        dopa = dopamine_train(kind)
        nodes += [
            node("sg_dopa", "spike_generator", spike_times=grid(np.asarray(dopa) - GEN_DELAY)),
            node("dopa", "parrot_neuron"),
            node("vt", "volume_transmitter"),
        ]
        conns += [
            static("sg_dopa-dopa", "sg_dopa", "dopa", delay=GEN_DELAY),
            static("dopa-vt", "dopa", "vt", delay=1.0),
            static("dopa-spikes", "dopa", "spikes"),
        ]
        what += (
            f"; dopamine spikes at the parrot 'dopa' {dopa} ms -> volume_transmitter (delay 1 ms)"
        )
    for i, (w, d) in enumerate(zip((w1, w2), delays, strict=True)):
        wr = f"wr{i + 1}"
        nodes.append(node(wr, "weight_recorder"))
        p = {**params, "weight_recorder": wr}
        if kind == "clipping" and i == 1:
            p.update(cfg.get("clip2", {}))
        syn_model = model
        if model == "stdp_dopamine_synapse":
            # as in NEST: a copy model names the volume_transmitter and the weight_recorder
            syn_model = f"dopa_syn{i + 1}"
            copy_models = copy_models or {}
            copy_models[syn_model] = {
                "model": model,
                "params": {**params, "volume_transmitter": "vt", "weight_recorder": wr},
            }
            p = {}
        conns.append(plastic(f"syn{i + 1}", "pre", "post", syn_model, w, d, p))
    return project(
        f"{model}_{kind}",
        f"{model}: {what}; post params {cfg['post']}",
        duration,
        nodes,
        conns,
        copy_models=copy_models,
    )


def dopamine_train(kind) -> list[float]:
    if kind == "pairing":
        # every 40 ms from 35 ms on, two inside pairing windows, two arriving (+1 ms) in the
        # same slice as a pre spike but after it (150.3 -> 150.5, 350.3 -> 350.6)
        return sorted({35.0 + 40.0 * k for k in range(13)} | {52.5, 253.0, 149.5, 349.6})
    if kind == "trains":
        return [60.0, 130.0, 131.0, 300.0, 455.5, 600.0, 601.5, 603.0, 800.0, 950.0]
    # and some arriving 0.3 ms after a pre spike (same slice)
    return sorted([30.0 + 50.0 * k for k in range(20)] + [19.7 + 25.0 * k for k in range(0, 40, 7)])


def dopamine_slices_case() -> dict:
    """stdp_dopamine_synapse with min_delay 0.5 ms (a 0.5 ms static connection) and the
    volume_transmitter's deliver_interval 3: NEST updates the weights every 3 * 0.5 ms."""
    cfg = DOPA
    params = nest_params(cfg["params"])
    # pre spikes at 49.7 + 60 k ms: in the first 0.5 ms slice of a 1.5 ms update window
    pre, post = pairing_trains([-5.0, -1.0, 0.0, 0.3, 5.0], n=5, period=60.0, first=19.7)
    nodes, conns = parrot_pairs(pre, post, cfg["post"])
    # 108.9 and 168.9 arrive (+1 ms) 0.2 ms after the pre spikes 109.7 and 169.7, in the same
    # 0.5 ms slice: with deliver_interval 1 NEST would update at 110.0 before delivering the
    # pre spike (and integrate back), with 3 it delivers the spike first (next update 111.0)
    dopa = [20.0, 41.3, 95.0, 96.2, 108.9, 160.0, 168.9, 222.2, 290.0]
    nodes += [
        node("sg_dopa", "spike_generator", spike_times=grid(np.asarray(dopa) - GEN_DELAY)),
        node("dopa", "parrot_neuron"),
        node("vt", "volume_transmitter", deliver_interval=3),
        node("wr1", "weight_recorder"),
        node("other", "parrot_neuron"),
    ]
    conns += [
        static("sg_dopa-dopa", "sg_dopa", "dopa", delay=GEN_DELAY),
        static("dopa-vt", "dopa", "vt", delay=1.0),
        static("dopa-other", "dopa", "other", delay=0.5),
    ]
    copy_models = {
        "dopa_syn": {
            "model": "stdp_dopamine_synapse",
            "params": {**params, "volume_transmitter": "vt", "weight_recorder": "wr1"},
        }
    }
    conns.append(plastic("syn1", "pre", "post", "dopa_syn", 50.0, 1.3, {}))
    return project(
        "stdp_dopamine_synapse_slices",
        "stdp_dopamine_synapse, min_delay 0.5 ms (a 0.5 ms connection dopa -> other),"
        " volume_transmitter deliver_interval 3, delay 1.3 ms, 5 intervals post - pre in"
        f" [-5, -1, 0, 0.3, 5] ms x 5 pairings 60 ms apart (pre at 49.7 + 60 k ms), dopamine at"
        f" the parrot {dopa} ms",
        340.0,
        nodes,
        conns,
        copy_models=copy_models,
    )


def stp_case(model) -> dict:
    """Two iaf_psc_exp neurons ('dep', 'fac') driven through the STP model by one pre parrot:
    a depressing and a facilitating parameter set; 'dep2' gets non-default initial state."""
    train = [20.0 + 20.0 * k for k in range(10)] + [330.0, 331.0, 450.0]
    if model == "tsodyks_synapse":
        dep = dict(U=0.5, tau_rec=800.0, tau_fac=0.0, tau_psc=3.0)
        fac = dict(U=0.03, u=0.03, tau_rec=100.0, tau_fac=1000.0, tau_psc=3.0)
        state = dict(U=0.4, u=0.2, x=0.7, y=0.2, tau_rec=300.0, tau_fac=50.0, tau_psc=3.0)
    else:
        dep = dict(U=0.5, u=0.5, tau_rec=800.0, tau_fac=0.0)
        fac = dict(U=0.03, u=0.03, tau_rec=100.0, tau_fac=1000.0)
        state = dict(U=0.4, x=0.7, tau_rec=300.0, tau_fac=50.0)  # u stays at NEST's 0.5
    neuron = dict(
        tau_syn_ex=3.0,
        tau_syn_in=3.0,
        tau_m=40.0,
        C_m=250.0,
        V_th=-55.0,
        E_L=-70.0,
        V_m=-70.0,
        V_reset=-70.0,
        t_ref=2.0,
    )
    nodes = [
        node("sg", "spike_generator", spike_times=grid(np.asarray(train) - GEN_DELAY)),
        node("pre", "parrot_neuron"),
        node("dep", "iaf_psc_exp", **neuron),
        node("fac", "iaf_psc_exp", **neuron),
        node("dep2", "iaf_psc_exp", **neuron),
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=0.2, record_from=["V_m"]),
        node("wr_dep", "weight_recorder"),
        node("wr_fac", "weight_recorder"),
        node("wr_dep2", "weight_recorder"),
    ]
    conns = [
        static("sg-pre", "sg", "pre", delay=GEN_DELAY),
        plastic(
            "dep",
            "pre",
            "dep",
            model,
            250.0 * 4,
            1.0,
            {**dep, "weight_recorder": "wr_dep"},
            rule="all_to_all",
            receptor_type=None,
        ),
        plastic(
            "fac",
            "pre",
            "fac",
            model,
            250.0 * 4,
            1.5,
            {**fac, "weight_recorder": "wr_fac"},
            rule="all_to_all",
            receptor_type=None,
        ),
        plastic(
            "dep2",
            "pre",
            "dep2",
            model,
            250.0 * 4,
            1.0,
            {**state, "weight_recorder": "wr_dep2"},
            rule="all_to_all",
            receptor_type=None,
        ),
        static("pre-spikes", "pre", "spikes"),
    ]
    for t in ("dep", "fac", "dep2"):
        conns += [static(f"{t}-spikes", t, "spikes"), static(f"mm-{t}", "mm", t)]
    return project(
        f"{model}_stp",
        f"{model} from one parrot (10 spikes at 50/s from 20 ms, then 330, 331, 450 ms) onto"
        f" three iaf_psc_exp (tau_syn_ex 3 ms): 'dep' {dep} (delay 1), 'fac' {fac} (delay"
        f" 1.5), 'dep2' {state} (non-default initial state); weight 1000 pA; V_m every 0.2 ms",
        500.0,
        nodes,
        conns,
    )


def network_case(model: str) -> dict:
    """Plasticity onto real neurons: 12 parrots with fixed irregular trains (25/s) all_to_all
    onto 3 iaf_psc_exp (I_e near threshold, non-default tau_minus) that spike because of
    their input; the weights shape the post spikes and the post spikes the weights."""
    rng = np.random.default_rng(TRAIN_SEED + 1)
    pre = fixed_trains(rng, 12, 25.0, 800.0)
    cfg = STDP[model]
    params = {**nest_params(cfg["params"]), "Kplus": 0.5}
    if model == "stdp_triplet_synapse":
        params["Kplus_triplet"] = 0.3
    w = 60.0 if cfg["weights"][0] > 0 else -60.0
    post = dict(cfg["post"], I_e=350.0, tau_m=10.0, tau_syn_ex=2.0, tau_syn_in=2.0, t_ref=2.0)
    nodes = [
        node(
            "sg", "spike_generator", 12, spike_times=[grid(np.asarray(t) - GEN_DELAY) for t in pre]
        ),
        node("pre", "parrot_neuron", 12),
        node("n", "iaf_psc_exp", 3, **post),
        node("drive", "spike_generator", spike_times=grid(np.arange(15.0, 780.0, 37.3))),
        node("spikes", "spike_recorder"),
        node("wr", "weight_recorder"),
        node("wr_far", "weight_recorder"),
    ]
    conns = [
        static("sg-pre", "sg", "pre", delay=GEN_DELAY, rule="one_to_one"),
        static("drive-n", "drive", "n", weight=900.0, delay=1.0),
        plastic(
            "syn",
            "pre",
            "n",
            model,
            w,
            1.0,
            {**params, "weight_recorder": "wr"},
            rule="all_to_all",
            receptor_type=None,
        ),
        plastic(
            "syn_far",
            "pre",
            "n",
            model,
            w / 2,
            1.7,
            {**params, "weight_recorder": "wr_far"},
            rule="all_to_all",
            receptor_type=None,
        ),
        static("pre-spikes", "pre", "spikes"),
        static("n-spikes", "n", "spikes"),
    ]
    what = "inhibitory " if w < 0 else ""
    return project(
        f"{model}_network",
        f"{model} onto real neurons: 12 parrots (fixed trains 25/s, NumPy seed"
        f" {TRAIN_SEED + 1}) all_to_all onto 3 iaf_psc_exp (I_e 350 pA, tau_m 10 ms, {cfg['post']})"
        f" plus a regular 900 pA drive every 37.3 ms; {what}weights {w} (delay 1.0) and {w / 2}"
        f" (delay 1.7), params {params}",
        800.0,
        nodes,
        conns,
    )


def hom_w_case() -> dict:
    train = [10.0, 30.0, 30.5, 31.0, 70.0, 120.0]
    nodes = [
        node(
            "sg",
            "spike_generator",
            2,
            spike_times=[
                grid(np.asarray(train) - GEN_DELAY),
                grid(np.asarray(train) + 3.3 - GEN_DELAY),
            ],
        ),
        node("pre", "parrot_neuron", 2),
        node("n", "iaf_psc_exp", 2, tau_syn_ex=2.0, tau_m=10.0),
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=0.1, record_from=["V_m"]),
        node("wr", "weight_recorder"),
    ]
    conns = [
        static("sg-pre", "sg", "pre", delay=GEN_DELAY, rule="one_to_one"),
        plastic(
            "hom_a",
            "pre",
            "n",
            "static_synapse_hom_w",
            700.0,
            1.0,
            {"weight_recorder": "wr"},
            rule="all_to_all",
            receptor_type=None,
        ),
        plastic(
            "hom_b",
            "pre",
            "n",
            "static_synapse_hom_w",
            -300.0,
            2.7,
            {},
            rule="one_to_one",
            receptor_type=None,
        ),
        static("n-spikes", "n", "spikes"),
        static("mm-n", "mm", "n"),
    ]
    return project(
        "static_synapse_hom_w",
        "static_synapse_hom_w: two parrots all_to_all onto two iaf_psc_exp with the common weight"
        " 700 pA (delay 1, weight_recorder) plus one_to_one multapses with common weight -300 pA"
        " (delay 2.7)",
        160.0,
        nodes,
        conns,
    )


def bernoulli_case() -> tuple[dict, dict]:
    n_post, train = 500, [10.0 + 10.0 * k for k in range(40)]
    p = 0.3
    nodes = [
        node("sg", "spike_generator", spike_times=grid(np.asarray(train) - GEN_DELAY)),
        node("pre", "parrot_neuron"),
        node("post", "parrot_neuron", n_post),
        node("wr", "weight_recorder"),
        node("spikes", "spike_recorder"),
    ]
    conns = [
        static("sg-pre", "sg", "pre", delay=GEN_DELAY),
        plastic(
            "syn",
            "pre",
            "post",
            "bernoulli_synapse",
            2.0,
            1.0,
            {"p_transmit": p, "weight_recorder": "wr"},
            rule="all_to_all",
            receptor_type=None,
        ),
        static("post-spikes", "post", "spikes"),
    ]
    proj = project(
        "bernoulli_synapse_statistics",
        f"bernoulli_synapse p_transmit {p}, weight 2: one parrot (40 spikes every 10 ms) onto"
        f" {n_post} parrots; transmitted fraction = weight_recorder events / (spikes x synapses)",
        420.0,
        nodes,
        conns,
        seed=12345,
    )
    return proj, dict(
        p_transmit=p,
        n_trials=n_post * len(train),
        pre_spikes=len(train),
        synapses=n_post,
        weight=2.0,
    )


QUANTAL = {
    # name: (params given, the state NEST starts from, seed)
    "quantal_stp_synapse_statistics": (
        dict(n=4, a=4, U=0.3, u=0.3, tau_rec=100.0, tau_fac=0.0),
        dict(n=4, a=4, U=0.3, u=0.3, tau_rec=100.0, tau_fac=0.0),
        4321,
    ),
    # n and U given, a and u not: NEST starts from a = 1 and u = 0.5 (its defaults), not n and U
    "quantal_stp_synapse_defaults": (
        dict(n=3, U=0.2, tau_rec=50.0, tau_fac=30.0),
        dict(n=3, a=1, U=0.2, u=0.5, tau_rec=50.0, tau_fac=30.0),
        8765,
    ),
}


def quantal_case(name: str) -> tuple[dict, dict]:
    n_post, train = 400, [10.0 + 10.0 * k for k in range(20)] + [400.0, 405.0]
    params, start, seed = QUANTAL[name]
    nodes = [
        node("sg", "spike_generator", spike_times=grid(np.asarray(train) - GEN_DELAY)),
        node("pre", "parrot_neuron"),
        node("post", "parrot_neuron", n_post),
        node("wr", "weight_recorder"),
    ]
    conns = [
        static("sg-pre", "sg", "pre", delay=GEN_DELAY),
        plastic(
            "syn",
            "pre",
            "post",
            "quantal_stp_synapse",
            1.0,
            1.0,
            {**params, "weight_recorder": "wr"},
            rule="all_to_all",
            receptor_type=None,
        ),
    ]
    proj = project(
        name,
        f"quantal_stp_synapse {params}, weight 1: one parrot (20 spikes every 10 ms, then 400,"
        f" 405 ms) onto {n_post} parrots; per presynaptic spike the mean released quanta over"
        f" the synapses (weight_recorder weights, 0 for no event); NEST starts from {start}",
        420.0,
        nodes,
        conns,
        seed=seed,
    )
    return proj, dict(params=params, theory_params=start, synapses=n_post, train=train, weight=1.0)


def quantal_theory(params, train) -> list[float]:
    """Mean released quanta per spike: E[a] follows linearly (u is deterministic)."""
    n, a, U, u = params["n"], float(params["a"]), params["U"], params["u"]
    out, last = [], None
    for t in train:
        if last is not None:
            h = t - last
            u = U + u * (1 - U) * (
                np.exp(-h / params["tau_fac"]) if params["tau_fac"] > 1e-10 else 0
            )
            a = a + (n - a) * (1 - np.exp(-h / params["tau_rec"]))
        out.append(u * a)
        a -= u * a
        last = t
    return out


def per_spike_mean(events, train, gen_delay, synapses) -> tuple[list[float], list[float]]:
    times, weights = events["times"], events["weights"]
    means, stds = [], []
    for t in train:
        w = weights[np.abs(times - (t)) < 1e-6]
        full = np.zeros(synapses)
        full[: len(w)] = w
        means.append(float(full.mean()))
        stds.append(float(full.std()))
    return means, stds


CLOPATH_NEURON = dict(  # NEST's pynest/examples/clopath_synapse_spike_pairing.py
    V_m=-70.6,
    E_L=-70.6,
    C_m=281.0,
    theta_minus=-70.6,
    theta_plus=-45.3,
    A_LTD=14.0e-5,
    A_LTP=8.0e-5,
    tau_u_bar_minus=10.0,
    tau_u_bar_plus=7.0,
    delay_u_bars=4.0,
    a=4.0,
    b=0.0805,
    V_reset=-70.6 + 21.0,
    V_clamp=33.0,
    t_clamp=2.0,
    t_ref=0.0,
)
CLOPATH_PRE = [
    [20.0, 120.0, 220.0, 320.0, 420.0],
    [20.0, 70.0, 120.0, 170.0, 220.0],
    [20.0, 53.3, 86.7, 120.0, 153.3],
    [20.0, 45.0, 70.0, 95.0, 120.0],
    [20.0, 40.0, 60.0, 80.0, 100.0],
    [120.0, 220.0, 320.0, 420.0, 520.0, 620.0],
    [70.0, 120.0, 170.0, 220.0, 270.0, 320.0],
    [53.3, 86.6, 120.0, 153.3, 186.6, 220.0],
    [45.0, 70.0, 95.0, 120.0, 145.0, 170.0],
    [40.0, 60.0, 80.0, 100.0, 120.0, 140.0],
]
CLOPATH_POST = [
    [10.0, 110.0, 210.0, 310.0, 410.0],
    [10.0, 60.0, 110.0, 160.0, 210.0],
    [10.0, 43.3, 76.7, 110.0, 143.3],
    [10.0, 35.0, 60.0, 85.0, 110.0],
    [10.0, 30.0, 50.0, 70.0, 90.0],
    [130.0, 230.0, 330.0, 430.0, 530.0, 630.0],
    [80.0, 130.0, 180.0, 230.0, 280.0, 330.0],
    [63.3, 96.6, 130.0, 163.3, 196.6, 230.0],
    [55.0, 80.0, 105.0, 130.0, 155.0, 180.0],
    [50.0, 70.0, 90.0, 110.0, 130.0, 150.0],
]


def clopath_case() -> dict:
    """NEST's Clopath spike-pairing example, its ten kernels as ten independent neurons of one
    project: pre parrot -> aeif_psc_delta_clopath (clopath_synapse, weight 0.5, delay 0.1),
    the post spikes forced by a spike_generator (weight 80 mV, delay 0.1)."""
    n = len(CLOPATH_PRE)
    nodes = [
        node("sg_pre", "spike_generator", n, spike_times=CLOPATH_PRE),
        node("sg_post", "spike_generator", n, spike_times=CLOPATH_POST),
        node("pre", "parrot_neuron", n),
        node("nrn", "aeif_psc_delta_clopath", n, **CLOPATH_NEURON),
        node("wr", "weight_recorder"),
        node("spikes", "spike_recorder"),
        node("mm", "multimeter", interval=1.0, record_from=["V_m"]),
    ]
    conns = [
        static("sg_pre-pre", "sg_pre", "pre", delay=RESOLUTION, rule="one_to_one"),
        static("sg_post-nrn", "sg_post", "nrn", weight=80.0, delay=RESOLUTION, rule="one_to_one"),
        plastic(
            "clopath",
            "pre",
            "nrn",
            "clopath_synapse",
            0.5,
            RESOLUTION,
            {"weight_recorder": "wr"},
            receptor_type=None,
        ),
        static("nrn-spikes", "nrn", "spikes"),
        static("mm-nrn", "mm", "nrn"),
    ]
    return project(
        "clopath_synapse_pairing",
        "NEST's clopath_synapse_spike_pairing example: 10 pre/post pairs (pre 10 ms after or"
        " before post at 10..50 Hz) as 10 aeif_psc_delta_clopath neurons with the example's"
        " parameters; clopath_synapse weight 0.5, delay 0.1; V_m every"
        " 1 ms",
        640.0,
        nodes,
        conns,
    )


def gap_case() -> dict:
    """NEST's gap_junctions_two_neurons example: two hh_psc_alpha_gap (I_e 100 pA, one starting
    at V_m -10 mV) coupled by gap_junction weight 0.5 both ways, resolution 0.05 ms."""
    nodes = [
        node("n", "hh_psc_alpha_gap", 2, I_e=100.0, V_m=[-10.0, -65.0]),
        node("vm", "voltmeter", interval=0.5),
        node("spikes", "spike_recorder"),
    ]
    conns = [
        {
            "id": "gap",
            "source": "n",
            "target": "n",
            "rule": {"rule": "all_to_all", "params": {"allow_autapses": False}},
            "synapse": {"model": "gap_junction", "weight": 0.5, "delay": 1.0},
        },
        static("vm-n", "vm", "n"),
        static("n-spikes", "n", "spikes"),
    ]
    proj = project(
        "gap_junction_two_neurons",
        "NEST's gap_junctions_two_neurons example: two hh_psc_alpha_gap with I_e 100 pA, V_m -10"
        " and -65 mV, gap_junction weight 0.5 all_to_all without autapses (NEST's waveform"
        " relaxation with its defaults), resolution 0.05 ms, 351 ms; V_m every 0.5 ms",
        351.0,
        nodes,
        conns,
    )
    proj["simulation"]["resolution"] = 0.05
    return proj


# cases of models the engine may lack for a while (issue 10 lists them last), and how close
# an engine must come: NEST integrates them with GSL's adaptive rkf45
ODE_CASES = {"clopath_synapse_pairing": "ode", "gap_junction_two_neurons": "ode"}


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    arrays = {}
    manifest = {
        "generator": "tools/reference/make_synapse_traces.py",
        "nest_version": "3.10.0",
        "layout": "synapse_traces.npz holds '<case>/<recorder>/<field>' arrays (NEST events"
        " layout; senders and targets int64, everything else float64) and"
        " '<case>/connections/<connection id>/<field>' (sources, targets, weights, delays) of"
        " NEST's connections after the run, sorted by (source, target, delay, weight)",
        "weight_recorder": "times = presynaptic spike time (NEST's event stamp, not arrival),"
        " weights = the weight transmitted with that spike",
        "cases": {},
        "statistics": {},
    }
    cases = []
    for model, cfg in {**STDP, "stdp_dopamine_synapse": DOPA}.items():
        for kind in ("pairing", "trains", "clipping"):
            cases.append(stdp_case(model, cfg, kind))
    cases += [
        dopamine_slices_case(),
        stp_case("tsodyks_synapse"),
        stp_case("tsodyks2_synapse"),
        hom_w_case(),
        network_case("stdp_synapse"),
        network_case("stdp_triplet_synapse"),
        network_case("vogels_sprekeler_synapse"),
        clopath_case(),
        gap_case(),
    ]
    for proj in cases:
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
            "numerics": ODE_CASES.get(proj["name"], "exact"),
        }
        finals = {
            rec: (round(float(f["weights"].min()), 3), round(float(f["weights"].max()), 3))
            for rec, f in result["events"].items()
            if "weights" in f
        }
        print(f"{proj['name']:38s} {nev} {finals}", flush=True)
    proj, info = bernoulli_case()
    result = run_project(proj)
    n_events = len(result["events"]["wr"]["times"])
    manifest["statistics"][proj["name"]] = {
        "project": proj,
        "seed": proj["simulation"]["seed"],
        **info,
        "nest": {
            "transmitted": n_events,
            "fraction": n_events / info["n_trials"],
            "weights": sorted(set(result["events"]["wr"]["weights"].tolist())),
            "post_spikes": int(len(result["events"]["spikes"]["times"])),
        },
    }
    print(proj["name"], manifest["statistics"][proj["name"]]["nest"])
    for name in QUANTAL:
        proj, info = quantal_case(name)
        result = run_project(proj)
        first_pre = result["node_ids"]["pre"][0]
        assert np.all(result["events"]["wr"]["senders"] == first_pre)
        wr = result["events"]["wr"]
        means, stds = per_spike_mean(wr, info["train"], GEN_DELAY, info["synapses"])
        theory = quantal_theory(info["theory_params"], info["train"])
        manifest["statistics"][proj["name"]] = {
            "project": proj,
            "seed": proj["simulation"]["seed"],
            **info,
            "theory_mean_release": theory,
            "nest": {"mean_release": means, "std_release": stds, "events": len(wr["times"])},
        }
        print(proj["name"], np.round(means, 3), np.round(theory, 3))
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "synapse_traces.npz", **arrays)
    text = json.dumps(manifest, indent=1, sort_keys=True)
    # lists of numbers on one line (spike trains): the manifest stays small and readable
    text = re.sub(r"\[\s+([-0-9.e+]+(?:,\s+[-0-9.e+]+)*)\s+\]",
                  lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)  # fmt: skip
    text = re.sub(r"\[\s+(\[[^\[\]]*\](?:,\s+\[[^\[\]]*\])*)\s+\]",
                  lambda m: "[" + re.sub(r"\],\s+\[", "], [", m.group(1)) + "]", text)  # fmt: skip
    (out / "synapse_traces.json").write_text(text + "\n")


def check_threads(case, rec, one, two) -> None:
    """NEST itself gives the same events with 2 threads (order aside)."""
    keys = [k for k in ("weights", "targets", "senders", "times") if k in one]
    o1 = np.lexsort(tuple(one[k] for k in keys))
    o2 = np.lexsort(tuple(two[k] for k in keys))
    for k in one:
        np.testing.assert_array_equal(
            one[k][o1], two[k][o2], err_msg=f"{case} {rec}.{k} 1 vs 2 threads"
        )


if __name__ == "__main__":
    main()
