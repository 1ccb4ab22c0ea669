"""A studio served in the test process on a free port, with a fresh project store.
``Served.sessions`` holds the Python side of every page served."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    store: object
    sessions: list = field(default_factory=list)

    def last(self) -> dict:
        return self.sessions[-1]


def serve(folder: Path, start: str | None = None) -> tuple[Served, object]:
    import panel as pn
    from spikedesk.app.serve_command import make_app
    from spikedesk.app.store import ProjectStore

    store = ProjectStore(folder)
    port = free_port()
    served = Served(f"http://127.0.0.1:{port}/", store)
    server = pn.serve(
        {"/": make_app(store, start, served.sessions.append)},
        port=port,
        address="127.0.0.1",
        show=False,
        threaded=True,
        websocket_origin=[f"127.0.0.1:{port}"],
    )
    time.sleep(1.0)
    return served, server
