"""One rank's share of a distributed run, driven in lockstep with the other ranks.

Every rank builds only its own neurons (``gid % n_ranks == rank``) and the synapses onto them
(``driver._Run(..., rank=, n_ranks=)``), agrees with the others on the global delay extrema
(two allreduces) so that all ranks cut time into the same min-delay slices, and after every
slice exchanges its spikes with one ``Allgatherv`` (preceded by an ``Allgather`` of the
counts, one integer per rank). At the end of each chunk rank 0 gathers the ranks' recorded
events, concatenates them and sorts them stably by (time, sender): the engine records every
rank's events sorted that way, so the result is bit-identical to the single-process run.

This module imports mpi4py; import it only when running under ``mpiexec``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from mpi4py import MPI
from spikedesk.engine.driver import Chunk, Connections, Events, _Run
from spikedesk.engine.errors import EngineError
from spikedesk.project_files.project import Project

NO_DELAY = np.iinfo(np.int64).max


class RankFailedError(EngineError):
    """Another rank could not build its part of the network (this rank could)."""


@dataclass
class ExchangeStats:
    """Time spent in the per-slice spike exchange, including waiting for slower ranks."""

    slices: int = 0
    seconds: float = 0.0
    spikes: int = 0

    @property
    def per_slice_us(self) -> float:
        return 1e6 * self.seconds / self.slices if self.slices else 0.0


def merge_ranks(parts: list[Events], recorders: list[str]) -> Events:
    """Concatenate the ranks' events per recorder, then sort stably by (time, sender).
    A recorder without ``times`` (a correlation detector) holds device state that every
    rank computed from all spikes alike: rank 0's part is the result."""
    merged: Events = {}
    for rid in recorders:
        taken = [part[rid] for part in parts]
        if "times" not in taken[0]:
            merged[rid] = dict(taken[0])
            continue
        fields = {name: np.concatenate([t[name] for t in taken]) for name in taken[0]}
        keys = [fields["senders"], fields["times"]]
        if "targets" in fields:  # a weight_recorder: by (time, sender, target), as the engine
            keys.insert(0, fields["targets"])
        order = np.lexsort(keys)
        merged[rid] = {name: values[order] for name, values in fields.items()}
    return merged


def merge_connection_ranks(parts: list[Connections]) -> Connections:
    """Concatenate the ranks' synapse tables per connection and sort them stably by
    (source, target): a pair's synapses all live on the target's rank, so their creation
    order survives and the result equals the single-process table."""
    merged: Connections = {}
    for cid in parts[0]:
        fields = {
            name: np.concatenate([part[cid][name] for part in parts]) for name in parts[0][cid]
        }
        order = np.lexsort((fields["targets"], fields["sources"]))
        merged[cid] = {name: values[order] for name, values in fields.items()}
    return merged


