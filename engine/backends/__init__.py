"""Where a project runs. Every backend yields the same ``Chunk`` stream, so the app and the
command line do not care whether the engine is embedded or remote."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Protocol

from spikedesk.engine.driver import Chunk
from spikedesk.project_files.project import Project


class Backend(Protocol):
    name: str

    def run(
        self, project: Project, *, chunk: float, cancel: threading.Event | None = None
    ) -> Iterator[Chunk]: ...


from spikedesk.engine.backends.embedded import EmbeddedBackend  # noqa: E402
from spikedesk.engine.backends.mpi import (  # noqa: E402
    MPIAuthError,
    MPIBackend,
    MPIBackendError,
    MPIConnectionError,
    MPIRejectedError,
    MPIRunError,
)
from spikedesk.engine.backends.nest import (  # noqa: E402  (imports nest only when run)
    NESTBackend,
    NESTRunError,
    NESTUnavailableError,
    nest_available,
)

__all__ = [
    "Backend",
    "EmbeddedBackend",
    "MPIAuthError",
    "MPIBackend",
    "MPIBackendError",
    "MPIConnectionError",
    "MPIRejectedError",
    "MPIRunError",
    "NESTBackend",
    "NESTRunError",
    "NESTUnavailableError",
    "nest_available",
]
