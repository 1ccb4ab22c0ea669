"""Every example on spikedesk and on NEST: mean rate and CV of ISI per recorded population
over seeds, and the wall times of simulating; prints the Markdown table of
docs/nest-backend.md. Needs nest-simulator in this Python.

    .venv/bin/python tools/reference/compare_examples.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
from spikedesk.app.activity import population_stats
from spikedesk.engine import merge
from spikedesk.engine.backends import EmbeddedBackend, NESTBackend
from spikedesk.project_files import io

EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "project_files" / "examples").glob("*.json")
)


def measure(backend, project):
    chunks = list(backend.run(project, chunk=project.simulation.duration))
    events = merge([c.events for c in chunks])
    stats = population_stats(events, project, dict(chunks[-1].node_ids), chunks[-1].time)
    return stats, chunks[-1].wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print("| example | population | rate spikedesk | rate NEST | CV spikedesk | CV NEST "
          "| simulate spikedesk (s) | simulate NEST (s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for path in EXAMPLES:
        project = io.load(path)
        rows: dict[str, dict[str, list]] = {}
        walls = {"spikedesk": [], "NEST": []}
        for seed in range(1, args.seeds + 1):
            p = dataclasses.replace(
                project, simulation=dataclasses.replace(project.simulation, seed=seed)
            )
            for side, backend in (("spikedesk", EmbeddedBackend()), ("NEST", NESTBackend())):
                stats, wall = measure(backend, p)
                walls[side].append(wall)
                for i, pop in enumerate(stats["population"]):
                    row = rows.setdefault(pop, {})
                    row.setdefault(f"rate {side}", []).append(stats["rate (spikes/s)"][i])
                    row.setdefault(f"cv {side}", []).append(stats["CV ISI"][i])
        if not rows:
            rows["(no spike recorder)"] = {}
        for pop, row in rows.items():

            def cell(key: str, row=row) -> str:
                values = row.get(key)
                return f"{np.nanmean(values):.3g}" if values else "-"

            print(
                f"| {path.stem} | {pop} | {cell('rate spikedesk')} | {cell('rate NEST')} "
                f"| {cell('cv spikedesk')} | {cell('cv NEST')} "
                f"| {np.median(walls['spikedesk']):.3f} | {np.median(walls['NEST']):.3f} |"
            )


if __name__ == "__main__":
    main()
