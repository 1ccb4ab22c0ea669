"""Helpers for distributed-run tests (imported by name, not through conftest, so they do not clash
with tests/ui/conftest.py): the venv's mpiexec, and a real ``spikedesk mpi-server``
subprocess on a free port with small limits so the refusal tests are cheap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

MPIEXEC = Path(sys.executable).parent / "mpiexec"
SPIKEDESK = Path(sys.executable).parent / "spikedesk"
TOKEN = "test-token-123"


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
