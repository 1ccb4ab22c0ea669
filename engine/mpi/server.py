"""The HTTP service behind ``spikedesk mpi-server`` (tornado, which Panel already brings).

Endpoints (JSON unless noted; every one but ``/health`` needs ``Authorization: Bearer TOKEN``
when the server has a token):

- ``GET /health`` -> ``{"status": "ok"}``
- ``GET /info`` -> version, limits and default ranks
- ``POST /runs?ranks=R&threads=T&chunk=MS`` with a project JSON body -> ``200`` and a chunked
  body of frames (``frames``): ``accepted`` (with ``run_id``), the worker's ``started``,
  ``heartbeat``/``progress``, ``chunk``... and last ``done``, ``error`` or ``cancelled``.
  Refusals before the run starts are 4xx JSON ``{"error": ..., "message": ...}``.
- ``GET /runs`` -> every known run's status; ``GET /runs/ID`` -> one run's status
- ``DELETE /runs/ID`` -> cancel a run (``202``); closing the stream cancels it too.

The server never runs code from a request: the body must be a project that
``project_files`` validates, and the worker only reads that file.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import secrets
import signal
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import tornado.iostream
import tornado.web
from spikedesk.engine.mpi import frames, limits
from spikedesk.engine.mpi.jobs import JobError, JobSpec, Timeouts, WorkerJob

KEEP_FINISHED = 100
LOG = logging.getLogger("spikedesk.mpi-server")


@dataclass
class ServerConfig:
    token: str | None  # None: no authentication (only allowed on loopback)
    ranks: int = 2  # default ranks per run
    limits: limits.Limits = field(default_factory=limits.Limits)
    timeouts: Timeouts = field(default_factory=Timeouts)


def _now() -> float:
    return time.time()


@dataclass
class Run:
    id: str
    ranks: int
    threads: int
    duration: float
    status: str = "starting"  # starting, running, done, error, cancelled
    time: float = 0.0
    message: str = ""
    created: float = field(default_factory=_now)
    job: WorkerJob | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "ranks": self.ranks,
            "threads": self.threads,
            "time": self.time,
            "duration": self.duration,
            "message": self.message,
            "created": self.created,
            "pid": self.job.pid if self.job else None,
        }


class Registry:
    """The runs this server knows: active ones plus the last ``KEEP_FINISHED`` finished."""

    def __init__(self) -> None:
        self.runs: OrderedDict[str, Run] = OrderedDict()

    def active(self) -> int:
        return sum(r.status in ("starting", "running") for r in self.runs.values())

    def add(self, run: Run) -> None:
        self.runs[run.id] = run
        finished = [k for k, r in self.runs.items() if r.status not in ("starting", "running")]
        for key in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self.runs[key]


class Refused(Exception):
    """A request the server will not serve; becomes a 4xx JSON answer."""

    def __init__(self, status: int, error: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.extra = status, error, message, extra


class BaseHandler(tornado.web.RequestHandler):
    config: ServerConfig
    registry: Registry

    def initialize(self, config: ServerConfig, registry: Registry) -> None:
        self.config, self.registry = config, registry

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def answer(self, status: int, body: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def refuse(self, exc: Refused) -> None:
        if exc.status == 401:
            self.set_header("WWW-Authenticate", 'Bearer realm="spikedesk"')
        self.answer(exc.status, {"error": exc.error, "message": exc.message, **exc.extra})

    def write_error(self, status_code: int, **kwargs: object) -> None:
        # an unexpected exception: logged by tornado; the client sees no traceback
        reason = self._reason or "error"
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": reason.lower(), "message": reason}))

    def authenticate(self) -> None:
        token = self.config.token
        if token is None:
            return
        header = self.request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if not header:
            raise Refused(401, "unauthorized", "this server needs 'Authorization: Bearer TOKEN'")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise Refused(403, "forbidden", "the bearer token is not accepted")

    def prepare(self) -> None:
        try:
            self.authenticate()
        except Refused as exc:
            self.refuse(exc)


class HealthHandler(BaseHandler):
    def prepare(self) -> None:  # no authentication: says nothing but "I am here"
        pass

    def get(self) -> None:
        self.answer(200, {"status": "ok"})


class InfoHandler(BaseHandler):
    def get(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("spikedesk")
        except PackageNotFoundError:
            v = "unknown"
        self.answer(200, {
            "server": "spikedesk mpi-server",
            "version": v,
            "ranks": self.config.ranks,
            "limits": self.config.limits.as_dict(),
            "active_runs": self.registry.active(),
        })  # fmt: skip


class RunHandler(BaseHandler):
    def _run(self, run_id: str) -> Run:
        run = self.registry.runs.get(run_id)
        if run is None:
            raise tornado.web.HTTPError(404, reason=f"no run {run_id}")
        return run

    def get(self, run_id: str) -> None:
        self.answer(200, self._run(run_id).as_dict())

    def delete(self, run_id: str) -> None:
        run = self._run(run_id)
        if run.status not in ("starting", "running"):
            self.answer(409, {"error": "conflict", "message": f"run {run_id} is {run.status}"})
            return
        run.status, run.message = "cancelled", "cancelled by request"
        if run.job:
            run.job.kill()
        self.answer(202, run.as_dict())


def _query_number(handler: tornado.web.RequestHandler, name: str, kind: type, default):
    raw = handler.get_query_argument(name, None)
    if raw is None:
        return default
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    try:
        value = kind(raw)
    except ValueError:
        raise Refused(
            400, "bad query", f"{name}: expected {kind.__name__}, got {shown!r}"
        ) from None
    if not value > 0 or not math.isfinite(value):
        raise Refused(400, "bad query", f"{name}: must be a finite number > 0, got {shown}")
    return value


@tornado.web.stream_request_body
class RunsHandler(BaseHandler):
    """POST a project to run it and stream its frames; GET lists the runs."""

    def prepare(self) -> None:
        self._body = bytearray()
        self._too_big = False
        super().prepare()
        if self._finished:
            return
        cap = self.config.limits.max_body
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > cap:
            self._too_big = True  # read and drop the body, so that the client sees the 413
        self.request.connection.set_max_body_size(4 * cap + (1 << 20))

    def data_received(self, chunk: bytes) -> None:
        if self._too_big or len(self._body) + len(chunk) > self.config.limits.max_body:
            self._too_big = True
            self._body.clear()
            return
        self._body += chunk

    def get(self) -> None:
        self.answer(200, {"runs": [r.as_dict() for r in self.registry.runs.values()]})

    async def post(self) -> None:
        try:
            spec, run = self._admit()
        except Refused as exc:
            self.refuse(exc)
            return
        await self._stream(spec, run)

    def _admit(self) -> tuple[JobSpec, Run]:
        """Everything that can refuse the request, before anything is launched."""
        from spikedesk.engine import _core
        from spikedesk.project_files import io
        from spikedesk.project_files.validation import ProjectError

        lim = self.config.limits
        if self._too_big:
            raise Refused(413, "too large", f"the request body exceeds {lim.max_body} bytes")
        ranks = _query_number(self, "ranks", int, self.config.ranks)
        threads = _query_number(self, "threads", int, None)
        chunk = _query_number(self, "chunk", float, 100.0)
        if chunk < lim.min_chunk:
            raise Refused(400, "bad query", f"chunk: must be >= {lim.min_chunk:g} ms")
        if not self._body:
            raise Refused(400, "bad request", "the request body must be a project JSON object")
        try:
            data = json.loads(bytes(self._body))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
            raise Refused(400, "bad json", f"the body is not valid JSON: {exc}{where}") from None
        except RecursionError:
            raise Refused(400, "bad json", "the body's JSON is nested too deeply") from None
        except ValueError as exc:  # e.g. an integer with more digits than Python converts
            raise Refused(400, "bad json", f"the body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise Refused(400, "bad request", "the body must be a JSON object (a project)")
        try:
            project = io.from_dict(data, source="request")
        except ProjectError as exc:
            problems = [{"path": p.path, "message": p.message} for p in exc.problems]
            raise Refused(422, "invalid project", str(exc), problems=problems) from None
        except Exception:  # a bug of ours: logged here, a plain refusal for the client
            LOG.exception("reading a project failed")
            raise Refused(422, "invalid project", "the project could not be read") from None
        implemented = _core.models()
        for i, node in enumerate(project.nodes):
            if node.model not in implemented:
                message = f"nodes[{i}].model: {node.model} is not implemented by the engine"
                raise Refused(422, "invalid project", message)
        exceeded = limits.check(project, ranks, lim)
        if exceeded:
            raise Refused(422, "limit exceeded", "; ".join(e.message for e in exceeded),
                          limits=[e.limit for e in exceeded])  # fmt: skip
        if self.registry.active() >= lim.max_runs:
            self.set_header("Retry-After", "5")
            raise Refused(503, "busy", f"{lim.max_runs} runs are active; try again later")
        threads = min(threads or project.simulation.threads, lim.max_threads)
        spec = JobSpec(io.dumps(project), ranks, threads, chunk)
        run = Run(secrets.token_hex(8), ranks, threads, project.simulation.duration)
        self.registry.add(run)
        return spec, run

    async def _send(self, data: bytes) -> None:
        self.write(data)
        await self.flush()

    async def _stream(self, spec: JobSpec, run: Run) -> None:
        self.set_header("Content-Type", "application/vnd.spikedesk.frames")
        self.set_header("X-Run-Id", run.id)
        self._run = run
        run.job = WorkerJob(spec, self.config.timeouts)
        ended = False  # the worker's own done/error frame went out
        try:
            await run.job.start()
            await self._send(frames.pack({
                "type": "accepted", "run_id": run.id, "ranks": run.ranks,
                "threads": run.threads, "duration": run.duration,
            }))  # fmt: skip
            async for header, raw in run.job.frames():
                kind = header["type"]
                if kind == "started":
                    run.status = "running"
                elif kind in ("progress", "chunk"):
                    run.time = float(header.get("time", run.time))
                elif kind == "error":
                    run.status, run.message = "error", str(header.get("message", ""))
                elif kind == "done":
                    run.status = "done"
                await self._send(raw)
                ended = kind in ("done", "error")
        except tornado.iostream.StreamClosedError:  # the client went away: stop the run
            if run.status in ("starting", "running"):
                run.status, run.message = "cancelled", "the client disconnected"
            return
        except (JobError, OSError, frames.FrameError) as exc:
            output = getattr(exc, "output", "")
            LOG.warning("run %s failed: %s%s", run.id, exc, f"\n{output}" if output else "")
            if run.status != "cancelled":
                # the client learns what failed, not the workers' tracebacks or our paths
                message = str(exc) if isinstance(exc, JobError) else "the server could not run it"
                run.status, run.message = "error", message
        finally:
            run.job.kill()
        if not ended:
            kind = "error" if run.status == "error" else "cancelled"
            try:
                await self._send(frames.pack({"type": kind, "message": run.message}))
            except tornado.iostream.StreamClosedError:
                return
        self.finish()

    def on_connection_close(self) -> None:
        run: Run | None = getattr(self, "_run", None)
        if run is not None and run.status in ("starting", "running"):
            run.status, run.message = "cancelled", "the client disconnected"
            if run.job:
                run.job.kill()


def make_app(config: ServerConfig) -> tornado.web.Application:
    registry = Registry()
    args = {"config": config, "registry": registry}
    return tornado.web.Application(
        [
            (r"/health", HealthHandler, args),
            (r"/info", InfoHandler, args),
            (r"/runs", RunsHandler, args),
            (r"/runs/([0-9a-f]+)", RunHandler, args),
        ],
        registry=registry,
    )


async def serve(
    config: ServerConfig,
    address: str,
    port: int,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT, then kill every launch still running; ``announce(url)``
    once listening (port 0 picks a free port)."""
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    sockets = bind_sockets(port, address)
    app = make_app(config)
    server = HTTPServer(app, max_body_size=4 * config.limits.max_body + (1 << 20))
    server.add_sockets(sockets)
    host, bound = sockets[0].getsockname()[:2]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # stop cleanly, ending every launch
        loop.add_signal_handler(sig, stop.set)
    if announce:
        announce(f"http://{'[' + host + ']' if ':' in host else host}:{bound}")
    try:
        await stop.wait()
    finally:
        server.stop()
        for run in app.settings["registry"].runs.values():
            if run.job is not None:
                run.job.kill()
