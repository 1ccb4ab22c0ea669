"""The Brunel example's statistics inside NEST's spread over 20 seeds.

tools/reference/brunel_spread.py ran the network on NEST 3.10 for seeds 1..20 and stored
mean, std, min and max of rate, mean CV of ISI and population Fano factor (5 ms bins) for
E and I. One spikedesk run is one more draw from the same distribution if the engine is
right, so each statistic must lie within mean +- 4 std of NEST's seeds (a false failure
rate below 1e-4 per statistic for roughly normal statistics; the run is deterministic for a
fixed seed, so a pass is stable). The rate is also checked to 10% of NEST's mean, a
tighter, absolute bound than 4 std (about 18%).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spike_stats import population_stats, populations, with_recorders
from spikedesk.engine import simulate
from validation_projects import build_project, load_manifest, project_dict

SPREAD = load_manifest("brunel_spread.json")
EXAMPLE = Path(__file__).resolve().parents[2] / "project_files" / "examples" / "brunel.json"


@pytest.fixture(scope="module")
def measured() -> dict[str, float]:
    data = with_recorders(SPREAD["project"])
    project = build_project(data)
    results = simulate(project, threads=2, seed=12345)
    out = {}
    for pop, tag in zip(populations(data), ("E", "I"), strict=True):
        ev = results.events[f"validation_spikes_{pop}"]
        first, size = results.node_ids[pop]
        stats = population_stats(
            ev["senders"], ev["times"], first, size, project.simulation.duration
        )
        out.update({f"{k}_{tag}": v for k, v in stats.items()})
    return out


@pytest.mark.parametrize("stat", sorted(SPREAD["statistics"]))
def test_inside_nest_spread(stat: str, measured: dict[str, float]) -> None:
    ref = SPREAD["statistics"][stat]
    low, high = ref["mean"] - 4 * ref["std"], ref["mean"] + 4 * ref["std"]
    assert low <= measured[stat] <= high, (
        f"{stat} = {measured[stat]:.4g}, NEST over seeds: mean {ref['mean']:.4g}, "
        f"std {ref['std']:.3g}, range [{ref['min']:.4g}, {ref['max']:.4g}]"
    )


@pytest.mark.parametrize("tag", ["E", "I"])
def test_rate_close_to_nest(tag: str, measured: dict[str, float]) -> None:
    ref = SPREAD["statistics"][f"rate_{tag}"]["mean"]
    assert abs(measured[f"rate_{tag}"] - ref) <= 0.1 * ref, (measured[f"rate_{tag}"], ref)


def test_reference_is_for_the_shipped_example() -> None:
    """The spread is stale if brunel.json changed since tools/reference/brunel_spread.py ran."""
    from spikedesk.project_files import io

    shipped = project_dict(io.load(EXAMPLE))
    for key in ("nodes", "connections", "simulation"):
        assert json.dumps(shipped[key], sort_keys=True) == json.dumps(
            SPREAD["project"][key], sort_keys=True
        ), f"brunel.json {key} differ from tests/data/reference/brunel_spread.json: rerun it"
