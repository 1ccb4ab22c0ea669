"""Parameter expressions against NEST 3.10: the values the engine draws for node parameters,
weights and delays have NEST's distribution (mean, std and a 22-bin histogram, pooled over
three seeds; tests/data/reference/parameter_moments.json, tools/reference/
make_parameter_moments.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from spikedesk.engine import _core
from spikedesk.engine.driver import _node_params, _Run
from spikedesk.project_files.project import (
    Connection,
    Node,
    Project,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "reference" / "parameter_moments.json"
REFERENCE = json.loads(DATA.read_text())
Z = 5.0  # standard errors


def engine_values(place: str, expression: str, seed: int, n: int) -> np.ndarray:
    if place == "I_e":
        node = Node("P", "iaf_psc_alpha", n, params=frozen_map({"I_e": expression}))
        params, _, _ = _node_params(_core.Network(0.1, seed, 1), node, 1)
        return np.asarray(params["I_e"])
    syn = {"weight": 1.0, "delay": 1.0, place: expression}
    project = Project(
        simulation=Simulation(duration=1.0, seed=seed),
        nodes=(Node("A", "iaf_psc_alpha", n), Node("B", "iaf_psc_alpha", n)),
        connections=(Connection("c", "A", "B", Rule("one_to_one"), Synapse(**syn)),),
    )
    table = _Run(project, None, None, None).net.connections(0)
    return np.asarray(table["weights" if place == "weight" else "delays"])


@pytest.mark.parametrize("name", sorted(REFERENCE["cases"]))
def test_expression_values_have_nests_distribution(name):
    case = REFERENCE["cases"][name]
    n = REFERENCE["n"]
    ours = np.concatenate(
        [engine_values(case["place"], case["expression"], s, n) for s in REFERENCE["seeds"]]
    )
    ref = case["pooled"]
    n1, n2 = ours.size, ref["n"]
    m1, s1 = ours.mean(), ours.std()
    m2, s2 = ref["mean"], ref["std"]
    assert abs(m1 - m2) <= Z * math.sqrt(s1**2 / n1 + s2**2 / n2), (m1, m2)
    # the std's standard error is std / sqrt(2n) for normal values; twice that for the others
    assert abs(s1 - s2) <= Z * max(s1, s2) * math.sqrt(2.0 / min(n1, n2)) * 2, (s1, s2)
    edges = np.asarray([-np.inf if e is None and i == 0 else np.inf if e is None else e
                        for i, e in enumerate(case["edges"])])  # fmt: skip
    counts, _ = np.histogram(ours, bins=edges)
    p1 = counts / n1
    p2 = np.asarray(ref["counts"]) / n2
    pooled = (counts + np.asarray(ref["counts"])) / (n1 + n2)
    tol = Z * np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) + 1.0 / n1
    bad = np.nonzero(np.abs(p1 - p2) > tol)[0]
    assert bad.size == 0, f"bins {bad.tolist()}: ours {p1[bad]}, NEST {p2[bad]}"


def test_reference_was_made_by_nest():
    assert REFERENCE["nest"].startswith("3.")
    assert len(REFERENCE["seeds"]) >= 3
