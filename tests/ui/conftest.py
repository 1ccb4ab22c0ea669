"""Serve the studio in the test process on a free port; Playwright drives Debian's Chromium."""

from __future__ import annotations

import socket
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def studio_url():
    import panel as pn
    from spikedesk.app.serve_command import default_project_path, make_app

    port = free_port()
    server = pn.serve(
        {"/": make_app(default_project_path())},
        port=port,
        address="127.0.0.1",
        show=False,
        threaded=True,
        websocket_origin=[f"127.0.0.1:{port}"],
    )
    time.sleep(1.0)
    yield f"http://127.0.0.1:{port}/"
    server.stop()
