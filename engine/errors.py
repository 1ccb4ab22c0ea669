"""Errors the engine raises before it allocates anything, each naming what is wrong."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error a simulation can raise."""


class ParameterError(EngineError, ValueError):
    """A node or connection carries a value the engine cannot simulate."""

    def __init__(self, node: str, parameter: str, value: object, reason: str) -> None:
        self.node, self.parameter, self.value, self.reason = node, parameter, value, reason
        super().__init__(f"{node}.{parameter} = {value!r}: {reason}")


class InvalidProjectError(EngineError, ValueError):
    """The project does not validate; ``problems`` lists every problem found."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p.path}: {p.message}" for p in problems)
        super().__init__(f"the project has {len(problems)} problem(s):\n{lines}")


class SimulationError(EngineError, RuntimeError):
    """A model failed during the run (e.g. its ODE solver did not converge); ``node`` names
    the node whose neurons failed, ``step`` the time (ms) the run had reached."""

    def __init__(self, node: str, reason: str, time: float) -> None:
        self.node, self.reason, self.time = node, reason, time
        super().__init__(f"{node}: {reason} (simulation stopped at {time:g} ms)")


class InsufficientMemoryError(EngineError, MemoryError):
    """The network would not fit into the memory that is available now."""

    def __init__(self, needed_bytes: int, available_bytes: int) -> None:
        self.needed_bytes, self.available_bytes = needed_bytes, available_bytes
        super().__init__(
            f"the network needs about {needed_bytes / 2**30:.2f} GiB but only "
            f"{available_bytes / 2**30:.2f} GiB are available"
        )
