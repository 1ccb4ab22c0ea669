"""``spikedesk mpi-server`` given the hostile inputs of issue 14: a 4xx answer every time,
never a 500, and nothing of the server's insides (paths, tracebacks) in what the client sees."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from mpi_tools import TOKEN
from networks import brunel
from spikedesk.project_files import io


def post(server, query: str, body: bytes):
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("POST", f"/runs{query}", body=body, headers={"Authorization": f"Bearer {TOKEN}"})
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, raw.decode("utf-8", "replace")


def brunel_dict() -> dict:
    return io.to_dict(brunel(50.0))


def with_sim(**values) -> bytes:
    data = brunel_dict()
    data["simulation"].update(values)
    return json.dumps(data).encode()


def with_node(**changes) -> bytes:
    data = brunel_dict()
    data["nodes"][0].update(changes)
    return json.dumps(data).encode()


CASES = {
    "duration 1e308": ("", with_sim(duration=1e308)),
    "resolution 1e308": ("", with_sim(resolution=1e308)),
    "resolution 1e-300": ("", with_sim(resolution=1e-300)),
    "integer 10**400": ("", with_sim(duration=10**400)),
    "threads 2**31": ("", with_sim(threads=2**31)),
    "5000 digits": ("", b'{"format": "spikedesk-project", "version": ' + b"9" * 5000 + b"}"),
    "deep nesting": ("", b"[" * 100_000 + b"]" * 100_000),
    "params a list": ("", with_node(params=[1, 2])),
    "size 10**400": ("", with_node(size=10**400)),
    "chunk inf": ("?chunk=inf", json.dumps(brunel_dict()).encode()),
    "chunk nan": ("?chunk=nan", json.dumps(brunel_dict()).encode()),
    "ranks huge": ("?ranks=" + "9" * 5000, json.dumps(brunel_dict()).encode()),
    "threads inf": ("?threads=inf", json.dumps(brunel_dict()).encode()),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_requests_are_4xx_without_server_insides(server, case):
    query, body = CASES[case]
    status, text = post(server, query, body)
    assert 400 <= status < 500, (status, text[:500])
    assert "Traceback" not in text and "/tmp/" not in text and "spikedesk-mpi-" not in text
    assert len(text) < 20_000
