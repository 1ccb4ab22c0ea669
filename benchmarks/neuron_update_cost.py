"""Cost of one neuron update (ns per neuron per step) for every neuron model, on spikedesk and
on NEST, each run in a fresh process.

    .venv/bin/python benchmarks/neuron_update_cost.py [--models M ...] [--n 10000]
                                                      [--duration 200] [--repeat 3]
                                                      [--engines spikedesk nest] [--json F]

Each model: a population of --n neurons, every neuron driven by its own Poisson train of
RATE spikes/s (one poisson_generator connected all_to_all, NEST's semantics) with a weight in
the model's unit chosen so the neurons fire at 5-100 spikes/s (calibrated on spikedesk with 500
neurons for 100 ms, starting from DRIVE and doubling or halving), all spikes recorded, one thread,
resolution 0.1 ms. The figure is simulate wall time / (n * steps): it includes the delivery
of the Poisson input (the same work on both simulators) and the spike recording, so it is
the cost of a driven neuron, not of the bare membrane update. The table shows medians over
--repeat runs, the firing rate (a check that both simulators do the same thing) and the
spikedesk/NEST ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

RATE = 10000.0  # spikes/s per neuron
# weight per spike by the model's weight unit, and per receptor-routed model the receptor
DRIVE = {"pA": 40.0, "nS": 1.0, "mV": 0.4, "": 1.0}


def weight_of(model: str) -> tuple[float, int]:
    from spikedesk.engine import _core
    from spikedesk.project_files import catalog

    unit = catalog.weight_of(model).unit
    receptor = 1 if _core.models()[model].get("routing") == "receptors" else 0
    return DRIVE.get(unit, 1.0), receptor


def spikedesk_child(model: str, n: int, duration: float, weight: float | None = None) -> dict:
    from spikedesk.engine.driver import _Run
    from spikedesk.project_files.project import (
        Connection,
        Node,
        Project,
        Simulation,
        Synapse,
        frozen_map,
    )

    base, receptor = weight_of(model)
    weight = base if weight is None else weight
    project = Project(
        name=f"cost-{model}",
        simulation=Simulation(duration=duration, resolution=0.1, seed=1, threads=1),
        nodes=(
            Node(id="pop", model=model, size=n),
            Node(id="pg", model="poisson_generator", params=frozen_map({"rate": RATE})),
            Node(id="sr", model="spike_recorder"),
        ),
        connections=(
            Connection(id="drive", source="pg", target="pop",
                       synapse=Synapse(weight=weight, delay=1.0, receptor_type=receptor)),
            Connection(id="rec", source="pop", target="sr"),
        ),
    )  # fmt: skip
    run = _Run(project, None, None, duration + 10.0)
    run.advance(100)  # 10 ms warm-up, as on NEST
    run.take()
    start = time.perf_counter()
    run.advance(int(round(duration / 0.1)))
    elapsed = time.perf_counter() - start
    return {"simulate": elapsed, "spikes": len(run.take()["sr"]["times"]), "weight": weight}


def calibrate(model: str) -> float:
    """A drive weight that makes the model fire at 5-100 spikes/s: double or halve from the
    unit's DRIVE until the rate is in range or brackets it, then bisect (log scale)."""
    base, _ = weight_of(model)

    def rate(w: float) -> float:
        return spikedesk_child(model, 500, 100.0, w)["spikes"] / 500 / 0.1

    lo = hi = None
    w = base
    for _ in range(8):
        r = rate(w)
        if 5.0 <= r <= 100.0:
            return w
        if r < 5.0:
            lo = w
            if hi is not None:
                break
            w *= 2.0
        else:
            hi = w
            if lo is not None:
                break
            w /= 2.0
    if lo is None or hi is None:
        return w
    for _ in range(6):
        w = (lo * hi) ** 0.5
        r = rate(w)
        if 5.0 <= r <= 100.0:
            return w
        lo, hi = (w, hi) if r < 5.0 else (lo, w)
    return w


def nest_child(model: str, n: int, duration: float, weight: float | None = None) -> dict:
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    base, receptor = weight_of(model)
    weight = base if weight is None else weight
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 1, "rng_seed": 1})
    pop = nest.Create(model, n)
    pg = nest.Create("poisson_generator", params={"rate": RATE})
    sr = nest.Create("spike_recorder")
    syn = {"weight": weight, "delay": 1.0}
    if receptor:
        syn["receptor_type"] = receptor
    nest.Connect(pg, pop, "all_to_all", syn)
    nest.Connect(pop, sr)
    nest.Simulate(10.0)  # build and warm up outside the timing, as spikedesk's build is
    sr.n_events = 0  # count the timed spikes only
    start = time.perf_counter()
    nest.Simulate(duration)
    elapsed = time.perf_counter() - start
    return {"simulate": elapsed, "spikes": int(sr.n_events), "weight": weight}


def child(args: argparse.Namespace) -> None:
    if args.child == "calibrate":
        print(json.dumps({"weight": calibrate(args.models[0])}))
        return
    run = spikedesk_child if args.child == "spikedesk" else nest_child
    out = run(args.models[0], args.n, args.duration, args.weight)
    steps = args.duration / 0.1
    out["ns_per_update"] = 1e9 * out["simulate"] / (args.n * steps)
    out["rate"] = out["spikes"] / args.n / (args.duration / 1000.0)
    print(json.dumps(out))


def measure(engine: str, model: str, n: int, duration: float, weight: float = 0.0) -> dict | None:
    cmd = [sys.executable, __file__, "--child", engine, "--models", model, "--n", str(n),
           "--duration", str(duration), "--weight", str(weight)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print(f"  {engine} {model}: failed: {proc.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", nargs="*", default=["spikedesk", "nest"])
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--weight", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from spikedesk.engine import _core

    models = args.models or sorted(
        m for m, d in _core.models().items() if d["kind"] == "neuron" and d["params"]
    )
    rows = []
    print(f"{'model':32s} {'spikedesk ns':>13s} {'NEST ns':>9s} {'ratio':>6s} "
          f"{'rate sd':>8s} {'rate NEST':>9s}", flush=True)  # fmt: skip
    for model in models:
        figures: dict[str, dict] = {}
        weight = measure("calibrate", model, 0, 0.0)["weight"]
        for engine in args.engines:
            runs = [
                measure(engine, model, args.n, args.duration, weight) for _ in range(args.repeat)
            ]
            runs = [r for r in runs if r is not None]
            if runs:
                figures[engine] = {
                    "ns_per_update": statistics.median(r["ns_per_update"] for r in runs),
                    "rate": runs[0]["rate"],
                    "weight": weight,
                }
        sd, nest = figures.get("spikedesk"), figures.get("nest")
        ratio = sd["ns_per_update"] / nest["ns_per_update"] if sd and nest else float("nan")
        print(f"{model:32s} {sd['ns_per_update'] if sd else float('nan'):13.1f} "
              f"{nest['ns_per_update'] if nest else float('nan'):9.1f} {ratio:6.2f} "
              f"{sd['rate'] if sd else float('nan'):8.1f} "
              f"{nest['rate'] if nest else float('nan'):9.1f}", flush=True)  # fmt: skip
        rows.append({"model": model, **{k: v for k, v in figures.items()}, "ratio": ratio})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": args.n, "duration": args.duration, "rate_input": RATE,
                       "rows": rows}, f, indent=1)  # fmt: skip


if __name__ == "__main__":
    main()
