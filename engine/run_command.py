"""``spikedesk run``: simulate a project headless, print a summary, save events as NPZ."""

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


def _progress(done: float, total: float, wall: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {done:8.1f}/{total:.1f} ms  {wall:6.2f} s")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from spikedesk.engine import EngineError, merge, stream
    from spikedesk.project_files import io
    from spikedesk.project_files.validation import ProjectError

    try:
        project = io.load(args.project)
    except (OSError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    tty = sys.stderr.isatty()
    start = time.perf_counter()
    chunks = []
    try:
        runner = stream(
            project, chunk=args.chunk, threads=args.threads, seed=args.seed, duration=args.duration
        )
        for chunk in runner:
            chunks.append(chunk)
            if tty:
                _progress(chunk.time, chunk.duration, chunk.wall)
    except EngineError as exc:
        print(f"error: {args.project}: {exc}", file=sys.stderr)
        return 1
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
    print(f"{project.name}: {duration:g} ms simulated")
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
