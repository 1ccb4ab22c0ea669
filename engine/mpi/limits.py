"""What one request to ``spikedesk mpi-server`` may ask for. Checked after validation and
before anything is launched, so a too-large run costs the server nothing."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project


@dataclass(frozen=True)
class Limits:
    max_ranks: int = max(2, os.cpu_count() or 1)
    max_threads: int = os.cpu_count() or 1
    max_neurons: int = 200_000
    max_synapses: float = 50_000_000
    max_duration: float = 60_000.0  # ms of simulated time
    max_body: int = 8 << 20  # bytes of project JSON
    max_runs: int = 4  # runs at the same time
    min_chunk: float = 1.0  # ms; the smallest chunk a client may ask for (bounds the frames)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LimitExceeded:
    limit: str
    message: str


def neuron_count(project: Project) -> int:
    return sum(
        n.size for n in project.nodes if catalog.model(project.base_model(n.model)).kind == "neuron"
    )


def check(project: Project, ranks: int, limits: Limits) -> list[LimitExceeded]:
    """Every limit the request exceeds (empty when it may run)."""
    from spikedesk.engine.driver import estimate_synapses

    out = []
    if ranks > limits.max_ranks:
        out.append(
            LimitExceeded(
                "ranks", f"ranks: {ranks} exceeds the server's limit of {limits.max_ranks}"
            )
        )
    neurons = neuron_count(project)
    if neurons > limits.max_neurons:
        out.append(
            LimitExceeded(
                "neurons", f"neurons: {neurons} exceeds the server's limit of {limits.max_neurons}"
            )
        )
    synapses = estimate_synapses(project)
    if synapses > limits.max_synapses:
        out.append(
            LimitExceeded(
                "synapses",
                f"synapses: about {synapses:.0f} exceeds the server's limit of "
                f"{limits.max_synapses:.0f}",
            )
        )
    duration = project.simulation.duration
    if duration > limits.max_duration:
        out.append(
            LimitExceeded(
                "duration",
                f"simulation.duration: {duration:g} ms exceeds the server's limit of "
                f"{limits.max_duration:g} ms",
            )
        )
    return out
