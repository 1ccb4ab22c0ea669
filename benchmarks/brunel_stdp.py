"""brunel_delta with stdp_synapse on E->E (issue 10's plastic benchmark), on spikedesk and on
NEST, each run in a fresh process.

    .venv/bin/python benchmarks/brunel_stdp.py [--threads 1 2] [--duration 500] [--scale 1.25]
                                               [--repeat 1] [--engines spikedesk nest]
                                               [--weights]

The network is benchmarks/brunel_delta.py's (NEST's brunel_delta example; NE = 10000 * scale,
so the default scale 1.25 gives the 12.5k neurons of NEST's example) with the E->E
connections through stdp_synapse: tau_plus 20 ms, lambda 0.01, alpha 1.0, mu_plus = mu_minus
= 1, Wmax 0.2 mV, initial weight J = 0.1 mV, delay 1.5 ms; tau_minus 20 ms on every neuron.
E->I, I->E, I->I and the Poisson drive stay static. 500 ms by default.

As brunel_delta.py: every (engine, threads) run is a child process printing one JSON line
(build and simulate wall time, peak RSS of the child, spike count, mean rate); the table shows
medians and spikedesk/NEST ratios. ``--weights`` also reads back the mean and spread of the
E->E weights after the run (NEST: after its peak RSS is taken, reading 10M connections is
slow; spikedesk: simulate(connections=True), whose tables count in its RSS, so measure memory
without ``--weights``).
The spikedesk side needs the engine's stdp_synapse: until it has one, its child says so and
only NEST's figures are printed. Do not run the full size while others share the machine:
``--scale 0.1`` is a small check.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brunel_delta import DELAY, NEURON, G, J, nest_available, run_child, sizes  # noqa: E402

TAU_MINUS = 20.0
STDP = {"tau_plus": 20.0, "lambda": 0.01, "alpha": 1.0, "mu_plus": 1.0, "mu_minus": 1.0,
        "Wmax": 0.2}  # fmt: skip
MISSING = 3  # a child's exit code: the engine lacks a model


def spikedesk_project(s: dict, duration: float, threads: int):
    """brunel_delta.py's project with E->E through stdp_synapse and tau_minus on the neurons."""
    from dataclasses import replace

    from brunel_delta import spikedesk_project as static_project
    from spikedesk.project_files.project import Synapse, frozen_map

    static = static_project(s, duration, threads)
    plastic = Synapse(model="stdp_synapse", weight=J, delay=DELAY, params=frozen_map(STDP))
    neuron = frozen_map({**NEURON, "tau_minus": TAU_MINUS})  # a neuron parameter in NEST
    return replace(
        static,
        name="brunel_stdp",
        nodes=tuple(
            replace(n, params=neuron) if n.model == "iaf_psc_delta" else n for n in static.nodes
        ),
        connections=tuple(
            replace(c, synapse=plastic) if c.id == "E_E" else c for c in static.connections
        ),
    )


def run_spikedesk(s: dict, duration: float, threads: int, weights: bool) -> dict:
    from spikedesk.engine import _core, simulate

    if "stdp_synapse" not in _core.models():
        print("spikedesk: the engine has no stdp_synapse yet (issue 10); no spikedesk figures",
              file=sys.stderr)  # fmt: skip
        sys.exit(MISSING)
    project = spikedesk_project(s, duration, threads)
    tables = {"connections": True} if weights else {}  # the synapse tables count in peak RSS
    t0 = time.perf_counter()
    results = simulate(project, threads=threads, **tables)
    wall = time.perf_counter() - t0
    out = {"build": results.build_seconds, "simulate": results.simulate_seconds, "total": wall,
           "spikes": len(results.events["spikes"]["times"])}  # fmt: skip
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if weights:
        out.update(weight_summary(results.connections["E_E"]["weights"]))
    return out


def run_nest(s: dict, duration: float, threads: int, weights: bool) -> dict:
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads, "rng_seed": 1})
    params = {**NEURON, "tau_minus": TAU_MINUS}
    nodes_ex = nest.Create("iaf_psc_delta", s["NE"], params=params)
    nodes_in = nest.Create("iaf_psc_delta", s["NI"], params=params)
    noise = nest.Create("poisson_generator", params={"rate": s["p_rate"]})
    spikes = nest.Create("spike_recorder")
    nest.CopyModel("static_synapse", "excitatory", {"weight": J, "delay": DELAY})
    nest.CopyModel("static_synapse", "inhibitory", {"weight": -G * J, "delay": DELAY})
    nest.CopyModel("stdp_synapse", "plastic", {**STDP, "weight": J, "delay": DELAY})
    nest.Connect(noise, nodes_ex, syn_spec="excitatory")
    nest.Connect(noise, nodes_in, syn_spec="excitatory")
    nest.Connect(nodes_ex + nodes_in, spikes, syn_spec="excitatory")
    ce = {"rule": "fixed_indegree", "indegree": s["CE"]}
    ci = {"rule": "fixed_indegree", "indegree": s["CI"]}
    nest.Connect(nodes_ex, nodes_ex, ce, "plastic")
    nest.Connect(nodes_ex, nodes_in, ce, "excitatory")
    nest.Connect(nodes_in, nodes_ex + nodes_in, ci, "inhibitory")
    t1 = time.perf_counter()
    nest.Simulate(duration)
    t2 = time.perf_counter()
    out = {"build": t1 - t0, "simulate": t2 - t1, "total": t2 - t0, "spikes": spikes.n_events}
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if weights:
        import numpy as np

        w = np.asarray(nest.GetConnections(nodes_ex, nodes_ex, synapse_model="plastic").weight)
        out.update(weight_summary(w))
    return out


