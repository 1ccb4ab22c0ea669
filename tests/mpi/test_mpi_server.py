"""``spikedesk mpi-server`` over real HTTP: authentication, refusals with clear messages,
limits, failure detection (a killed or frozen worker), concurrent runs, cancel, and the
refusal to run without a token on a public address."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from mpi_tools import LIMIT_FLAGS, SPIKEDESK, TOKEN, start_server, stop_server
from networks import brunel
from spikedesk.engine import merge, simulate
from spikedesk.engine.backends import (
    MPIAuthError,
    MPIBackend,
    MPIConnectionError,
    MPIRejectedError,
    MPIRunError,
)
from spikedesk.engine.mpi import frames, processes
from spikedesk.project_files import io


def request(server, method, path, body=None, token=TOKEN, headers=None):
    """(status, parsed JSON, response headers) of one plain request."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=hdrs)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, json.loads(raw) if raw else None, response.msg


def project_json(project=None) -> bytes:
    return io.dumps(project or brunel(100.0)).encode()


def test_health_needs_no_token(server):
    assert request(server, "GET", "/health", token=None)[:2] == (200, {"status": "ok"})


def test_a_token_is_required(server):
    status, body, headers = request(server, "POST", "/runs", project_json(), token=None)
    assert status == 401
    assert "Bearer" in headers["WWW-Authenticate"]
    assert "Authorization: Bearer" in body["message"]
    assert request(server, "GET", "/info", token=None)[0] == 401


def test_a_wrong_token_is_rejected(server):
    status, body, _ = request(server, "POST", "/runs", project_json(), token="wrong")
    assert status == 403 and "token" in body["message"]
    with pytest.raises(MPIAuthError, match="rejected the token"):
        list(MPIBackend(server.url, token="wrong").run(brunel(50.0)))
    with pytest.raises(MPIAuthError, match="needs a token"):
        MPIBackend(server.url).info()


def test_malformed_json_is_a_400_naming_the_position(server):
    status, body, _ = request(server, "POST", "/runs", b'{"nodes": [1, 2,]}')
    assert status == 400
    assert "not valid JSON" in body["message"] and "column" in body["message"]
    status, body, _ = request(server, "POST", "/runs", b"[1, 2]")
    assert status == 400 and "JSON object" in body["message"]
    status, body, _ = request(server, "POST", "/runs", b"")
    assert status == 400 and "project" in body["message"]
    status, body, _ = request(server, "POST", "/runs", b"[" * 100_000 + b"]" * 100_000)
    assert status == 400 and "JSON" in body["message"]
    status, body, _ = request(server, "POST", "/runs?chunk=abc", project_json())
    assert status == 400 and "chunk" in body["message"]


def test_an_unknown_model_is_a_422_naming_the_node(server):
    data = json.loads(project_json())
    data["nodes"][1]["model"] = "hal_9000"
    status, body, _ = request(server, "POST", "/runs", json.dumps(data).encode())
    assert status == 422
    assert body["error"] == "invalid project"
    assert any("hal_9000" in p["message"] and p["path"].startswith("nodes[1]")
               for p in body["problems"])  # fmt: skip
    backend = MPIBackend(server.url, token=TOKEN)
    with pytest.raises(MPIRejectedError, match="hal_9000") as caught:
        list(backend.run(_raw(data)))
    assert caught.value.status == 422 and caught.value.problems


class _raw:
    """A stand-in project whose JSON the client sends as is (to send invalid projects)."""

    def __init__(self, data):
        self.data = data


@pytest.fixture(autouse=True)
def _send_raw_projects(monkeypatch):
    from spikedesk.engine.backends import mpi

    real = mpi.io.dumps
    monkeypatch.setattr(
        mpi.io, "dumps", lambda p: json.dumps(p.data) if isinstance(p, _raw) else real(p)
    )


def test_an_oversized_body_is_a_413(server):
    big = b'{"name": "' + b"x" * 300_000 + b'"}'
    status, body, _ = request(server, "POST", "/runs", big)
    assert status == 413 and "200000 bytes" in body["message"]


@pytest.mark.parametrize(
    "query,project,limit",
    [
        ("?ranks=8", brunel(100.0), "ranks: 8 exceeds the server's limit of 4"),
        ("", None, "neurons: 5200 exceeds the server's limit of 5000"),
        ("", brunel(200_000.0), "simulation.duration: 200000 ms exceeds"),
    ],
    ids=["ranks", "neurons", "duration"],
)
def test_limits_are_enforced(server, query, project, limit):
    if project is None:
        data = json.loads(project_json())
        data["nodes"][1]["size"] = 5000
        body = json.dumps(data).encode()
    else:
        body = project_json(project)
    status, answer, _ = request(server, "POST", "/runs" + query, body)
    assert status == 422 and answer["error"] == "limit exceeded"
    assert limit in answer["message"]


def test_an_unreachable_server_is_a_clear_error():
    with pytest.raises(MPIConnectionError, match=r"cannot reach MPI server at http://127.0.0.1:9"):
        list(MPIBackend("http://127.0.0.1:9", token=TOKEN).run(brunel(10.0)))


