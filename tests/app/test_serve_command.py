"""``spikedesk serve`` as a user starts it: the page and every script come from the server."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from spikedesk.project_files import examples_dir

SPIKEDESK = Path(sys.executable).parent / "spikedesk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8", "replace")


def test_serve_opens_the_given_project_with_local_resources(tmp_path):
    port = free_port()
    store = tmp_path / "projects"
    proc = subprocess.Popen(
        [str(SPIKEDESK), "serve", str(examples_dir() / "single_neuron_dc.json"),
         "--port", str(port), "--projects", str(store)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline and page is None:
            try:
                page = get(f"http://127.0.0.1:{port}/")
            except OSError:
                time.sleep(0.3)
        assert page is not None, "the server did not answer"
        assert (store / "single_neuron_dc.json").is_file()
        scripts = re.findall(r'src="([^"]+)"', page)
        assert scripts and all(not s.startswith(("http://", "https://", "//")) for s in scripts)
        for src in scripts[:3]:
            assert get(f"http://127.0.0.1:{port}/{src.lstrip('./')}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_refuses_a_broken_project_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "spikedesk-project", "version": 1, "nodes": [{"id": "x"}]}')
    result = subprocess.run(
        [str(SPIKEDESK), "serve", str(bad), "--projects", str(tmp_path / "p")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "bad.json" in result.stderr and "model" in result.stderr
    assert not list((tmp_path / "p").glob("*.json"))
