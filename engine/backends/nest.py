"""nest-simulator in this process: the same ``Chunk`` stream as ``EmbeddedBackend``, so a
project can be checked against NEST itself.

NEST stays optional: it is imported when a run starts, never when spikedesk is imported
(``nest_available`` asks without importing it). The network is the one
``project_files.nest_translation`` describes, the same the PyNEST exporter writes out. A run
is ``Prepare``, one ``Run`` per chunk, then ``Cleanup``; after each chunk the recorders'
new events are taken (NEST keeps them all; an offset per recorder skips those handed out), in
spikedesk's layout (senders int64, times and recorded variables float64).

NEST's kernel is one per process and must always be driven from the same OS thread (a
``ResetKernel`` from a second thread, after the first has ended, crashes the process), so
every NEST call goes to one long-lived thread (``_on_nest_thread``), and runs take turns (a
lock); ``cancel`` is honoured between chunks and while waiting for the kernel.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from spikedesk.engine.driver import Chunk, Events
from spikedesk.engine.errors import EngineError, InvalidProjectError
from spikedesk.project_files import nest_translation
from spikedesk.project_files.project import Project
from spikedesk.project_files.validation import validate

_KERNEL = threading.Lock()  # NEST has one kernel per process: one run at a time
_NEST_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nest")  # its only caller


_IMPORTED_HERE = False  # whether _NEST_THREAD imported nest (else whoever did owns it)


def _on_nest_thread(call: Callable, *args: Any) -> Any:
    """``call(*args)`` on the thread NEST belongs to; its exception re-raised here.

    NEST works only on the thread that imported it (any other crashes the process). We import
    it on ``_NEST_THREAD``; if someone else imported it first (a script, a test), that was
    presumably the main thread, so calls run directly there and are refused elsewhere."""
    if _IMPORTED_HERE or "nest" not in sys.modules:
        return _NEST_THREAD.submit(call, *args).result()
    if threading.current_thread() is threading.main_thread():
        return call(*args)
    raise NESTRunError(
        "nest was imported by the main thread before spikedesk used it, and NEST can only "
        "be driven from the thread that imported it; run from the main thread, or let "
        "spikedesk import nest"
    )


class NESTUnavailableError(EngineError):
    """nest-simulator cannot be imported here."""

    def __init__(self, reason: object = None) -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            "the NEST backend needs nest-simulator, which is not installed in this Python"
            f"{detail}; install it with: pip install nest-simulator"
        )


class NESTRunError(EngineError):
    """NEST refused the network or failed while simulating it; the message is NEST's."""


def nest_available() -> bool:
    """Whether ``import nest`` would find nest-simulator (without importing it)."""
    try:
        return importlib.util.find_spec("nest") is not None
    except (ImportError, ValueError):
        return False


def import_nest() -> Any:
    """The ``nest`` module, quiet (no banner, errors only), imported on NEST's thread."""
    return _on_nest_thread(_import_nest)


def _import_nest() -> Any:
    global _IMPORTED_HERE
    before, first = _IMPORTED_HERE, "nest" not in sys.modules
    if first:  # on _NEST_THREAD (see _on_nest_thread): from now on NEST is its alone
        _IMPORTED_HERE = True
    os.environ.setdefault("PYNEST_QUIET", "1")
    try:
        import nest
    except Exception as exc:  # not installed, or broken (a missing shared library, ...)
        _IMPORTED_HERE = before
        reason = exc if isinstance(exc, ImportError) else f"{type(exc).__name__}: {exc}"
        raise NESTUnavailableError(reason) from None
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR
    except AttributeError:  # before NEST 3.9
        nest.set_verbosity("M_ERROR")
    return nest


def _nest_failure(exc: Exception, what: str) -> NESTRunError:
    message = str(exc).strip() or type(exc).__name__
    return NESTRunError(f"NEST {what}: {message}")


