"""brunel_delta distributed: 2 MPI ranks x 1 thread vs the embedded engine at 2 threads vs NEST
at 2 threads, plus what the spike exchange costs per min-delay slice.

    .venv/bin/python benchmarks/mpi_brunel.py [--duration 1000] [--scale 1] [--repeat 3]
                                              [--ranks 2] [--json FILE]

The network is benchmarks/brunel_delta.py's (NEST's brunel_delta_nest.py, every neuron
recorded). Every measurement is a fresh process: the MPI one is ``mpiexec -n R python
mpi_brunel.py --child`` (the venv's mpiexec, OMP_NUM_THREADS=1 per rank), where every rank
builds its share with ``spikedesk.engine.mpi.distributed.RankRun`` and runs the whole duration
as one chunk; build and simulate are wall times between barriers, so they include the slowest
rank. Exchange figures, per slice:

- ``in-run``: time inside Allgather(counts) + Allgatherv(spikes) during the run, averaged
  over ranks. It includes waiting for the slower rank (load imbalance and OS noise).
- ``pure``: after the run, the same two calls with the run's mean spikes per slice and rank,
  each preceded by a barrier, so only communication is timed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import brunel_delta  # noqa: E402


def mpi_child(scale: float, duration: float, threads: int) -> None:
    import numpy as np
    from mpi4py import MPI
    from spikedesk.engine.mpi.distributed import RankRun

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    project = brunel_delta.spikedesk_project(brunel_delta.sizes(scale), duration, threads)
    comm.Barrier()
    t0 = time.perf_counter()
    run = RankRun(project, comm, threads=threads)
    comm.Barrier()
    t1 = time.perf_counter()
    chunks = list(run.chunks(duration))
    comm.Barrier()
    t2 = time.perf_counter()
    stats = dataclasses.replace(run.stats)  # before the pure timing below adds to it
    per_rank = max(1, round(stats.spikes / max(stats.slices, 1) / size))
    gids = np.arange(1, per_rank + 1, dtype=np.int64)
    lags = np.zeros(per_rank, np.int64)
    pure, repeats = 0.0, 500
    for _ in range(repeats):
        comm.Barrier()
        start = time.perf_counter()
        run._exchange(gids, lags)
        pure += time.perf_counter() - start
    in_run = comm.gather(stats.seconds / max(stats.slices, 1), root=0)
    rss = comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, root=0)
    pure_all = comm.gather(pure / repeats, root=0)
    if rank == 0:
        spikes = len(chunks[-1].events["spikes"]["times"])
        out = {
            "build": t1 - t0,
            "simulate": t2 - t1,
            "total": t2 - t0,
            "spikes": spikes,
            "rate": spikes / project.simulation.duration * 1000.0 / (
                sum(n.size for n in project.nodes[:2])),
            "rss_mb": max(rss),
            "rss_mb_sum": sum(rss),
            "slices": stats.slices,
            "spikes_per_slice": stats.spikes / max(stats.slices, 1),
            "exchange_us_in_run": 1e6 * statistics.mean(in_run),
            "exchange_us_pure": 1e6 * statistics.mean(pure_all),
            "exchange_share": statistics.mean(in_run) * stats.slices / (t2 - t1),
        }  # fmt: skip
        print("RESULT " + json.dumps(out), flush=True)


def spawn_mpi(ranks: int, scale: float, duration: float, threads: int) -> dict | None:
    mpiexec = Path(sys.executable).parent / "mpiexec"
    cmd = [str(mpiexec), "-n", str(ranks), sys.executable, __file__, "--child"]
    cmd += ["--scale", str(scale), "--duration", str(duration), "--threads", str(threads)]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    print(f"mpi failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
    return None


FIELDS = ("build", "simulate", "rss_mb", "spikes", "rate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads of embedded and NEST")
    parser.add_argument("--json", help="also write all runs to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mpi_child(args.scale, args.duration, 1)
        return 0
    s = brunel_delta.sizes(args.scale)
    print(f"brunel_delta: NE={s['NE']} NI={s['NI']} CE={s['CE']} CI={s['CI']}, "
          f"{args.duration} ms, median of {args.repeat}")  # fmt: skip
    engines = ["spikedesk"] + (["nest"] if brunel_delta.nest_available() else [])
    runs: dict[str, list[dict]] = {}
    for _ in range(args.repeat):  # interleaved, so background load hits all alike
        result = spawn_mpi(args.ranks, args.scale, args.duration, 1)
        if result:
            runs.setdefault(f"mpi {args.ranks}x1", []).append(result)
        for engine in engines:
            result = brunel_delta.spawn(engine, args.scale, args.duration, args.threads)
            if result:
                runs.setdefault(f"{engine} {args.threads} thr", []).append(result)
    print(f"{'configuration':>16} {'build s':>8} {'sim s':>8} {'RSS MB':>8} {'spikes':>9} "
          f"{'rate/s':>7}")  # fmt: skip
    med = {k: {f: statistics.median(r[f] for r in rs) for f in FIELDS} for k, rs in runs.items()}
    for key, m in med.items():
        print(f"{key:>16} {m['build']:8.2f} {m['simulate']:8.2f} {m['rss_mb']:8.0f} "
              f"{m['spikes']:9.0f} {m['rate']:7.2f}")  # fmt: skip
    mpi = runs.get(f"mpi {args.ranks}x1", [])
    if mpi:

        def median(field: str) -> float:
            return statistics.median(r[field] for r in mpi)

        print(f"MPI: {median('slices'):.0f} slices, {median('spikes_per_slice'):.0f} spikes/slice "
              f"in total; exchange per slice {median('exchange_us_in_run'):.1f} us in the run "
              f"({100 * median('exchange_share'):.1f}% of simulate), "
              f"{median('exchange_us_pure'):.1f} us pure communication; "
              f"RSS per rank {median('rss_mb'):.0f} MB, "
              f"all ranks {median('rss_mb_sum'):.0f} MB")  # fmt: skip
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"sizes": s, "duration": args.duration, "runs": runs}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
