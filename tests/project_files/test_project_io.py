"""The JSON form: sparse output, value conversions, random parameters, parse errors."""

from __future__ import annotations

import json

import pytest
from spikedesk.project_files import io
from spikedesk.project_files.project import (
    Connection,
    Node,
    Position,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)
from spikedesk.project_files.validation import ProjectError

ISSUE_EXAMPLE = {
    "format": "spikedesk-project",
    "version": 1,
    "name": "...",
    "description": "...",
    "simulation": {"duration": 1000.0, "resolution": 0.1, "seed": 1, "threads": 1},
    "nodes": [
        {
            "id": "E",
            "label": "E",
            "model": "iaf_psc_delta",
            "size": 800,
            "params": {"tau_m": 20.0, "V_m": {"random": "uniform", "min": 0.0, "max": 20.0}},
            "position": {"x": 120, "y": 80},
        },
        {"id": "vm", "model": "voltmeter", "params": {"interval": 0.1}},
        {"id": "mm", "model": "multimeter", "params": {"record_from": ["V_m", "I_syn_ex"]}},
    ],
    "connections": [
        {
            "id": "EE",
            "source": "E",
            "target": "E",
            "rule": {"rule": "fixed_indegree", "indegree": 80},
            "synapse": {"model": "static_synapse", "weight": 1.0, "delay": 1.5},
        }
    ],
}


def test_issue_example_loads_into_typed_objects():
    project = io.from_dict(ISSUE_EXAMPLE)
    e = project.node("E")
    assert e == Node(
        id="E",
        model="iaf_psc_delta",
        size=800,
        label="E",
        params=frozen_map(
            {
                "tau_m": 20.0,
                "V_m": RandomParameter("uniform", frozen_map({"min": 0.0, "max": 20.0})),
            }
        ),
        position=Position(120.0, 80.0),
    )
    assert isinstance(e.position.x, float)
    assert project.node("mm").params["record_from"] == ("V_m", "I_syn_ex")
    assert project.connections[0] == Connection(
        "EE", "E", "E", Rule("fixed_indegree", frozen_map({"indegree": 80})), Synapse(delay=1.5)
    )
    assert project.simulation == Simulation()


def test_issue_example_is_written_sparse():
    data = io.to_dict(io.from_dict(ISSUE_EXAMPLE))
    assert data["simulation"] == {}  # all four values are the defaults
    assert data["nodes"][1] == {"id": "vm", "model": "voltmeter", "params": {"interval": 0.1}}
    assert data["connections"][0]["synapse"] == {"delay": 1.5}  # model and weight are defaults
    assert data["nodes"][0]["params"]["V_m"] == {"random": "uniform", "min": 0.0, "max": 20.0}


def test_catalog_defaults_are_omitted_and_ints_become_floats():
    node = {"id": "n", "model": "iaf_psc_alpha", "params": {"tau_m": 10, "C_m": 250.0, "I_e": 5}}
    data = {"format": "spikedesk-project", "version": 1, "nodes": [node]}
    project = io.from_dict(data)
    assert project.nodes[0].params["I_e"] == 5.0 and isinstance(
        project.nodes[0].params["I_e"], float
    )
    assert io.to_dict(project)["nodes"][0]["params"] == {"I_e": 5}
    voltmeter = {"id": "v", "model": "voltmeter", "params": {"record_from": ["V_m"]}}
    assert "params" not in io.to_dict(io.from_dict({**data, "nodes": [voltmeter]}))["nodes"][0]


def test_rule_defaults_are_omitted():
    conn = Connection("c", "a", "a", Rule("all_to_all", frozen_map({"allow_autapses": True})))
    assert io._connection_dict(conn) == {"id": "c", "source": "a", "target": "a"}
    conn = Connection("c", "a", "a", Rule("all_to_all", frozen_map({"allow_autapses": False})))
    assert io._connection_dict(conn)["rule"] == {"rule": "all_to_all", "allow_autapses": False}


def test_random_parameter_json_form_with_bounds():
    value = RandomParameter("normal", frozen_map({"mean": 0.0, "std": 1.0}), -1.0, 2.0, "redraw")
    as_json = {
        "random": "normal",
        "mean": 0.0,
        "std": 1.0,
        "low": -1.0,
        "high": 2.0,
        "bound": "redraw",
    }
    assert io.param_to_json(value) == as_json
    assert io.param_from_json(as_json, "float") == value
    clipped = RandomParameter("exponential", frozen_map({"beta": 2.0}), low=0.5)
    assert io.param_to_json(clipped) == {"random": "exponential", "beta": 2.0, "low": 0.5}


def test_per_neuron_lists_and_list_valued_params():
    data = {
        "format": "spikedesk-project",
        "version": 1,
        "nodes": [
            {"id": "n", "model": "iaf_psc_alpha", "size": 3, "params": {"I_e": [1, 2.5, 3]}},
            {
                "id": "sg",
                "model": "spike_generator",
                "size": 2,
                "params": {"spike_times": [[1.0, 2.0], [3]]},
            },
            {"id": "one", "model": "spike_generator", "params": {"spike_times": [1.0, 2]}},
        ],
    }
    project = io.from_dict(data)
    assert project.node("n").params["I_e"] == (1.0, 2.5, 3.0)
    assert project.node("sg").params["spike_times"] == ((1.0, 2.0), (3.0,))
    assert project.node("one").params["spike_times"] == (1.0, 2.0)
    back = io.to_dict(project)["nodes"]
    assert back[1]["params"]["spike_times"] == [[1.0, 2.0], [3.0]]


def test_connection_subsets_round_trip():
    project = Project(
        nodes=(Node("E", "iaf_psc_alpha", size=10), Node("vm", "voltmeter")),
        connections=(Connection("v", "vm", "E", target_indices=(0, 4, 9)),),
    )
    data = io.to_dict(project)
    assert data["connections"][0]["target_indices"] == [0, 4, 9]
    assert "source_indices" not in data["connections"][0]
    assert io.from_dict(data) == project


def test_dumps_layout():
    text = io.dumps(Project(name="x"))
    assert text == (
        "{\n"
        '  "connections": [],\n'
        '  "format": "spikedesk-project",\n'
        '  "name": "x",\n'
        '  "nodes": [],\n'
        '  "simulation": {},\n'
        '  "version": 3\n'
        "}\n"
    )


def test_invalid_json_names_line_and_column():
    with pytest.raises(ProjectError) as info:
        io.loads('{"format": "spikedesk-project",\n  "version": }', source="broken.json")
    assert str(info.value) == (
        "broken.json: 1 problem\n  invalid JSON: Expecting value (line 2, column 14)"
    )


def test_load_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "missing.json")


def test_load_reports_the_path_as_source(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "spikedesk-project", "version": 1, "nodes": 3}))
    with pytest.raises(ProjectError) as info:
        io.load(path)
    assert info.value.source == str(path)
    assert str(info.value).splitlines()[1] == "  nodes: must be a list, got 3"