def _take(
    built: nest_translation.BuiltNetwork,
    taken: dict[str, int],
    status_of: tuple[nest_translation.NestRecorder, ...] = (),
    only: dict[str, tuple[str, ...]] | None = None,
) -> Events:
    """New events of every recorder since the last call, in spikedesk's layout. Inside a
    Prepare/Run/Cleanup context NEST refuses ``n_events = 0``, so ``taken`` remembers how many
    events of each recorder were handed out already."""
    events: Events = {}
    only = only or {}
    for rec in status_of:
        # correlation detectors: their status values so far (cumulative, as the engine's)
        values = built.handles[rec.id].get(list(rec.status))
        events[rec.id] = {
            k: np.asarray(v, dtype=np.int64 if k == "n_events" else np.float64)
            for k, v in values.items()
        }
    for rid, offset in taken.items():
        raw = built.handles[rid].get("events")
        fields = {}
        for name, values in raw.items():
            dtype = np.int64 if name in ("senders", "targets") else np.float64
            fields[name] = np.asarray(values, dtype=dtype)[offset:]
        fields.setdefault("senders", np.empty(0, dtype=np.int64))
        fields.setdefault("times", np.empty(0))
        taken[rid] = offset + len(fields["times"])
        events[rid] = _ours(fields, only.get(rid, ()))
    return events


def _ours(fields: dict[str, np.ndarray], only: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A weight recorder's events in spikedesk's layout: its fields (senders, targets, times,
    weights; not NEST's receptors and ports), ordered by (time, sender, target)."""
    if not only:
        return fields
    n = len(fields["times"])
    kept = {
        name: fields.get(name, np.empty(n, np.int64 if name == "targets" else np.float64))
        for name in only
    }
    order = np.lexsort((kept["targets"], kept["senders"], kept["times"]))
    return {name: values[order] for name, values in kept.items()}


class NESTBackend:
    name = "nest"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self.build_seconds = 0.0
        # after a run started: NEST's positions of every spatial node's neurons, (n, D)
        self.positions: dict[str, np.ndarray] = {}

    def run(
        self, project: Project, *, chunk: float = 100.0, cancel: threading.Event | None = None
    ) -> Iterator[Chunk]:
        if not chunk > 0:
            raise EngineError(f"chunk must be > 0 ms, got {chunk}")
        problems = validate(project)
        if problems:
            raise InvalidProjectError(problems)
        nest = import_nest()  # fails here, before the stream starts, when NEST is missing
        return self._stream(nest, project, chunk, cancel)

    def _stream(
        self, nest: Any, project: Project, chunk: float, cancel: threading.Event | None
    ) -> Iterator[Chunk]:
        while not _KERNEL.acquire(timeout=0.1):
            if cancel is not None and cancel.is_set():
                return
        try:
            yield from self._run_locked(nest, project, chunk, cancel)
        finally:
            _KERNEL.release()

    def _run_locked(
        self, nest: Any, project: Project, chunk: float, cancel: threading.Event | None
    ) -> Iterator[Chunk]:
        network = nest_translation.describe(project)
        if self.threads is not None:
            network.kernel["local_num_threads"] = int(self.threads)
        start = time.perf_counter()

        def build() -> nest_translation.BuiltNetwork:
            nest.ResetKernel()
            return nest_translation.build(nest, network)

        try:
            built = _on_nest_thread(build)
        except Exception as exc:
            raise _nest_failure(exc, "refused the network") from None
        self.build_seconds = time.perf_counter() - start
        self.positions = {k: np.asarray(v, dtype=float) for k, v in built.positions.items()}
        taken = {r.id: 0 for r in network.recorders if not r.status}
        detectors = tuple(r for r in network.recorders if r.status)
        only = {r.id: r.fields for r in network.recorders if r.fields}
        resolution = network.kernel["resolution"]
        total = int(round(network.duration / resolution))
        per_chunk = max(1, int(round(chunk / resolution)))

        def advance(steps: int) -> Events:
            nest.Run(steps * resolution)
            return _take(built, taken, detectors, only)

        start = time.perf_counter()
        done = 0
        prepared = False
        try:
            try:
                _on_nest_thread(nest.Prepare)
            except Exception as exc:
                raise _nest_failure(exc, "could not prepare the run") from None
            prepared = True
            while done < total:
                if cancel is not None and cancel.is_set():
                    return
                steps = min(per_chunk, total - done)
                try:
                    events = _on_nest_thread(advance, steps)
                except Exception as exc:
                    raise _nest_failure(exc, f"failed at {done * resolution:g} ms") from None
                done += steps
                yield Chunk(
                    time=done * resolution,
                    duration=network.duration,
                    wall=time.perf_counter() - start,
                    events=events,
                    node_ids=built.node_ids,
                )
        finally:
            if prepared:
                try:
                    _on_nest_thread(nest.Cleanup)
                except Exception:
                    pass
