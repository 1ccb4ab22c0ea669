"""The C++/OpenMP engine in this process (the GIL is released while it computes)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from spikedesk.engine.driver import Chunk, stream
from spikedesk.project_files.project import Project


class EmbeddedBackend:
    name = "embedded"

    def run(
        self, project: Project, *, chunk: float = 100.0, cancel: threading.Event | None = None
    ) -> Iterator[Chunk]:
        return stream(project, chunk=chunk, cancel=cancel)