def weight_summary(w) -> dict:
    import numpy as np

    w = np.asarray(w, dtype=float)
    return {
        "w_mean": float(w.mean()),
        "w_std": float(w.std()),
        "w_at_max": float(np.mean(w >= 0.2)),
    }


def child(engine: str, s: dict, duration: float, threads: int, weights: bool) -> None:
    run = run_spikedesk if engine == "spikedesk" else run_nest
    out = run(s, duration, threads, weights)
    out["rate"] = out["spikes"] / (s["NE"] + s["NI"]) / (duration / 1000.0)
    print("RESULT " + json.dumps(out), flush=True)


def spawn(engine: str, args, threads: int) -> dict | None:
    cmd = [sys.executable, __file__, "--child", engine, "--scale", str(args.scale),
           "--duration", str(args.duration), "--threads", str(threads)]  # fmt: skip
    if args.weights:
        cmd.append("--weights")
    return run_child(cmd, f"{engine} threads={threads}", threads, missing=MISSING)


FIELDS = ("build", "simulate", "rss_mb", "spikes", "rate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=float, default=500.0)
    parser.add_argument("--scale", type=float, default=1.25, help="NE = 10000 * scale")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--engines", nargs="+", default=["spikedesk", "nest"])
    parser.add_argument("--weights", action="store_true", help="E->E weights after the run")
    parser.add_argument("--json", help="also write all runs to this file")
    parser.add_argument("--child", choices=["spikedesk", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    s = sizes(args.scale)
    if args.child:
        child(args.child, s, args.duration, args.threads[0], args.weights)
        return 0
    engines = [e for e in args.engines if e != "nest" or nest_available()]
    print(f"brunel_stdp: NE={s['NE']} NI={s['NI']} CE={s['CE']} CI={s['CI']} "
          f"p_rate={s['p_rate']:.0f}/s, stdp_synapse on E->E {STDP}, {args.duration} ms, "
          f"median of {args.repeat}", flush=True)  # fmt: skip
    runs: dict[tuple[str, int], list[dict]] = {}
    skipped: set[str] = set()
    for _ in range(args.repeat):  # interleave engines so background load hits both alike
        for threads in args.threads:
            for engine in engines:
                if engine in skipped:
                    continue
                result = spawn(engine, args, threads)
                if result:
                    runs.setdefault((engine, threads), []).append(result)
                elif engine == "spikedesk":
                    skipped.add(engine)  # the engine lacks stdp_synapse (or failed): once
    fields = FIELDS + (("w_mean", "w_std") if args.weights else ())
    med = {
        key: {f: statistics.median(r[f] for r in rs if f in r) for f in fields if f in rs[0]}
        for key, rs in runs.items()
    }
    head = f"{'engine':>10} {'thr':>3} {'build s':>8} {'sim s':>8} {'RSS MB':>8} "
    print(head + f"{'spikes':>9} {'rate/s':>7}" + ("    w_mean   w_std" if args.weights else ""))
    for (engine, threads), m in sorted(med.items()):
        line = (f"{engine:>10} {threads:>3} {m['build']:8.2f} {m['simulate']:8.2f} "
                f"{m['rss_mb']:8.0f} {m['spikes']:9.0f} {m['rate']:7.2f}")  # fmt: skip
        if "w_mean" in m:
            line += f" {m['w_mean']:9.5f} {m['w_std']:7.5f}"
        print(line)
    for threads in args.threads:
        a, b = med.get(("spikedesk", threads)), med.get(("nest", threads))
        if a and b:
            print(
                f"spikedesk/NEST at {threads} thread(s): build {a['build'] / b['build']:.2f}, "
                f"simulate {a['simulate'] / b['simulate']:.2f}, "
                f"RSS {a['rss_mb'] / b['rss_mb']:.2f}, rate {a['rate'] / b['rate']:.3f}"
            )
    if args.json:
        rows = [{"engine": e, "threads": t, **r} for (e, t), rs in runs.items() for r in rs]
        with open(args.json, "w") as fh:
            json.dump({"sizes": s, "duration": args.duration, "stdp": STDP, "runs": rows}, fh,
                      indent=1)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