def _open_stream(server, project, query="?ranks=2&chunk=10"):
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("POST", "/runs" + query, body=project_json(project),
                 headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    response = conn.getresponse()
    assert response.status == 200
    return conn, response


def _until(response, kinds):
    while True:
        header, _ = frames.read(response)
        if header["type"] in kinds:
            return header


def _ranks_of(server, run_id):
    pid = request(server, "GET", f"/runs/{run_id}")[1]["pid"]
    marker = b"spikedesk.engine.mpi.worker"
    return [
        p for p in processes.descendants(pid) if marker in Path(f"/proc/{p}/cmdline").read_bytes()
    ]


@pytest.mark.parametrize("how", ["kill", "freeze"])
def test_a_failed_worker_is_an_error_and_the_server_keeps_serving(server, how):
    conn, response = _open_stream(server, brunel(90_000.0))
    run_id = _until(response, {"accepted"})["run_id"]
    _until(response, {"chunk"})
    ranks = _ranks_of(server, run_id)
    assert len(ranks) == 2
    os.kill(ranks[-1], signal.SIGKILL if how == "kill" else signal.SIGSTOP)
    start = time.monotonic()
    final = _until(response, {"error", "done"})
    waited = time.monotonic() - start
    conn.close()
    assert final["type"] == "error", final
    assert waited < (5 if how == "kill" else 10), waited  # heartbeat timeout: 3 s
    assert "MPI workers" in final["message"]
    status = request(server, "GET", f"/runs/{run_id}")[1]
    assert status["status"] == "error"
    deadline = time.monotonic() + 5
    while any(os.path.exists(f"/proc/{p}") for p in ranks) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{p}") for p in ranks), "ranks left running"
    # the server serves the next run as usual
    chunks = list(MPIBackend(server.url, token=TOKEN, ranks=2).run(brunel(50.0), chunk=25.0))
    assert [c.time for c in chunks] == [25.0, 50.0]


def test_the_client_sees_a_worker_failure_as_MPIRunError(server):
    backend = MPIBackend(server.url, token=TOKEN, ranks=2)
    stream = backend.run(brunel(90_000.0), chunk=10.0)
    next(stream)
    run = [r for r in request(server, "GET", "/runs")[1]["runs"] if r["status"] == "running"]
    os.kill(_ranks_of(server, run[-1]["id"])[0], signal.SIGKILL)
    with pytest.raises(MPIRunError, match="MPI run failed"):
        for _ in stream:
            pass


def test_two_clients_run_at_the_same_time(server):
    projects = [brunel(300.0), brunel(250.0)]
    results, errors = [None, None], []

    def client(i):
        try:
            backend = MPIBackend(server.url, token=TOKEN, ranks=2)
            results[i] = merge([c.events for c in backend.run(projects[i], chunk=50.0)])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    for project, got in zip(projects, results, strict=True):
        reference = simulate(project).events
        for rid, fields in reference.items():
            for name, values in fields.items():
                np.testing.assert_array_equal(got[rid][name], values)


def test_cancel_stops_the_remote_run(server):
    backend = MPIBackend(server.url, token=TOKEN, ranks=2)
    cancel = threading.Event()
    stream = backend.run(brunel(90_000.0), chunk=10.0, cancel=cancel)
    first = next(stream)
    assert first.time == 10.0
    runs = request(server, "GET", "/runs")[1]["runs"]
    run_id = [r for r in runs if r["status"] == "running"][-1]["id"]
    ranks = _ranks_of(server, run_id)
    cancel.set()
    start = time.monotonic()
    rest = list(stream)
    assert time.monotonic() - start < 5
    assert len(rest) < 100
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = request(server, "GET", f"/runs/{run_id}")[1]
        if status["status"] == "cancelled" and not any(os.path.exists(f"/proc/{p}") for p in ranks):
            break
        time.sleep(0.1)
    assert status["status"] == "cancelled"
    assert not any(os.path.exists(f"/proc/{p}") for p in ranks)
    assert request(server, "DELETE", f"/runs/{run_id}")[0] == 409
    assert request(server, "GET", "/runs/0123abcd")[0] == 404


def test_insecure_is_refused_on_a_public_address():
    proc = subprocess.run(
        [str(SPIKEDESK), "mpi-server", "--address", "0.0.0.0", "--port", "0", "--insecure"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--insecure is refused on 0.0.0.0" in proc.stderr


def test_insecure_on_loopback_needs_no_token():
    srv = start_server("--insecure", token=None)
    try:
        assert request(srv, "GET", "/info", token=None)[0] == 200
        chunks = list(MPIBackend(srv.url, ranks=1).run(brunel(40.0), chunk=20.0))
        assert chunks[-1].time == 40.0
    finally:
        stop_server(srv)


def test_stopping_the_server_ends_its_runs():
    srv = start_server(*LIMIT_FLAGS)
    try:
        conn, response = _open_stream(srv, brunel(90_000.0))
        run_id = _until(response, {"accepted"})["run_id"]
        _until(response, {"chunk"})
        ranks = _ranks_of(srv, run_id)
        assert ranks
    finally:
        stop_server(srv)
    assert srv.proc.returncode == 0
    deadline = time.monotonic() + 5
    while any(os.path.exists(f"/proc/{p}") for p in ranks) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{p}") for p in ranks), "ranks outlived the server"
    conn.close()