class RankRun:
    """Build this rank's part of ``project``; every rank of ``comm`` must construct one.

    A build error on any rank is raised on every rank (the failing rank re-raises its own
    typed error, the others a ``RankFailedError`` naming it), so no rank is left waiting in a
    collective call for a rank that gave up.
    """

    def __init__(
        self,
        project: Project,
        comm: MPI.Comm,
        *,
        threads: int | None = None,
        seed: int | None = None,
        duration: float | None = None,
    ) -> None:
        self.comm = comm
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        error: Exception | None = None
        try:
            self.run = _Run(project, threads, seed, duration, rank=self.rank, n_ranks=self.size)
        except Exception as exc:  # every rank must reach the allgather below
            error = exc
        reports = comm.allgather(None if error is None else f"{error}")
        if error is not None:
            raise error
        failed = [(r, m) for r, m in enumerate(reports) if m is not None]
        if failed:
            raise RankFailedError(f"rank {failed[0][0]}: {failed[0][1]}")
        lo, hi = self.run.net.local_delay_extrema()
        lo = comm.allreduce(lo if lo > 0 else NO_DELAY, op=MPI.MIN)
        self.min_delay = 0 if lo == NO_DELAY else int(lo)  # 0: no synapses anywhere
        self.max_delay = int(comm.allreduce(hi, op=MPI.MAX))
        self.stats = ExchangeStats()
        self._counts = np.zeros(self.size, np.int64)

    @property
    def project(self) -> Project:
        return self.run.project

    @property
    def build_seconds(self) -> float:
        return self.run.build_seconds

    def _slice(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run one slice and exchange its spikes; a model failing on any rank stops every
        rank (the failing one raises its SimulationError, the others a RankFailedError)."""
        net = self.run.net
        try:
            return self._exchange(*net.run_slice())
        except RuntimeError as exc:
            error = self.run.failure(exc)
        self.comm.Allgather(np.array([-1], np.int64), self._counts)
        raise error

    def _exchange(
        self, gids: np.ndarray, lags: np.ndarray, offsets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All ranks' spikes of the slice: (gid, lag, precise offset) triples, the offset's
        float64 bits carried as an int64."""
        start = time.perf_counter()
        send = np.empty(3 * len(gids), np.int64)
        send[0::3], send[1::3] = gids, lags
        send[2::3] = np.ascontiguousarray(offsets, np.float64).view(np.int64)
        self.comm.Allgather(np.array([send.size], np.int64), self._counts)
        failed = np.flatnonzero(self._counts < 0)
        if failed.size:
            raise RankFailedError(f"rank {failed[0]}: a model failed during the run")
        received = np.empty(int(self._counts.sum()), np.int64)
        self.comm.Allgatherv(send, [received, self._counts])
        self.stats.seconds += time.perf_counter() - start
        self.stats.slices += 1
        self.stats.spikes += received.size // 3
        return received[0::3], received[1::3], np.ascontiguousarray(received[2::3]).view(np.float64)

    def _gather_events(self) -> Events:
        parts = self.comm.gather(self.run.take(), root=0)
        return merge_ranks(parts, self.run.recorders) if self.rank == 0 else {}

    def connections(self) -> Connections | None:
        """Every connection's synapses of all ranks, on rank 0 (None on the others); every
        rank must call it."""
        error: Exception | None = None
        try:
            table = self.run.connections()
        except Exception as exc:  # every rank must reach the gather below
            error, table = exc, {}
        parts = self.comm.gather(table, root=0)
        if error is not None:
            raise error
        return merge_connection_ranks(parts) if self.rank == 0 else None

    def chunks(
        self,
        chunk: float = 100.0,
        on_slice: Callable[[int], None] | None = None,
        connections: bool = False,
    ) -> Iterator[Chunk]:
        """Yield a ``Chunk`` every ``chunk`` ms on every rank (same step boundaries as
        ``driver.stream``); only rank 0's chunks carry events (and, with ``connections``,
        the last one the synapses of all ranks). ``on_slice(steps_done)`` runs after every
        slice (the worker uses it for heartbeats)."""
        if not chunk > 0:
            raise EngineError(f"chunk must be > 0 ms, got {chunk}")
        sim = self.run.project.simulation
        net = self.run.net
        total = int(round(sim.duration / sim.resolution))
        per_chunk = max(1, int(round(chunk / sim.resolution)))
        start = time.perf_counter()
        done = 0
        while done < total:
            steps = min(per_chunk, total - done)
            net.prepare(steps, self.min_delay, self.max_delay)
            while net.remaining > 0:
                net.deliver(*self._slice())
                if on_slice is not None:
                    on_slice(done + steps - net.remaining)
            done += steps
            events = self._gather_events()
            yield Chunk(
                time=done * sim.resolution,
                duration=sim.duration,
                wall=time.perf_counter() - start,
                events=events,
                node_ids=self.run.node_ids,
                positions=self.run.positions,
                connections=self.connections() if connections and done >= total else None,
            )
