"""The spikedesk simulator: a C++/OpenMP core (``_core``) and the driver that runs projects."""

import os

# Threads meet at a barrier every min-delay slice; spinning there wastes the CPU that the app,
# the browser or other threads need (measured: Brunel at 2 threads on a busy 2-core machine
# took 0.78 s spinning vs 0.17 s passive). libgomp reads this when it loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from spikedesk.engine.driver import (
    Chunk,
    Connections,
    Positions,
    Results,
    connections,
    merge,
    positions,
    simulate,
    stream,
)
from spikedesk.engine.errors import (
    EngineError,
    InsufficientMemoryError,
    InvalidProjectError,
    ParameterError,
    SimulationError,
)

__all__ = [
    "Chunk",
    "Connections",
    "EngineError",
    "InsufficientMemoryError",
    "InvalidProjectError",
    "ParameterError",
    "Results",
    "SimulationError",
    "Positions",
    "connections",
    "merge",
    "positions",
    "simulate",
    "stream",
]
