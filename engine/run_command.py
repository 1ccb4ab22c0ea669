"""``spikedesk run``: simulate a project headless, print a summary, save events as NPZ.

Under ``mpiexec -n R`` (R > 1, detected from the launcher's environment so that plain runs never
import mpi4py) every rank builds its share of the network and rank 0 alone prints and writes
the merged results, which equal the single-process results bit for bit."""

from __future__ import annotations

import argparse
import sys
import time


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="spikedesk project file (.json)")
    parser.add_argument("--out", help="write events to this .npz (<recorder id>/<field> arrays)")
    parser.add_argument("--threads", type=int, help="OpenMP threads (default: the project's)")
    parser.add_argument("--seed", type=int, help="random seed (default: the project's)")
    parser.add_argument("--duration", type=float, help="simulated time in ms")
    parser.add_argument("--chunk", type=float, default=100.0, help="progress step in ms")
    parser.add_argument(
        "--backend",
        choices=("embedded", "nest"),
        default="embedded",
        help="embedded: spikedesk's engine (default); nest: nest-simulator in this process "
        "(when installed), to compare against NEST",
    )


def _progress(done: float, total: float, wall: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {done:8.1f}/{total:.1f} ms  {wall:6.2f} s")
    sys.stderr.flush()


def _world():  # -> mpi4py.MPI.Comm | None
    """MPI.COMM_WORLD when launched by mpiexec with more than one rank, else None."""
    from spikedesk.engine.mpi.environment import launched_size

    if launched_size() <= 1:
        return None
    from mpi4py import MPI

    return MPI.COMM_WORLD


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from spikedesk.engine import EngineError, merge, stream
    from spikedesk.engine.mpi import environment
    from spikedesk.project_files import io
    from spikedesk.project_files.validation import ProjectError

    backend = getattr(args, "backend", "embedded")
    if backend == "nest":
        from spikedesk.engine.backends.nest import nest_available

        if not nest_available():
            print(
                "error: --backend nest needs nest-simulator, which is not installed in this "
                "Python (pip install nest-simulator)",
                file=sys.stderr,
            )
            return 1
    try:
        comm = _world()
    except ImportError:
        if environment.launched_rank() == 0:
            print(f"error: {environment.mpi4py_missing_message(environment.launched_size())}",
                  file=sys.stderr)  # fmt: skip
        return 1
    root = comm is None or comm.Get_rank() == 0
    try:
        project = io.load(args.project)
    except (OSError, ProjectError) as exc:
        if root:
            print(f"error: {exc}", file=sys.stderr)
        return 1
    tty = sys.stderr.isatty() and root
    start = time.perf_counter()
    chunks = []
    if backend == "nest" and comm is not None:
        if root:
            print("error: --backend nest runs in one process; run it without mpiexec",
                  file=sys.stderr)  # fmt: skip
        return 1
    try:
        if backend == "nest":
            from dataclasses import replace

            from spikedesk.engine.backends.nest import NESTBackend

            sim = project.simulation
            project = replace(
                project,
                simulation=replace(
                    sim,
                    seed=sim.seed if args.seed is None else args.seed,
                    duration=sim.duration if args.duration is None else args.duration,
                ),
            )
            runner = NESTBackend(threads=args.threads).run(project, chunk=args.chunk)
        elif comm is None:
            runner = stream(
                project,
                chunk=args.chunk,
                threads=args.threads,
                seed=args.seed,
                duration=args.duration,
            )
        else:
            from spikedesk.engine.mpi.distributed import RankRun

            rank_run = RankRun(
                project, comm, threads=args.threads, seed=args.seed, duration=args.duration
            )
            runner = rank_run.chunks(args.chunk)
        for chunk in runner:
            chunks.append(chunk)
            if tty:
                _progress(chunk.time, chunk.duration, chunk.wall)
    except EngineError as exc:
        if root:
            print(f"error: {args.project}: {exc}", file=sys.stderr)
        return 1
    if not root:
        return 0
    if tty:
        sys.stderr.write("\n")
    total = time.perf_counter() - start
    if not chunks:
        print("nothing simulated (duration 0)")
        return 0
    events = merge([c.events for c in chunks])
    node_ids = chunks[-1].node_ids
    duration = chunks[-1].time
    simulate_wall = chunks[-1].wall
    ranks = f" on {comm.Get_size()} MPI ranks" if comm is not None else ""
    ranks += " on NEST" if backend == "nest" else ""
    print(f"{project.name}: {duration:g} ms simulated{ranks}")
    print(f"  build {total - simulate_wall:.3f} s, simulate {simulate_wall:.3f} s")
    for rid, fields in events.items():
        if "V_m" in fields or len(fields) > 2:
            print(f"  {rid}: {len(fields['times'])} samples")
            continue
        senders = fields["senders"]
        for node in project.nodes:
            first, size = node_ids[node.id]
            mask = (senders >= first) & (senders < first + size)
            count = int(mask.sum())
            if count:
                rate = count / size / (duration / 1000.0)
                print(f"  {rid}: {node.id}: {count} spikes, {rate:.2f} spikes/s per neuron")
        if len(senders) == 0:
            print(f"  {rid}: 0 spikes")
    if args.out:
        arrays = {
            f"{rid}/{name}": v for rid, fields in events.items() for name, v in fields.items()
        }
        with open(args.out, "wb") as f:
            np.savez(f, **arrays)
        print(f"  events written to {args.out}")
    return 0
