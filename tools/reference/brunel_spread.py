"""NEST's spread over seeds of the brunel.json example's statistics (output committed).

    .venv/bin/python tools/reference/brunel_spread.py [--seeds 20] [--project PATH]

Runs the project (project_files/examples/brunel.json; the same network is built in code if
that file is absent) on NEST 3.10 for each seed, with two extra spike recorders appended
after all other nodes (so no global id changes) recording every E and I neuron, and writes
mean/std/min/max of rate, CV of ISI and Fano factor per population to
tests/data/reference/brunel_spread.json. Statistics: tests/validation/spike_stats.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "validation"))  # shared statistics
from nest_runner import run_project  # noqa: E402
from spike_stats import (  # noqa: E402
    BIN_MS,
    T_SKIP_MS,
    population_stats,
    populations,
    with_recorders,
)

EXAMPLE = ROOT / "project_files" / "examples" / "brunel.json"


def builtin_brunel() -> dict:
    """Issue 3's network, brunel_delta_nest.py's neuron parameters (until brunel.json lands)."""
    neuron = {"E_L": 0.0, "V_m": 0.0, "V_reset": 0.0, "V_th": 20.0, "tau_m": 20.0, "t_ref": 2.0}

    def conn(cid, src, tgt, weight, rule):
        return {
            "id": cid,
            "source": src,
            "target": tgt,
            "rule": rule,
            "synapse": {"model": "static_synapse", "weight": weight, "delay": 1.5},
        }

    ind = {"rule": "fixed_indegree", "params": {"indegree": 80}}
    ini = {"rule": "fixed_indegree", "params": {"indegree": 20}}
    a2a = {"rule": "all_to_all", "params": {}}
    return {
        "name": "brunel",
        "simulation": {"duration": 1000.0, "resolution": 0.1, "seed": 1, "threads": 1},
        "nodes": [
            {"id": "E", "model": "iaf_psc_delta", "size": 800, "params": neuron},
            {"id": "I", "model": "iaf_psc_delta", "size": 200, "params": neuron},
            {"id": "noise", "model": "poisson_generator", "size": 1, "params": {"rate": 1000.0}},
        ],
        "connections": [
            conn("EE", "E", "E", 1.0, ind),
            conn("EI", "E", "I", 1.0, ind),
            conn("IE", "I", "E", -5.0, ini),
            conn("II", "I", "I", -5.0, ini),
            conn("noiseE", "noise", "E", 1.0, a2a),
            conn("noiseI", "noise", "I", 1.0, a2a),
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--project", type=Path, default=EXAMPLE)
    args = parser.parse_args()
    if args.project.exists():
        from spikedesk.project_files import io
        from validation_projects import project_dict

        base = project_dict(io.load(args.project))
        source = str(args.project.relative_to(ROOT))
    else:
        base = builtin_brunel()
        source = "builtin_brunel() in tools/reference/brunel_spread.py"
    data = with_recorders(base)
    duration = float(data["simulation"].get("duration", 1000.0))
    pe, pi = populations(data)
    samples: dict[str, list[float]] = {}
    for seed in range(1, args.seeds + 1):
        result = run_project(data, seed=seed, threads=1)
        for pop, tag in ((pe, "E"), (pi, "I")):
            ev = result["events"][f"validation_spikes_{pop}"]
            first, size = result["node_ids"][pop]
            stats = population_stats(ev["senders"], ev["times"], first, size, duration)
            for key, value in stats.items():
                samples.setdefault(f"{key}_{tag}", []).append(value)
        print(seed, {k: round(v[-1], 3) for k, v in samples.items()}, flush=True)
    summary = {
        key: {
            "mean": float(np.mean(v)),
            "std": float(np.std(v, ddof=1)),
            "min": float(np.min(v)),
            "max": float(np.max(v)),
            "values": v,
        }
        for key, v in samples.items()
    }
    out = {
        "generator": "tools/reference/brunel_spread.py",
        "nest_version": "3.10.0",
        "project_source": source,
        "project": base,
        "seeds": list(range(1, args.seeds + 1)),
        "threads": 1,
        "definitions": {
            "rate": "spikes / (size * duration), spikes/s, whole run",
            "cv_isi": f"mean over neurons with >= 3 spikes in [{T_SKIP_MS}, T) of std/mean ISI",
            "fano": f"population spike counts in {BIN_MS} ms bins over [{T_SKIP_MS}, T): var/mean",
        },
        "statistics": summary,
    }
    path = ROOT / "tests" / "data" / "reference" / "brunel_spread.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print({k: (round(s["mean"], 3), round(s["std"], 3)) for k, s in summary.items()})


if __name__ == "__main__":
    main()
