"""``spikedesk run``: simulate a project headless, print a summary, save events as NPZ
(with ``--connections`` also every connection's synapses after the run and the spatial nodes'
positions).

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
    parser.add_argument(
        "--connections",
        action="store_true",
        help="with --out: also write every connection's synapses after the run "
        "(<connection id>/sources, targets (gids), weights, delays (ms))",
    )
    parser.add_argument(
        "--threads", type=bounded(int, 1, 256), help="OpenMP threads (default: the project's)"
    )
    parser.add_argument(
        "--seed", type=bounded(int, 1, 2**32 - 1), help="random seed (default: the project's)"
    )
    parser.add_argument("--duration", type=bounded(float, 0.001, 1e15), help="simulated time in ms")
    parser.add_argument(
        "--chunk", type=bounded(float, 0.001, 1e15), default=100.0, help="progress step in ms"
    )
    parser.add_argument(
        "--backend",
        choices=("embedded", "nest"),
        default="embedded",
        help="embedded: spikedesk's engine (default); nest: nest-simulator in this process "
        "(when installed), to compare against NEST",
    )


def bounded(kind: type, low: float, high: float):
    """An argparse type: a finite number of ``kind`` between ``low`` and ``high``, so a bad
    value is blamed on its flag ("argument --threads: must be between 1 and 256, got 0")."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _progress_line(done: float, total: float, wall: float) -> None:
    """Progress for a log (output is not a terminal): one plain line at a time."""
    sys.stderr.write(f"spikedesk: {done:.1f} of {total:.1f} ms simulated, {wall:.1f} s\n")
    sys.stderr.flush()


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
    from spikedesk.project_files.cli_output import fail
    from spikedesk.project_files.validate_command import read_error
    from spikedesk.project_files.validation import ProjectError

    backend = getattr(args, "backend", "embedded")
    want_connections = getattr(args, "connections", False)
    if want_connections and not args.out:
        return fail("--connections: needs --out FILE.npz to write the synapses to")
    if want_connections and backend == "nest":
        return fail("--connections: the synapse tables come from spikedesk's engine; "
                    "drop --backend nest")  # fmt: skip
    if backend == "nest":
        from spikedesk.engine.backends.nest import nest_available

        if not nest_available():
            return fail(
                "--backend nest: needs nest-simulator, which is not installed in this Python "
                "(pip install nest-simulator)"
            )
    try:
        comm = _world()
    except ImportError:
        if environment.launched_rank() == 0:
            fail(environment.mpi4py_missing_message(environment.launched_size()))
        return 1
    root = comm is None or comm.Get_rank() == 0
    try:
        project = io.load(args.project)
    except ProjectError as exc:
        return fail(exc) if root else 1
    except OSError as exc:
        return fail(read_error(args.project, exc)) if root else 1
    except UnicodeDecodeError:
        return fail(f"{args.project}: not a text file") if root else 1
    tty = sys.stderr.isatty() and root
    logged = 0.0  # wall time of the last progress line (output is not a terminal)
    start = time.perf_counter()
    chunks = []
    if backend == "nest" and comm is not None:
        return fail("--backend nest: runs in one process; run it without mpiexec") if root else 1
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
                connections=want_connections,
            )
        else:
            from spikedesk.engine.mpi.distributed import RankRun

            rank_run = RankRun(
                project, comm, threads=args.threads, seed=args.seed, duration=args.duration
            )
            runner = rank_run.chunks(args.chunk, connections=want_connections)
        for chunk in runner:
            chunks.append(chunk)
            if tty:
                _progress(chunk.time, chunk.duration, chunk.wall)
            elif root and chunk.wall - logged >= 2.0:
                logged = chunk.wall
                _progress_line(chunk.time, chunk.duration, chunk.wall)
    except EngineError as exc:
        return fail(f"{args.project}: {exc}") if root else 1
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
        if "times" not in fields:  # a correlation detector: device state
            counts = fields.get("n_events")
            print(f"  {rid}: n_events {list(counts) if counts is not None else '?'}")
            continue
        if "weights" in fields:  # a weight recorder
            print(f"  {rid}: {len(fields['times'])} weights recorded")
            continue
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
        if want_connections:
            tables = chunks[-1].connections or {}
            clash = sorted(set(tables) & set(events))
            if clash:
                return fail(
                    f"{args.project}: connection id {clash[0]!r} is also a recorder's id; "
                    "rename one to write both into one .npz"
                )
            arrays.update(connection_arrays(tables))
            arrays.update(position_arrays(project, args.seed))
        try:
            with open(args.out, "wb") as f:
                np.savez(f, **arrays)
        except OSError as exc:
            return fail(f"{args.out}: {exc.strerror or exc}")
        what = "events and synapses" if want_connections else "events"
        print(f"  {what} written to {args.out}")
    return 0


def position_arrays(project, seed: int | None) -> dict:
    """``<node id>/positions`` of every spatial node, for an .npz."""
    from spikedesk.engine.driver import positions

    return {f"{nid}/positions": p for nid, p in positions(project, seed=seed).items()}


def connection_arrays(tables: dict) -> dict:
    """``<connection id>/<field>`` arrays of the synapse tables, for an .npz."""
    return {f"{cid}/{name}": v for cid, fields in tables.items() for name, v in fields.items()}
