"""NEST's brunel_delta example network on spikedesk and on NEST, each run in a fresh process.

    .venv/bin/python benchmarks/brunel_delta.py [--threads 1 2] [--duration 1000] [--scale 1]
                                                [--repeat 3] [--engines spikedesk nest]

The network is brunel_delta_nest.py's (nest/doc/examples/pynest in the nest-simulator
wheel): NE = 10000 * scale, NI = NE / 4, CE = 0.1 NE, CI = 0.1 NI (fixed_indegree),
iaf_psc_delta with C_m = 1, tau_m = 20, t_ref = 2, E_L = V_reset = V_m = 0, V_th = 20,
J = 0.1 mV, g = 5, eta = 2, delay 1.5 ms, one poisson_generator at
eta * V_th / (J * CE * tau_m) * CE * 1000 spikes/s (= 20000/s, independent of scale) into
every neuron with weight J. Unlike the example (50 neurons), every neuron is recorded, on
both simulators, so that spike counts and rates cover the whole network.

Each (engine, threads) run is a child process (`--child`) that prints one JSON line: build
and simulate wall time, peak RSS of the child (ru_maxrss, so imports count too), spike
count and mean rate. The table shows medians over --repeat runs and spikedesk/NEST ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

TAU_M, THETA, J, G, ETA, DELAY, EPS = 20.0, 20.0, 0.1, 5.0, 2.0, 1.5, 0.1
NEURON = {"C_m": 1.0, "tau_m": TAU_M, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0,
          "V_th": THETA}  # fmt: skip


def sizes(scale: float, max_indegree: int | None = None) -> dict[str, float]:
    """Population sizes and indegrees; ``max_indegree`` caps CE (CI = CE / 4) for big N."""
    ne = int(round(10000 * scale))
    ni = ne // 4
    ce, ci = int(EPS * ne), int(EPS * ni)
    if max_indegree is not None and ce > max_indegree:
        ce, ci = max_indegree, max_indegree // 4
    nu_th = THETA / (J * ce * TAU_M)
    return {"NE": ne, "NI": ni, "CE": ce, "CI": ci, "p_rate": 1000.0 * ETA * nu_th * ce}


def spikedesk_project(s: dict, duration: float, threads: int):
    from spikedesk.project_files.project import (
        Connection,
        Node,
        Project,
        Rule,
        Simulation,
        Synapse,
        frozen_map,
    )

    exc, inh = Synapse(weight=J, delay=DELAY), Synapse(weight=-G * J, delay=DELAY)

    def indegree(k: int) -> Rule:
        return Rule("fixed_indegree", frozen_map({"indegree": k}))

    return Project(
        name="brunel_delta",
        simulation=Simulation(duration=duration, resolution=0.1, seed=1, threads=threads),
        nodes=(
            Node("E", "iaf_psc_delta", s["NE"], params=frozen_map(NEURON)),
            Node("I", "iaf_psc_delta", s["NI"], params=frozen_map(NEURON)),
            Node("noise", "poisson_generator", params=frozen_map({"rate": s["p_rate"]})),
            Node("spikes", "spike_recorder"),
        ),
        connections=(
            Connection("noise_E", "noise", "E", synapse=exc),
            Connection("noise_I", "noise", "I", synapse=exc),
            Connection("E_spikes", "E", "spikes"),
            Connection("I_spikes", "I", "spikes"),
            Connection("E_E", "E", "E", indegree(s["CE"]), exc),
            Connection("E_I", "E", "I", indegree(s["CE"]), exc),
            Connection("I_E", "I", "E", indegree(s["CI"]), inh),
            Connection("I_I", "I", "I", indegree(s["CI"]), inh),
        ),
    )


def run_spikedesk(s: dict, duration: float, threads: int) -> dict:
    from spikedesk.engine import simulate

    project = spikedesk_project(s, duration, threads)
    t0 = time.perf_counter()
    results = simulate(project, threads=threads)
    wall = time.perf_counter() - t0
    n = len(results.events["spikes"]["times"])
    return {"build": results.build_seconds, "simulate": results.simulate_seconds,
            "total": wall, "spikes": n}  # fmt: skip


def run_nest(s: dict, duration: float, threads: int) -> dict:
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads, "rng_seed": 1})
    nodes_ex = nest.Create("iaf_psc_delta", s["NE"], params=NEURON)
    nodes_in = nest.Create("iaf_psc_delta", s["NI"], params=NEURON)
    noise = nest.Create("poisson_generator", params={"rate": s["p_rate"]})
    spikes = nest.Create("spike_recorder")
    nest.CopyModel("static_synapse", "excitatory", {"weight": J, "delay": DELAY})
    nest.CopyModel("static_synapse", "inhibitory", {"weight": -G * J, "delay": DELAY})
    nest.Connect(noise, nodes_ex, syn_spec="excitatory")
    nest.Connect(noise, nodes_in, syn_spec="excitatory")
    nest.Connect(nodes_ex + nodes_in, spikes, syn_spec="excitatory")
    nest.Connect(nodes_ex, nodes_ex + nodes_in, {"rule": "fixed_indegree", "indegree": s["CE"]},
                 "excitatory")  # fmt: skip
    nest.Connect(nodes_in, nodes_ex + nodes_in, {"rule": "fixed_indegree", "indegree": s["CI"]},
                 "inhibitory")  # fmt: skip
    t1 = time.perf_counter()
    nest.Simulate(duration)
    t2 = time.perf_counter()
    return {"build": t1 - t0, "simulate": t2 - t1, "total": t2 - t0, "spikes": spikes.n_events}


def child(engine: str, s: dict, duration: float, threads: int) -> None:
    run = run_spikedesk if engine == "spikedesk" else run_nest
    out = run(s, duration, threads)
    out["rate"] = out["spikes"] / (s["NE"] + s["NI"]) / (duration / 1000.0)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("RESULT " + json.dumps(out), flush=True)


def spawn(
    engine: str, scale: float, duration: float, threads: int, max_indegree: int | None = None
) -> dict | None:
    """Run one measurement in a fresh interpreter (peak RSS and caches start clean)."""
    cmd = [sys.executable, __file__, "--child", engine, "--scale", str(scale),
           "--duration", str(duration), "--threads", str(threads)]  # fmt: skip
    if max_indegree is not None:
        cmd += ["--max-indegree", str(max_indegree)]
    return run_child(cmd, f"{engine} threads={threads}", threads)


def run_child(cmd: list[str], what: str, threads: int, missing: int | None = None) -> dict | None:
    """Run a benchmark's child process with ``threads`` OpenMP threads; the JSON of its
    ``RESULT`` line, or None (its error printed; only the last line if it exited with
    ``missing``, the code for "this engine is not installed")."""
    env = {**__import__("os").environ, "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    if missing is not None and proc.returncode == missing:
        print(proc.stderr.strip().splitlines()[-1], file=sys.stderr)
    else:
        print(f"{what} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
    return None


def nest_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("nest") is not None


FIELDS = ("build", "simulate", "rss_mb", "spikes", "rate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["spikedesk", "nest"])
    parser.add_argument("--max-indegree", type=int, help="cap CE (CI = CE / 4)")
    parser.add_argument("--json", help="also write all runs to this file")
    parser.add_argument("--child", choices=["spikedesk", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        s = sizes(args.scale, args.max_indegree)
        child(args.child, s, args.duration, args.threads[0])
        return 0
    engines = [e for e in args.engines if e != "nest" or nest_available()]
    s = sizes(args.scale, args.max_indegree)
    print(f"brunel_delta: NE={s['NE']} NI={s['NI']} CE={s['CE']} CI={s['CI']} "
          f"p_rate={s['p_rate']:.0f}/s, {args.duration} ms, median of {args.repeat}")  # fmt: skip
    runs: dict[tuple[str, int], list[dict]] = {}
    for _ in range(args.repeat):  # interleave engines so background load hits both alike
        for threads in args.threads:
            for engine in engines:
                result = spawn(engine, args.scale, args.duration, threads, args.max_indegree)
                if result:
                    runs.setdefault((engine, threads), []).append(result)
    med = {
        key: {f: statistics.median(r[f] for r in rs) for f in FIELDS} for key, rs in runs.items()
    }
    print(f"{'engine':>10} {'thr':>3} {'build s':>8} {'sim s':>8} {'RSS MB':>8} "
          f"{'spikes':>9} {'rate/s':>7}")  # fmt: skip
    for (engine, threads), m in sorted(med.items()):
        print(f"{engine:>10} {threads:>3} {m['build']:8.2f} {m['simulate']:8.2f} "
              f"{m['rss_mb']:8.0f} {m['spikes']:9.0f} {m['rate']:7.2f}")  # fmt: skip
    for threads in args.threads:
        a, b = med.get(("spikedesk", threads)), med.get(("nest", threads))
        if a and b:
            ratio = {f: a[f] / b[f] for f in FIELDS}
            print(
                f"spikedesk/NEST at {threads} thread(s): build {ratio['build']:.2f}, "
                f"simulate {ratio['simulate']:.2f}, RSS {ratio['rss_mb']:.2f}, "
                f"rate {ratio['rate']:.3f}"
            )
    if args.json:
        rows = [{"engine": e, "threads": t, **r} for (e, t), rs in runs.items() for r in rs]
        with open(args.json, "w") as fh:
            json.dump({"sizes": s, "duration": args.duration, "runs": rows}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
