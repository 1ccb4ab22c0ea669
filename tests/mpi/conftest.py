"""Fixtures for distributed runs: the venv's mpiexec, and a real ``spikedesk mpi-server``
subprocess on a free port with small limits so the refusal tests are cheap."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

MPIEXEC = Path(sys.executable).parent / "mpiexec"
SPIKEDESK = Path(sys.executable).parent / "spikedesk"
TOKEN = "test-token-123"

if importlib.util.find_spec("mpi4py") is None or not MPIEXEC.exists():
    pytest.skip("needs the MPI extra: pip install '.[mpi]'", allow_module_level=True)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.mpi)


@dataclass
class Server:
    url: str
    token: str | None
    proc: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(*flags: str, token: str | None = TOKEN) -> Server:
    """Start ``spikedesk mpi-server --port 0`` and wait for the URL it announces. Its output
    goes to a file (a pipe nobody drains could fill up and stall the server)."""
    auth = ["--token", token] if token else []
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    log = Path(tempfile.mkstemp(prefix="mpi-server-", suffix=".log")[1])
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(SPIKEDESK), "mpi-server", "--port", "0", *auth, *flags],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        found = re.search(r"listening on (http://\S+)", log.read_text(errors="replace"))
        if found:
            return Server(found.group(1), token, proc, log)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("mpi-server did not start:\n" + log.read_text(errors="replace"))


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
    output = server.output()
    server.log.unlink(missing_ok=True)
    assert "Traceback" not in output, output


LIMIT_FLAGS = (
    "--max-ranks", "4", "--max-neurons", "5000", "--max-duration", "100000",
    "--max-body", "200000", "--max-runs", "6", "--heartbeat-timeout", "3",
)  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = start_server(*LIMIT_FLAGS)
    yield srv
    stop_server(srv)


def mpi_run(ranks: int, *args: str, threads: int = 1, timeout: float = 120) -> str:
    """``mpiexec -n ranks spikedesk run ...``; returns stdout, fails with the output."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run(
        [str(MPIEXEC), "-n", str(ranks), str(SPIKEDESK), "run", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout
