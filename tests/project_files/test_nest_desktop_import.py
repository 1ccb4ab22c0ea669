"""Every NEST Desktop example imports, or fails naming exactly what spikedesk does not support."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from spikedesk.app.cli import main
from spikedesk.engine import ParameterError, simulate
from spikedesk.project_files import catalog, io, nest_desktop
from spikedesk.project_files.project import frozen_map
from spikedesk.project_files.validation import ProjectError

DATA = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"
FILES = sorted(DATA.glob("*/*.json"))

# file -> substrings every one of which must appear in the import error
UNSUPPORTED = {
    "plasticity_tsodyks_synapse.json": ["'weight_recorder' is not supported", "tsodyks"],
    "single_neuron_models_compartmental_neurons.json": ["compartmental neurons"],
    "usecases_ViSimpl_Brunel_network.json": ["spatial (layer) nodes"],
    "spatial-neurons.json": ["spatial (layer) nodes"],
    "spatial-spike-activity.json": ["spatial (layer) nodes"],
}
# imported, but the engine needs one node per differently parameterized device
PER_DEVICE = {
    "model-f-i-curve.json": "dc1",
    "model-rate-response.json": "pg1",
    "model-step-current-response.json": "dc1",  # and a multimeter recording its I
}


def test_the_fixtures_are_all_there():
    assert len(list(DATA.glob("3x/*.json"))) == 14 and len(list(DATA.glob("4x/*.json"))) == 13


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_imports_or_names_what_is_unsupported(path):
    data = json.loads(path.read_text())
    if path.name in UNSUPPORTED:
        with pytest.raises(ProjectError) as err:
            nest_desktop.import_data(data, source=str(path))
        text = str(err.value)
        assert str(path) in text
        for fragment in UNSUPPORTED[path.name]:
            assert fragment in text
        assert "project '" in text  # every problem names its project
        return
    projects = nest_desktop.import_data(data, source=str(path))
    assert projects and all(p.nodes for p in projects)
    for project in projects:
        assert io.loads(io.dumps(project)) == project  # a valid spikedesk project
        short = min(project.simulation.duration, 50.0)
        if path.name in PER_DEVICE:
            with pytest.raises(ParameterError, match="per-device values"):
                simulate(project, duration=short)
        else:
            results = simulate(project, duration=short)
            assert results.events


def test_a_multimeter_records_the_current_of_a_generator():
    """model-step-current-response: multimeter -> dc_generator records I ("records" in NEST
    Desktop 4); its 11 amplitudes need per-device values, so one amplitude here."""
    path = DATA / "4x" / "model-step-current-response.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    mm = next(n for n in project.nodes if n.id == "mm1")
    assert tuple(mm.params["record_from"]) == ("I",)
    assert any(c.source == "mm1" and c.target == "dc1" for c in project.connections)
    dc = next(n for n in project.nodes if n.id == "dc1")
    single = replace(dc, params=frozen_map({**dc.params, "amplitude": 300.0}))
    project = replace(project, nodes=tuple(single if n is dc else n for n in project.nodes))
    events = simulate(project, duration=100.0).events["mm1"]
    assert set(np.unique(events["senders"])) == set(range(1, 12))
    on = (events["times"] >= 20.0) & (events["times"] < 80.0)
    assert np.all(events["I"][on] == 300.0) and np.all(events["I"][~on] == 0.0)


def test_ids_positions_and_rules_are_kept():
    path = DATA / "3x" / "usecases_Insite_Brunel_network.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    ids = [n.id for n in project.nodes]
    assert len(set(ids)) == len(ids)
    raw = json.loads(path.read_text())[0]["network"]
    assert [n.size for n in project.nodes] == [n.get("size", 1) for n in raw["nodes"]]
    assert project.nodes[0].position.x == raw["nodes"][0]["view"]["position"]["x"]
    rules = [c.rule.rule for c in project.connections]
    assert rules == [c.get("rule", "all_to_all") for c in raw["connections"]]


def test_copied_models_fold_into_their_original():
    path = DATA / "3x" / "usecases_CoSim_Brunel_alpha.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    weights = {c.synapse.weight for c in project.connections}
    assert 20.68 in weights  # the "excitatory" copy of static_synapse carried weight 20.68


COND = [
    "logical_operators_AND_XOR_functions.json",
    "single_neuron_models_high_conductance_state.json",
    "single_neuron_models_neuron_time_constant.json",
    "single_neuron_models_psc_vs_cond.json",
    "usecases_NRP_Husky_Braitenberg.json",
]


@pytest.mark.parametrize("name", COND)
def test_conductance_based_projects_import_with_their_parameters(name):
    path = DATA / "3x" / name
    projects = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    cond = [n for p in projects for n in p.nodes if n.model == "iaf_cond_alpha"]
    assert cond
    if name == "usecases_NRP_Husky_Braitenberg.json":
        assert {n.params.get("g_L") for n in cond} == {2.5}
        assert {n.params.get("C_m") for n in cond} == {25.0}


def test_a_hidden_scalar_placeholder_leaves_a_list_unset():
    path = DATA / "3x" / "single_neuron_models_psc_vs_cond.json"
    projects = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    generators = [n for p in projects for n in p.nodes if n.model == "spike_generator"]
    assert generators and all("spike_weights" not in n.params for n in generators)


def test_not_a_nest_desktop_file():
    with pytest.raises(ProjectError, match="no NEST Desktop project"):
        nest_desktop.import_data({"hello": 1}, "x.json")


def test_convert_command_picks_a_project_and_writes_atomically(tmp_path):
    path = DATA / "3x" / "lecture_bachelor_single-neuron-direct-current-injection.json"
    out = tmp_path / "p.json"
    assert main(["convert", str(path), "-o", str(out)]) == 1  # two projects: must pick
    assert not out.exists()
    assert main(["convert", str(path), "-o", str(out), "--project", "DC to single neuron 1"]) == 0
    assert io.load(out).name == "DC to single neuron 1"
    bad = DATA / "3x" / "plasticity_tsodyks_synapse.json"
    before = out.read_text()
    assert main(["convert", str(bad), "-o", str(out)]) == 1
    assert out.read_text() == before


# neuron models with a membrane to record (parrots have none)
NEURON_MODELS = sorted(
    name for name, spec in catalog.models().items()
    if spec.kind == "neuron" and "V_m" in spec.recordables
)  # fmt: skip


@pytest.mark.parametrize("model", NEURON_MODELS)
def test_a_nest_desktop_project_with_any_neuron_model_imports_and_runs(model):
    """A NEST Desktop 4.x project (the app's own layout) using the model, a changed float
    parameter, a dc_generator and a voltmeter imports with NEST's names and simulates."""
    spec = catalog.model(model)
    floats = [p for p in spec.params.values() if p.type == "float" and p.name.startswith("V_")]
    params = [{"id": floats[0].name, "value": floats[0].default}] if floats else []
    data = {
        "name": f"{model} response",
        "version": "4.0",
        "simulation": {"kernel": {"localNumThreads": 1, "resolution": 0.1, "rngSeed": 1},
                       "time": 50},
        "network": {
            "nodes": [
                {"model": "dc_generator", "params": [{"id": "amplitude", "value": 100.0}]},
                {"model": model, "params": params},
                {"model": "voltmeter", "params": [{"id": "interval", "value": 0.1}]},
            ],
            "connections": [{"source": 0, "target": 1}, {"source": 2, "target": 1}],
        },
    }  # fmt: skip
    [project] = nest_desktop.import_data(data, source=f"{model}.json")
    neuron = project.nodes[1]
    assert neuron.model == model
    if floats:
        assert neuron.params.get(floats[0].name, floats[0].default) == floats[0].default
    results = simulate(project)
    recorder = project.nodes[2].id
    assert len(results.events[recorder]["times"]) > 0
