"""Building a spatial network on spikedesk and on NEST: a 100 x 100 grid of iaf_psc_alpha
(extent 1 x 1, edge wrap) connected to itself by pairwise_bernoulli with a Gaussian kernel
(p = 0.8 * gaussian(distance, std=0.1)) inside a circular mask (radius 0.3), ~5M synapses.

    .venv/bin/python benchmarks/spatial_grid.py [--threads 1 2] [--side 100] [--repeat 3]
                                                [--engines spikedesk nest]

Each (engine, threads) run is a fresh child process timing the build (create + connect +
one 0.1 ms step, which makes both engines finish their connection structures) and reading
its peak RSS; the table shows medians and spikedesk/NEST ratios. ``--side 40`` is a small
check for a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from brunel_delta import nest_available, run_child  # noqa: E402

RADIUS, STD, PEAK = 0.3, 0.1, 0.8


def run_spikedesk(side: int, threads: int) -> dict:
    from spikedesk.engine import simulate
    from spikedesk.project_files import io

    layer = {"grid": {"shape": [side, side], "extent": [1.0, 1.0], "edge_wrap": True}}
    kernel = f"{PEAK} * spatial_distributions.gaussian(spatial.distance, std={STD})"
    project = io.from_dict(
        {
            "format": "spikedesk-project",
            "version": 3,
            "simulation": {"duration": 0.1, "threads": threads},
            "nodes": [{"id": "L", "model": "iaf_psc_alpha", "spatial": layer}],
            "connections": [
                {"id": "c", "source": "L", "target": "L",
                 "rule": {"rule": "pairwise_bernoulli", "p": kernel,
                          "mask": {"circular": {"radius": RADIUS}}}}
            ],
        }
    )  # fmt: skip
    start = time.perf_counter()
    results = simulate(project)
    return {"build": time.perf_counter() - start, "synapses": results.synapses}


def run_nest(side: int, threads: int) -> dict:
    import nest

    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"local_num_threads": threads, "rng_seed": 1})
    start = time.perf_counter()
    grid = nest.spatial.grid(shape=[side, side], extent=[1.0, 1.0], edge_wrap=True)
    layer = nest.Create("iaf_psc_alpha", positions=grid)
    p = PEAK * nest.spatial_distributions.gaussian(nest.spatial.distance, std=STD)
    nest.Connect(layer, layer, {"rule": "pairwise_bernoulli", "p": p,
                                "mask": {"circular": {"radius": RADIUS}}})  # fmt: skip
    nest.Simulate(0.1)
    return {"build": time.perf_counter() - start, "synapses": nest.num_connections}


def child(engine: str, side: int, threads: int) -> None:
    out = (run_spikedesk if engine == "spikedesk" else run_nest)(side, threads)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("RESULT " + json.dumps(out), flush=True)


def spawn(engine: str, side: int, threads: int) -> dict | None:
    cmd = [sys.executable, __file__, "--child", engine, "--side", str(side),
           "--threads", str(threads)]  # fmt: skip
    return run_child(cmd, f"{engine} threads={threads}", threads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--side", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["spikedesk", "nest"])
    parser.add_argument("--child", choices=["spikedesk", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.side, args.threads[0])
        return 0
    engines = [e for e in args.engines if e != "nest" or nest_available()]
    print(f"spatial grid {args.side}x{args.side}, Gaussian kernel (std {STD}) in a circular "
          f"mask (r {RADIUS}), edge wrap; median of {args.repeat}")  # fmt: skip
    runs: dict[tuple[str, int], list[dict]] = {}
    for _ in range(args.repeat):  # interleaved, so background load hits both alike
        for threads in args.threads:
            for engine in engines:
                result = spawn(engine, args.side, threads)
                if result:
                    runs.setdefault((engine, threads), []).append(result)
    med = {
        key: {f: statistics.median(r[f] for r in rs) for f in ("build", "rss_mb", "synapses")}
        for key, rs in runs.items()
    }
    print(f"{'engine':>10} {'thr':>3} {'build s':>8} {'RSS MB':>8} {'synapses':>10}")
    for (engine, threads), m in sorted(med.items()):
        print(f"{engine:>10} {threads:>3} {m['build']:8.2f} {m['rss_mb']:8.0f} "
              f"{m['synapses']:10.0f}")  # fmt: skip
    for threads in args.threads:
        a, b = med.get(("spikedesk", threads)), med.get(("nest", threads))
        if a and b:
            print(f"spikedesk/NEST at {threads} thread(s): build {a['build'] / b['build']:.2f}, "
                  f"RSS {a['rss_mb'] / b['rss_mb']:.2f}, "
                  f"synapses {a['synapses'] / b['synapses']:.4f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
