"""Every NEST Desktop example imports, or fails naming exactly what spikedesk does not support."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from spikedesk.app.cli import main
from spikedesk.engine import _core, simulate
from spikedesk.project_files import catalog, convert_command, io, nest_desktop
from spikedesk.project_files.validation import ProjectError

DATA = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"
ENGINE = _core.models()
FILES = sorted(DATA.glob("*/*.json"))

# file -> substrings every one of which must appear in the import error
UNSUPPORTED = {
    "single_neuron_models_compartmental_neurons.json": ["compartmental neurons"],
}
# one node of differently parameterized devices (NEST's Create with a list of values): the
# node, its parameter and one value per device
PER_DEVICE = {
    "model-f-i-curve.json": ("dc1", "amplitude"),
    "model-rate-response.json": ("pg1", "rate"),
    "model-step-current-response.json": ("dc1", "amplitude"),  # and a multimeter records its I
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
        lacking = sorted(
            {project.base_model(m) for m in [n.model for n in project.nodes]
             + [c.synapse.model for c in project.connections]}
            - set(ENGINE) - {"static_synapse"}
        )  # fmt: skip
        if lacking:
            pytest.skip(f"engine has no {', '.join(lacking)} (issue 10, lead)")
        short = min(project.simulation.duration, 50.0)
        results = simulate(project, duration=short)
        assert results.events
        if path.name in PER_DEVICE:
            node_id, name = PER_DEVICE[path.name]
            (node,) = [n for n in project.nodes if n.id == node_id]
            values = node.params[name]
            assert len(values) == node.size > 1 and len(set(values)) > 1


def test_a_multimeter_records_the_current_of_a_generator():
    """model-step-current-response: multimeter -> dc_generator records I ("records" in NEST
    Desktop 4), one current per device of the 11 amplitudes."""
    path = DATA / "4x" / "model-step-current-response.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    mm = next(n for n in project.nodes if n.id == "mm1")
    assert tuple(mm.params["record_from"]) == ("I",)
    assert any(c.source == "mm1" and c.target == "dc1" for c in project.connections)
    dc = next(n for n in project.nodes if n.id == "dc1")
    amplitudes = np.asarray(dc.params["amplitude"], dtype=float)
    assert dc.size == len(amplitudes) == 11 and len(set(amplitudes)) == 11
    results = simulate(project, duration=100.0)
    events = results.events["mm1"]
    first, size = results.node_ids["dc1"]
    assert set(np.unique(events["senders"])) == set(range(first, first + size))
    on = (events["times"] >= 20.0) & (events["times"] < 80.0)
    want = amplitudes[events["senders"] - first]
    assert np.all(events["I"][on] == want[on]) and np.all(events["I"][~on] == 0.0)


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


def test_copy_model_weights_hold_where_the_connection_hides_its_own():
    """NEST Desktop 3 writes only visible parameters into its script: the Insite Brunel's
    connections keep hidden weights (20.68, 1) that NEST never sees; the copy models'
    weights (2 and -8) are what NEST Desktop simulates."""
    path = DATA / "3x" / "usecases_Insite_Brunel_network.json"
    [item] = nest_desktop.read(json.loads(path.read_text()), str(path))
    project = item.project
    by_pair = {(c.source, c.target): c.synapse for c in project.connections}
    e, i = project.nodes[0].id, project.nodes[1].id
    assert by_pair[(e, e)].weight == by_pair[(e, i)].weight == 2.0
    assert by_pair[(i, e)].weight == by_pair[(i, i)].weight == -8.0
    assert by_pair[(e, e)].delay == 1.0  # the hidden 1.5 is not applied either
    # the E node's hidden values (E_L 0, V_th 20, ...) are not applied: NEST's defaults hold
    assert "E_L" not in project.nodes[0].params and "V_th" not in project.nodes[0].params
    assert project.nodes[1].params["I_e"] == -5.0  # visible: applied
    notes = "\n".join(item.notes)
    assert "copy model 'inhibitory' (static_synapse, weight -8) was written into the 2" in notes
    assert "nodes[0].params.E_L" in notes


def test_parameters_without_a_visible_key_apply():
    """NEST Desktop 3.0 files have no "visible" key; every listed value applies."""
    path = DATA / "3x" / "network_models_EII_decision_making.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    assert project.nodes[0].params["tau_m"] == 20.0
    assert {c.synapse.weight for c in project.connections} >= {1.0, -6.0}


def test_a_neuron_copy_model_gives_its_values_and_its_name():
    path = DATA / "3x" / "usecases_NRP_Husky_Braitenberg.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    husky = [n for n in project.nodes if n.model == "husky_neuron"]
    assert husky and project.copy_models["husky_neuron"].params["g_L"] == 2.5
    assert all("g_L" not in n.params for n in husky)  # the copy's value holds


def test_the_tsodyks_project_imports_copy_models_and_weight_recorders():
    """NEST Desktop's plasticity_tsodyks_synapse: two copies of tsodyks_synapse, each with
    its own weight recorder ("wr1", "wr2": NEST Desktop's labels, our node ids)."""
    path = DATA / "3x" / "plasticity_tsodyks_synapse.json"
    [item] = nest_desktop.read(json.loads(path.read_text()), str(path))
    assert item.problems == []
    project = item.project
    fac = project.copy_models["tsodyks_fac"]
    assert fac.model == "tsodyks_synapse"
    assert dict(fac.params) == {
        "U": 0.03, "tau_fac": 530.0, "tau_psc": 0.3, "tau_rec": 150.0, "weight_recorder": "wr1"
    }  # fmt: skip
    assert dict(project.copy_models["tsodyks_dep"].params) == {"weight_recorder": "wr2"}
    assert [n.id for n in project.nodes if n.model == "weight_recorder"] == ["wr1", "wr2"]
    by_model = {c.synapse.model: c.synapse for c in project.connections}
    assert by_model["tsodyks_fac"].weight == 250.0 and by_model["tsodyks_dep"].weight == 100.0
    assert "copy model 'tsodyks_fac' (tsodyks_synapse, weight 250) was written into the 1 " \
        "connection" in "\n".join(item.notes)  # fmt: skip
    assert io.from_dict(io.to_dict(project)) == project


def test_the_tsodyks_project_runs():
    from spikedesk.engine import _core, simulate

    lacking = [m for m in ("tsodyks_synapse", "weight_recorder") if m not in _core.models()]
    if lacking:
        pytest.skip(f"engine has no {', '.join(lacking)} (issue 10, lead)")
    path = DATA / "3x" / "plasticity_tsodyks_synapse.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    results = simulate(project)
    for wr in ("wr1", "wr2"):
        assert len(results.events[wr]["weights"]) > 0, wr


def test_a_synapse_parameter_outside_the_catalog_is_named():
    data = json.loads((DATA / "3x" / "plasticity_tsodyks_synapse.json").read_text())
    data[0]["network"]["models"][1]["params"].append({"id": "tau_nope", "value": 1})
    [item] = nest_desktop.read(data)
    assert any(
        "models.tsodyks_fac.params.tau_nope" in p.path and "no parameter 'tau_nope'" in p.message
        for p in item.problems
    ), item.problems


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
    cond = [(p, n) for p in projects for n in p.nodes if p.base_model(n.model) == "iaf_cond_alpha"]
    assert cond
    if name == "usecases_NRP_Husky_Braitenberg.json":  # values of a copy model, under the node's
        values = [{**p.model_params(n.model), **n.params} for p, n in cond]
        assert {v.get("g_L") for v in values} == {2.5}
        assert {v.get("C_m") for v in values} == {25.0}


def test_a_hidden_scalar_placeholder_leaves_a_list_unset():
    path = DATA / "3x" / "single_neuron_models_psc_vs_cond.json"
    projects = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    generators = [n for p in projects for n in p.nodes if n.model == "spike_generator"]
    assert generators and all("spike_weights" not in n.params for n in generators)


def test_not_a_nest_desktop_file():
    with pytest.raises(ProjectError, match="no NEST Desktop project"):
        nest_desktop.import_data({"hello": 1}, "x.json")


def test_convert_command_picks_a_project_and_writes_atomically(tmp_path, capsys):
    path = DATA / "3x" / "lecture_bachelor_single-neuron-direct-current-injection.json"
    out = tmp_path / "p.json"
    assert main(["convert", str(path), "-o", str(out)]) == 1  # two projects: a folder or pick
    assert "give a folder" in capsys.readouterr().err and not out.exists()
    assert main(["convert", str(path), "-o", str(out), "--project", "DC to single neuron 1"]) == 0
    assert io.load(out).name == "DC to single neuron 1"
    assert main(["convert", str(path), "-o", str(out), "--project", "1"]) == 0  # by number
    assert io.load(out).name == "DC to single neuron 2"
    assert main(["convert", str(path), "-o", str(out), "--project", "nope"]) == 1
    assert "'DC to single neuron 1'" in capsys.readouterr().err
    bad = DATA / "3x" / "single_neuron_models_compartmental_neurons.json"
    before = out.read_text()
    assert main(["convert", str(bad), "-o", str(out)]) == 1
    assert out.read_text() == before


def test_convert_command_writes_every_project_into_a_folder(tmp_path, capsys):
    path = DATA / "3x" / "network_models_recurrent_network_time_constant.json"
    folder = tmp_path / "out"
    assert main(["convert", str(path), "-o", str(folder)]) == 0
    written = sorted(p.name for p in folder.iterdir())
    names = [p.name for p in nest_desktop.import_data(json.loads(path.read_text()))]
    assert written == sorted(f"{n}.json" for n in names)
    assert sorted(io.load(folder / f"{n}.json").name for n in names) == sorted(names)
    assert convert_command.file_names(["a/b", "a/b", "..", "A/B"]) == [
        "a_b.json",
        "a_b 2.json",
        "project.json",
        "A_B 3.json",
    ]


def test_convert_command_prints_what_was_approximated(tmp_path, capsys):
    path = DATA / "3x" / "usecases_Insite_Brunel_network.json"
    assert main(["convert", str(path), "-o", str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    assert "note: project '[Insite] Brunel network': copy model 'inhibitory'" in out
    assert "hidden value" in out


def test_one_good_project_of_a_partly_unsupported_file_converts(tmp_path):
    projects = [
        json.loads((DATA / "3x" / "single_neuron_models_compartmental_neurons.json").read_text())[
            0
        ],
        json.loads((DATA / "4x" / "spike-activity.json").read_text()),
    ]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(projects))
    assert main(["convert", str(path), "-o", str(tmp_path / "all")]) == 1
    out = tmp_path / "one.json"
    assert main(["convert", str(path), "-o", str(out), "--project", "spike activity"]) == 0
    assert io.load(out).name == "spike activity"


# neuron models with a membrane to record (parrots have none)
NEURON_MODELS = sorted(
    name
    for name, spec in catalog.models().items()
    if spec.kind == "neuron" and "V_m" in spec.recordables
)


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
        "simulation": {
            "kernel": {"localNumThreads": 1, "resolution": 0.1, "rngSeed": 1},
            "time": 50,
        },
        "network": {
            "nodes": [
                {"model": "dc_generator", "params": [{"id": "amplitude", "value": 100.0}]},
                {"model": model, "params": params},
                {"model": "voltmeter", "params": [{"id": "interval", "value": 0.1}]},
            ],
            "connections": [{"source": 0, "target": 1}, {"source": 2, "target": 1}],
        },
    }
    [project] = nest_desktop.import_data(data, source=f"{model}.json")
    neuron = project.nodes[1]
    assert neuron.model == model
    if floats:
        assert neuron.params.get(floats[0].name, floats[0].default) == floats[0].default
    results = simulate(project)
    recorder = project.nodes[2].id
    assert len(results.events[recorder]["times"]) > 0


def test_a_multimeters_records_become_its_record_from():
    data = {
        "name": "records",
        "network": {
            "nodes": [
                {"model": "iaf_psc_alpha"},
                {"model": "multimeter", "records": [{"id": "V_m", "color": "#1F77B4"}]},
            ],
            "connections": [{"source": 1, "target": 0}],
        },
    }
    [project] = nest_desktop.import_data(data, "records.json")
    assert project.nodes[1].params["record_from"] == ("V_m",)
    data["network"]["nodes"][1]["records"] = [{"id": 3}]
    with pytest.raises(ProjectError, match=r"nodes\[1\]: records must name"):
        nest_desktop.import_data(data, "records.json")


def test_the_f_i_curve_gives_each_neuron_its_own_dc_amplitude():
    """NEST Desktop's f-I curve: one dc_generator node of 1000 devices (1..1000 pA) one_to_one
    onto 1000 iaf_psc_alpha; below the rheobase C_m (V_th - E_L) / tau_m = 375 pA no neuron
    fires, above it the rate grows with the amplitude."""
    path = DATA / "4x" / "model-f-i-curve.json"
    (project,) = nest_desktop.import_data(json.loads(path.read_text()), str(path))
    results = simulate(project, duration=300.0)
    first, size = results.node_ids["P1"]
    counts = np.bincount(results.events["sr1"]["senders"] - first, minlength=size)
    amplitude = np.arange(1, 1001)
    assert counts[amplitude < 375].sum() == 0
    assert counts[amplitude >= 380].min() > 0
    assert np.all(np.diff(counts) >= 0) and counts[-1] > counts[400] + 20
