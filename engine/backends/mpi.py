"""A client of ``spikedesk mpi-server``: the same ``Chunk`` stream as ``EmbeddedBackend``, from
a run spread over ``mpiexec -n R`` processes on another (or the same) machine.

Only the standard library speaks HTTP here (``http.client``), so the app needs nothing extra to
use a remote server; NumPy reads the chunk payloads (``.npz``, never pickles). Setting
``cancel`` ends the remote run at once (a watcher thread sends ``DELETE /runs/ID``), and the
stream stops at the next frame, like the embedded backend stops between chunks.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

from spikedesk.engine.driver import Chunk
from spikedesk.engine.errors import EngineError
from spikedesk.engine.mpi import frames
from spikedesk.project_files import io
from spikedesk.project_files.project import Project


class MPIBackendError(EngineError):
    """Base of everything that can go wrong with a remote MPI run."""


class MPIConnectionError(MPIBackendError):
    """The server cannot be reached (wrong URL, not running, network down)."""

    def __init__(self, url: str, reason: object) -> None:
        self.url = url
        super().__init__(f"cannot reach MPI server at {url}: {reason}")


class MPIAuthError(MPIBackendError):
    """The server wants a token, or does not accept the one given."""

    def __init__(self, url: str, status: int, message: str) -> None:
        self.url, self.status = url, status
        what = "needs a token" if status == 401 else "rejected the token"
        super().__init__(f"the MPI server at {url} {what}: {message}")


class MPIRejectedError(MPIBackendError):
    """The server refused the request: invalid project, limit exceeded, busy, ...;
    ``message`` is the server's, ``problems`` lists project problems (path, message)."""

    def __init__(self, status: int, error: str, message: str, problems: list | None = None):
        self.status, self.error, self.message = status, error, message
        self.problems = list(problems or [])
        super().__init__(f"the MPI server refused the run ({status} {error}): {message}")


class MPIRunError(MPIBackendError):
    """The run started but failed (a worker crashed or hung, the stream broke)."""


def _refusal(url: str, response: http.client.HTTPResponse) -> MPIBackendError:
    raw = response.read()
    try:
        body = json.loads(raw)
        message, error = str(body.get("message", "")), str(body.get("error", ""))
        problems = body.get("problems")
    except (ValueError, AttributeError):
        message, error, problems = raw.decode(errors="replace")[:500], response.reason, None
    if response.status in (401, 403):
        return MPIAuthError(url, response.status, message)
    return MPIRejectedError(response.status, error or response.reason, message, problems)


class MPIBackend:
    """Run projects on ``spikedesk mpi-server`` at ``url`` (e.g. ``http://127.0.0.1:8707``)
    with ``ranks`` MPI processes (``None``: the server's default) and the project's threads
    per rank (``threads`` overrides them; the server clamps to its limit)."""

    name = "mpi"

    def __init__(
        self,
        url: str,
        token: str | None = None,
        ranks: int | None = None,
        *,
        threads: int | None = None,
        timeout: float = 120.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise MPIBackendError(f"MPI server URL must be http(s)://host:port, got {url!r}")
        self.url = url.rstrip("/")
        self.token, self.ranks, self.threads, self.timeout = token, ranks, threads, timeout
        self._parts = parts

    def _connection(self) -> http.client.HTTPConnection:
        https = self._parts.scheme == "https"
        cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
        return cls(self._parts.hostname, self._parts.port, timeout=self.timeout)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _request(self, method: str, path: str) -> dict:
        """A small JSON request (``info``, ``status``, ``cancel_run``)."""
        conn = self._connection()
        try:
            conn.request(method, self._parts.path.rstrip("/") + path, headers=self._headers())
            response = conn.getresponse()
            if response.status >= 400:
                raise _refusal(self.url, response)
            return json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException) as exc:
            raise MPIConnectionError(self.url, exc) from None
        finally:
            conn.close()

    def info(self) -> dict:
        """The server's version, default ranks and limits (checks URL and token)."""
        return self._request("GET", "/info")

    def status(self, run_id: str) -> dict:
        return self._request("GET", f"/runs/{run_id}")

    def cancel_run(self, run_id: str) -> None:
        try:
            self._request("DELETE", f"/runs/{run_id}")
        except MPIRejectedError as exc:
            if exc.status != 409:  # 409: it has already ended
                raise

    def run(
        self, project: Project, *, chunk: float = 100.0, cancel: threading.Event | None = None
    ) -> Iterator[Chunk]:
        """Yield the remote run's chunks; errors are ``MPIBackendError`` subclasses. Lazy like
        ``EmbeddedBackend.run``: nothing is sent before the first ``next()``."""
        query = {"chunk": repr(float(chunk))}
        if self.ranks is not None:
            query["ranks"] = str(self.ranks)
        if self.threads is not None:
            query["threads"] = str(self.threads)
        path = f"{self._parts.path.rstrip('/')}/runs?{urlencode(query)}"
        body = io.dumps(project).encode()
        headers = {**self._headers(), "Content-Type": "application/json"}
        conn = self._connection()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise MPIConnectionError(self.url, exc) from None
        if response.status != 200:
            error = _refusal(self.url, response)
            conn.close()
            raise error
        yield from self._chunks(conn, response, response.getheader("X-Run-Id", ""), cancel)

    def _chunks(
        self,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        run_id: str,
        cancel: threading.Event | None,
    ) -> Iterator[Chunk]:
        finished = threading.Event()
        if cancel is not None:
            threading.Thread(
                target=self._watch, args=(cancel, finished, run_id), daemon=True
            ).start()
        try:
            while True:
                if cancel is not None and cancel.is_set():
                    return
                try:
                    frame = frames.read(response)
                except (OSError, http.client.HTTPException, frames.FrameError) as exc:
                    raise MPIRunError(f"the stream from {self.url} broke: {exc}") from None
                if frame is None:
                    raise MPIRunError(f"{self.url} ended the stream before the run finished")
                header, payload = frame
                kind = header["type"]
                if kind == "chunk":
                    yield Chunk(
                        time=float(header["time"]),
                        duration=float(header["duration"]),
                        wall=float(header["wall"]),
                        events=frames.decode_events(header["arrays"], payload),
                        node_ids={k: (int(a), int(b)) for k, (a, b) in header["node_ids"].items()},
                    )
                elif kind == "error":
                    raise MPIRunError(f"the MPI run failed: {header.get('message', '')}")
                elif kind in ("done", "cancelled"):
                    return
        finally:
            finished.set()
            conn.close()

    def _watch(self, cancel: threading.Event, finished: threading.Event, run_id: str) -> None:
        while not finished.is_set():
            if cancel.wait(0.05):
                if not finished.is_set():
                    try:
                        self.cancel_run(run_id)
                    except MPIBackendError:
                        pass  # closing the stream cancels the run as well
                return
