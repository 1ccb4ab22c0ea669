"""Generate the NEST 3.10 reference for spatial connections (run by hand, output committed).

    .venv/bin/python tools/reference/make_spatial_statistics.py [OUT_DIR]

(a Python with nest-simulator and this checkout of spikedesk installed). Each case of
tests/validation/spatial_stats.py (loaded by its path: the cases and the statistics live
there, shared with the engine's test) is read as a spikedesk project, translated by
``project_files.nest_translation`` (the translation the PyNEST export and the NEST backend
use), built on NEST for every seed of ``spatial_stats.SEEDS``, and summarised by
``spatial_stats.statistics`` from NEST's GetConnections and GetPosition. Writes
tests/data/reference/spatial_statistics.json: per case the project, the histogram edges, the
per-seed statistics and, for grid layers, NEST's positions of a few neurons.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "reference"


def _stats_module():
    path = ROOT / "tests" / "validation" / "spatial_stats.py"
    spec = importlib.util.spec_from_file_location("spatial_stats", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["spatial_stats"] = module
    spec.loader.exec_module(module)
    return module


def run_on_nest(nest, data: dict) -> tuple[dict, dict]:
    """NEST's connection table of ``"c"`` and the positions of every node."""
    from spikedesk.project_files import io, nest_translation

    project = io.from_dict(data)
    nest.ResetKernel()
    built = nest_translation.build(nest, nest_translation.describe(project))
    conn = data["connections"][0]
    found = nest.GetConnections(built.handles[conn["source"]], built.handles[conn["target"]])
    table = {
        "sources": np.asarray(found.get("source"), dtype=np.int64).reshape(-1),
        "targets": np.asarray(found.get("target"), dtype=np.int64).reshape(-1),
        "weights": np.asarray(found.get("weight"), dtype=float).reshape(-1),
        "delays": np.asarray(found.get("delay"), dtype=float).reshape(-1),
    }
    positions = {nid: np.asarray(p, dtype=float) for nid, p in built.positions.items()}
    return table, positions


def main(out_dir: Path) -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    try:
        nest.verbosity = nest.VerbosityLevel.ERROR
    except AttributeError:
        nest.set_verbosity("M_ERROR")
    stats = _stats_module()
    data: dict = {
        "generated": "by tools/reference/make_spatial_statistics.py; do not edit by hand",
        "nest": nest.__version__,
        "seeds": list(stats.SEEDS),
        "bins": stats.BINS,
        "cases": {},
    }
    for name, case in stats.CASES.items():
        start = time.perf_counter()
        per_seed = []
        samples = {}
        for seed in stats.SEEDS:
            table, positions = run_on_nest(nest, stats.project_for(case, seed))
            summary = stats.statistics(case, seed, table, positions)
            if summary["edge_margin"] < stats.EDGE_MARGIN:
                raise SystemExit(
                    f"{name}, seed {seed}: a connected pair lies {summary['edge_margin']:.2g} "
                    "from a histogram edge; choose another rmax"
                )
            per_seed.append(summary)
            if seed == stats.SEEDS[0]:
                samples = {
                    nid: {str(i): positions[nid][i].tolist() for i in picks}
                    for nid, picks in stats.grid_samples(case).items()
                }
        data["cases"][name] = {
            "project": case["project"],
            "rmax": case["rmax"],
            "per_seed": per_seed,
            "grid_positions": samples,
        }
        counts = [s["n"] for s in per_seed]
        print(f"{name}: connections {np.mean(counts):.1f} +- {np.std(counts):.1f} "
              f"({time.perf_counter() - start:.1f} s)")  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "spatial_statistics.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
