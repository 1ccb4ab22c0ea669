"""The program ``spikedesk mpi-server`` launches as ``mpiexec -n R python -m
spikedesk.engine.mpi.worker --socket PATH [--threads T] [--chunk MS] PROJECT.json``.

Every rank runs its share (``distributed.RankRun``); rank 0 connects to the server's Unix
socket and writes frames (``frames``): ``hello`` (with the per-run key from the
``SPIKEDESK_WORKER_KEY`` environment variable, so only the process the server started can
feed that run), ``heartbeat`` every ``--heartbeat`` s while building, ``started``, then
``progress`` (at most every ``--heartbeat`` s, from the slice loop) and ``chunk`` frames, and
finally ``done`` or ``error``. The frames of a live run never pause for longer than a slice
or a chunk's gather, so a server that hears nothing for a few seconds knows that a rank
crashed or hangs. The worker never reads from the server: cancelling is killing.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
from collections.abc import Mapping

KEY_VARIABLE = "SPIKEDESK_WORKER_KEY"


class Link:
    """Rank 0's frame connection to the server; a lock lets the heartbeat thread share it."""

    def __init__(self, path: str, key: str) -> None:
        from spikedesk.engine.mpi import frames

        self._frames = frames
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.connect(path)
        self.send({"type": "hello", "key": key, "pid": os.getpid()})

    def send(self, header: Mapping, payload: bytes = b"") -> None:
        self.send_raw(self._frames.pack(header, payload))

    def send_raw(self, data: bytes) -> None:
        with self._lock:
            self._sock.sendall(data)

    def close(self) -> None:
        self._sock.close()


class Heartbeat:
    """Sends ``heartbeat`` frames from a thread while the main thread is inside one long
    call (building the network), where it cannot send anything itself."""

    def __init__(self, link: Link, interval: float) -> None:
        self._link, self._interval = link, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._link.send({"type": "heartbeat"})
            except OSError:
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m spikedesk.engine.mpi.worker")
    p.add_argument("project", help="validated project file written by the server")
    p.add_argument("--socket", required=True, help="the server's Unix socket for this run")
    p.add_argument("--threads", type=int, help="OpenMP threads per rank")
    p.add_argument("--chunk", type=float, default=100.0, help="ms of simulated time per chunk")
    p.add_argument("--heartbeat", type=float, default=0.5, help="seconds between liveness frames")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from mpi4py import MPI
    from spikedesk.engine.errors import EngineError
    from spikedesk.engine.mpi import frames
    from spikedesk.engine.mpi.distributed import RankRun
    from spikedesk.project_files import io
    from spikedesk.project_files.validation import ProjectError

    comm = MPI.COMM_WORLD
    link = Link(args.socket, os.environ.get(KEY_VARIABLE, "")) if comm.Get_rank() == 0 else None
    beat = Heartbeat(link, args.heartbeat) if link else None
    try:
        with open(args.project, encoding="utf-8") as f:  # named "request": no server paths
            project = io.loads(f.read(), source="request")
        rank_run = RankRun(project, comm, threads=args.threads)
    except (EngineError, ProjectError, OSError) as exc:
        if link:
            beat.stop()
            link.send({"type": "error", "message": str(exc)})
        return 1
    if link:
        beat.stop()
        sim = rank_run.project.simulation
        link.send({
            "type": "started",
            "ranks": comm.Get_size(),
            "threads": sim.threads,
            "duration": sim.duration,
            "build_seconds": rank_run.build_seconds,
            "node_ids": {k: list(v) for k, v in rank_run.run.node_ids.items()},
        })  # fmt: skip
    resolution = rank_run.project.simulation.resolution
    last = [time.monotonic()]

    def progress(steps: int) -> None:
        now = time.monotonic()
        if link and now - last[0] >= args.heartbeat:
            last[0] = now
            link.send({"type": "progress", "time": steps * resolution})

    for chunk in rank_run.chunks(args.chunk, on_slice=progress):
        if link:
            link.send_raw(
                frames.chunk_frame(
                    chunk.time, chunk.duration, chunk.wall, chunk.events, chunk.node_ids
                )
            )
            last[0] = time.monotonic()
    if link:
        stats = rank_run.stats
        link.send({
            "type": "done",
            "slices": stats.slices,
            "exchange_seconds": stats.seconds,
            "exchange_us_per_slice": stats.per_slice_us,
        })  # fmt: skip
        link.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
