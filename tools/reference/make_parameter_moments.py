"""Generate the NEST 3.10 reference for parameter expressions (run by hand, output committed).

    /work/main/.venv/bin/python tools/reference/make_parameter_moments.py [OUT_DIR]

Each case is an expression of the parameter language (project_files/parameters), built on
NEST with ``parameters.to_nest`` (NEST's own functions and operators), evaluated by NEST for
N neurons (``I_e`` of iaf_psc_alpha: any real value is allowed) or N synapses (``weight`` and
``delay`` of one_to_one static synapses between two iaf_psc_alpha populations), for several
seeds. Writes tests/data/reference/parameter_moments.json: per case the values' count, mean,
std, min, max, and a histogram over fixed edges (the 0.5% .. 99.5% quantiles of the first
seed in 20 bins, plus one bin below and one above), per seed and pooled.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "reference"
N = 20000
SEEDS = (1, 2, 3)

# name -> (place, expression); place: "I_e" (node parameter), "weight", "delay"
CASES = {
    "uniform": ("I_e", "random.uniform(min=-2.0, max=3.0)"),
    "normal": ("I_e", "random.normal(mean=1.0, std=2.0)"),
    "lognormal": ("I_e", "random.lognormal(mean=0.5, std=0.4)"),
    "exponential": ("I_e", "random.exponential(beta=1.5)"),
    "uniform_int": ("I_e", "random.uniform_int(max=7)"),
    "redraw": ("I_e", "math.redraw(random.normal(mean=2.0, std=1.0), min=0.5, max=4.0)"),
    "clip": ("I_e", "math.min(math.max(random.normal(mean=0.0, std=1.0), -0.5), 1.0)"),
    "power": ("I_e", "2.0 * random.uniform() ** 2 - 1.0"),
    "reflected": (
        "I_e",
        "math.exp(random.normal(mean=0.0, std=0.5)) + 3.0 / (1.0 + random.uniform())",
    ),
    "conditional": (
        "I_e",
        "logic.conditional(random.uniform() < 0.3, random.normal(mean=5.0), -1.0)",
    ),
    "trig": (
        "I_e",
        "math.sin(random.uniform(min=0.0, max=3.0)) * math.cos(random.uniform(min=0.0, max=3.0))",
    ),
    "sum3": ("I_e", "random.uniform() + random.uniform() + random.uniform()"),
    "weight_redraw": (
        "weight",
        "math.redraw(random.normal(mean=20.0, std=5.0), min=5.0, max=40.0)",
    ),
    "weight_negative": ("weight", "-5.0 * random.lognormal(std=0.2)"),
    "delay_exponential": ("delay", "1.0 + random.exponential(beta=0.5)"),
    "delay_redraw": ("delay", "math.redraw(random.normal(mean=2.0, std=0.5), min=0.5, max=4.0)"),
}


def _parameters():
    """This checkout's project_files/parameters, loaded by path (the Python that has NEST may
    have another checkout of spikedesk installed); the package imports nothing outside itself."""
    import importlib.util

    if "sd_parameters" in sys.modules:
        return sys.modules["sd_parameters"]
    where = ROOT / "project_files" / "parameters"
    spec = importlib.util.spec_from_file_location(
        "sd_parameters", where / "__init__.py", submodule_search_locations=[str(where)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["sd_parameters"] = module
    spec.loader.exec_module(module)
    return module


def nest_values(place: str, expression: str, seed: int) -> np.ndarray:
    import nest

    parameters = _parameters()
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"rng_seed": seed, "resolution": 0.1})
    value = parameters.to_nest(parameters.parse(expression), nest)
    if place == "I_e":
        nodes = nest.Create("iaf_psc_alpha", N, params={"I_e": value})
        return np.asarray(nodes.get("I_e"), dtype=float)
    a = nest.Create("iaf_psc_alpha", N)
    b = nest.Create("iaf_psc_alpha", N)
    syn = {"synapse_model": "static_synapse", "weight": 1.0, "delay": 1.0, place: value}
    nest.Connect(a, b, "one_to_one", syn)
    conns = nest.GetConnections(a, b)
    sources = np.asarray(conns.get("source"))
    values = np.asarray(conns.get(place), dtype=float)
    return values[np.argsort(sources, kind="stable")]


def edges_of(values: np.ndarray) -> list[float]:
    lo, hi = np.quantile(values, [0.005, 0.995])
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    inner = np.linspace(lo, hi, 21)
    return [-np.inf, *inner.tolist(), np.inf]


def summary(values: np.ndarray, edges: list[float]) -> dict:
    counts, _ = np.histogram(values, bins=np.asarray(edges))
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "std": float(values.std()),
        "min": float(values.min()),
        "max": float(values.max()),
        "counts": [int(c) for c in counts],
    }


def main(out_dir: Path) -> None:
    import nest

    data: dict = {
        "generated": "by tools/reference/make_parameter_moments.py; do not edit by hand",
        "nest": nest.__version__,
        "n": N,
        "seeds": list(SEEDS),
        "cases": {},
    }
    for name, (place, expression) in CASES.items():
        runs = [nest_values(place, expression, seed) for seed in SEEDS]
        edges = edges_of(runs[0])
        pooled = np.concatenate(runs)
        data["cases"][name] = {
            "place": place,
            "expression": expression,
            "edges": [e if np.isfinite(e) else None for e in edges],
            "per_seed": [summary(r, edges) for r in runs],
            "pooled": summary(pooled, edges),
        }
        print(f"{name}: mean {pooled.mean():.4f} std {pooled.std():.4f}")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "parameter_moments.json"
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
