"""The spikedesk simulator: a C++/OpenMP core (``_core``) and the driver that runs projects."""

from spikedesk.engine.driver import Chunk, Results, merge, simulate, stream
from spikedesk.engine.errors import (
    EngineError,
    InsufficientMemoryError,
    InvalidProjectError,
    ParameterError,
)

__all__ = [
    "Chunk",
    "EngineError",
    "InsufficientMemoryError",
    "InvalidProjectError",
    "ParameterError",
    "Results",
    "merge",
    "simulate",
    "stream",
]
