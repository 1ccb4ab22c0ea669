"""One run on the server: an ``mpiexec -n R`` launch of ``worker``, the Unix socket its rank
0 streams frames into, and the watchdog that turns a crashed or silent launch into an error.

Failure detection, in order of speed: rank 0 closes the socket when it dies (a crash of any
other rank makes mpiexec end rank 0 too), mpiexec exits before connecting, or no frame
arrives for ``heartbeat_timeout`` s (a rank hangs: rank 0 waits in a collective and its slice
loop stops sending progress). Every ending kills the whole process tree.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from spikedesk.engine.mpi import frames, processes
from spikedesk.engine.mpi.environment import SIZE_VARIABLES, mpiexec_path
from spikedesk.engine.mpi.worker import KEY_VARIABLE


class JobError(Exception):
    """The launch failed; the message says how. ``output`` holds the tail of the workers'
    output (tracebacks, paths): for the server's log, never for the client."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


@dataclass(frozen=True)
class Timeouts:
    start: float = 60.0  # s from launch until rank 0 connects
    build: float = 600.0  # s from connecting until every rank has built its network
    heartbeat: float = 10.0  # s without any frame while running


@dataclass(frozen=True)
class JobSpec:
    project_json: str
    ranks: int
    threads: int
    chunk: float


def _worker_env(threads: int, key: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in list(env):  # a server started under mpiexec must not pass its rank on
        if name in SIZE_VARIABLES or name.startswith(("PMI_", "PMIX_", "OMPI_", "HYDRA_")):
            del env[name]
    env["OMP_NUM_THREADS"] = str(threads)
    env[KEY_VARIABLE] = key
    return env


class WorkerJob:
    """Launch with ``await start()``, read with ``async for header, raw in frames()``,
    end with ``kill()`` (idempotent; ``frames()`` always ends with it)."""

    def __init__(self, spec: JobSpec, timeouts: Timeouts) -> None:
        self.spec, self.timeouts = spec, timeouts
        self.key = secrets.token_hex(16)
        self.dir = Path(tempfile.mkdtemp(prefix="spikedesk-mpi-"))
        self.proc: asyncio.subprocess.Process | None = None
        self._connected: asyncio.Future = asyncio.get_running_loop().create_future()
        self._server: asyncio.AbstractServer | None = None
        self.ended = False  # kill() was called; a launch still under way is ended at once

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self) -> None:
        (self.dir / "project.json").write_text(self.spec.project_json, encoding="utf-8")
        sock = str(self.dir / "w.sock")
        self._server = await asyncio.start_unix_server(self._accept, path=sock)
        os.chmod(sock, 0o600)
        command = [
            str(mpiexec_path()), "-n", str(self.spec.ranks),
            sys.executable, "-m", "spikedesk.engine.mpi.worker",
            "--socket", sock, "--threads", str(self.spec.threads),
            "--chunk", repr(self.spec.chunk), str(self.dir / "project.json"),
        ]  # fmt: skip
        with open(self.dir / "output.log", "wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=_worker_env(self.spec.threads, self.key),
                start_new_session=True,
            )
        if self.ended:  # cancelled while launching
            self.kill()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._connected.done():  # only rank 0 of this launch may connect, once
            writer.close()
            return
        self._connected.set_result((reader, writer))

    def output_tail(self, limit: int = 1500) -> str:
        try:
            text = (self.dir / "output.log").read_bytes()[-limit:].decode(errors="replace")
        except OSError:
            return ""
        return text.strip()

    def _failure(self, what: str) -> JobError:
        return JobError(what, self.output_tail())

    async def _connection(self) -> asyncio.StreamReader:
        exited = asyncio.ensure_future(self.proc.wait())
        try:
            done, _ = await asyncio.wait(
                {self._connected, exited},
                timeout=self.timeouts.start,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            exited.cancel()
        if self._connected.done():
            return self._connected.result()[0]
        if done:
            raise self._failure(f"the MPI workers exited with code {self.proc.returncode}")
        raise self._failure(f"the MPI workers did not start within {self.timeouts.start:g} s")

    async def _frame(self, reader: asyncio.StreamReader, timeout: float) -> tuple[dict, bytes]:
        try:
            prefix = await asyncio.wait_for(reader.readexactly(frames.PREFIX.size), timeout)
            header_len, payload_len = frames.unpack_prefix(prefix)
            body = await asyncio.wait_for(reader.readexactly(header_len + payload_len), timeout)
        except TimeoutError:
            raise self._failure(f"the MPI workers sent nothing for {timeout:g} s") from None
        except asyncio.IncompleteReadError:
            await self._reap(2.0)
            code = self.proc.returncode
            how = f"exited with code {code}" if code is not None else "closed the connection"
            raise self._failure(f"the MPI workers {how} before the run finished") from None
        return frames.parse_header(body[:header_len]), prefix + body

    async def frames(self) -> AsyncIterator[tuple[dict, bytes]]:
        """The worker's frames (header, raw bytes) after ``hello``, through ``done`` or
        ``error``; raises ``JobError`` when the launch fails, always kills at the end."""
        try:
            reader = await self._connection()
            header, _ = await self._frame(reader, self.timeouts.heartbeat)
            if header.get("type") != "hello" or not hmac.compare_digest(
                str(header.get("key", "")), self.key
            ):
                raise JobError("the worker did not identify itself")
            building, deadline = True, time.monotonic() + self.timeouts.build
            while True:
                header, raw = await self._frame(reader, self.timeouts.heartbeat)
                kind = header.get("type")
                if building and kind == "heartbeat" and time.monotonic() > deadline:
                    raise self._failure(
                        f"the MPI workers did not build the network in {self.timeouts.build:g} s"
                    )
                if kind in ("started", "error"):
                    building = False
                yield header, raw
                if kind in ("done", "error"):
                    await self._reap(5.0)
                    return
        finally:
            self.kill()

    async def _reap(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.proc.wait(), timeout)

    def kill(self) -> None:
        """End the launch (every process of it) and remove its files; safe to repeat."""
        self.ended = True
        if self.proc is not None and self.proc.returncode is None:
            processes.kill_tree(self.proc.pid)
        if self._server is not None:
            self._server.close()
            self._server = None
        shutil.rmtree(self.dir, ignore_errors=True)
