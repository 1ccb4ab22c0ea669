"""Correlation detectors' parameter errors name node and parameter; a multimeter on a
generator without recordables is refused by validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spikedesk.engine import InvalidProjectError, ParameterError, simulate
from spikedesk.project_files import io

CASE = json.loads(
    (
        Path(__file__).resolve().parents[1] / "data" / "reference" / "recorder_traces.json"
    ).read_text()
)["cases"]["correlation"]["project"]


def project_with(node_id: str, **params):
    data = json.loads(json.dumps(CASE))
    for node in data["nodes"]:
        if node["id"] == node_id:
            node["params"].update(params)
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
    from validation_projects import build_project

    return build_project(data)


@pytest.mark.parametrize(
    ("node", "params", "parameter", "reason"),
    [
        ("cd", {"delta_tau": 0.25}, "delta_tau", "multiple of the resolution"),
        ("cd", {"tau_max": 4.5, "delta_tau": 2.0}, "tau_max", "multiple of delta_tau"),
        ("cm", {"delta_tau": 0.4, "tau_max": 4.0}, "delta_tau", "odd multiple"),
        ("cm", {"N_channels": 0}, "N_channels", ">= 1"),
    ],
)
def test_bad_detector_parameters_name_node_and_parameter(node, params, parameter, reason):
    with pytest.raises((ParameterError, InvalidProjectError)) as err:
        simulate(project_with(node, **params))
    text = str(err.value)
    index = [n["id"] for n in CASE["nodes"]].index(node)
    # validation names the node by its path, the engine's checks by its id
    assert (node in text or f"nodes[{index}]" in text) and parameter in text and reason in text
    assert text.count("\n") <= 1, text  # one problem, nothing that follows from it


def test_a_multimeter_on_a_generator_without_recordables_is_refused():
    data = {
        "format": "spikedesk-project",
        "version": 1,
        "name": "x",
        "nodes": [
            {"id": "pg", "model": "poisson_generator"},
            {"id": "n", "model": "iaf_psc_alpha"},
            {"id": "mm", "model": "multimeter", "params": {"record_from": ["I"]}},
        ],
        "connections": [
            {"id": "a", "source": "pg", "target": "n"},
            {"id": "b", "source": "mm", "target": "pg"},
        ],
    }
    with pytest.raises(Exception, match="multimeter -> poisson_generator"):
        simulate(io.loads(json.dumps(data)))
