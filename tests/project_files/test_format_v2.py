"""Format version 2: copy models and synapse parameters (issue 10), validated against the
catalog's synapse entries; version-1 files load unchanged."""

from __future__ import annotations

import copy

import pytest
from spikedesk.project_files import catalog, io
from spikedesk.project_files.project import FORMAT_VERSION, CopyModel, Project
from spikedesk.project_files.validation import Problem, ProjectError, validate

BASE = {
    "format": "spikedesk-project",
    "version": 2,
    "simulation": {"duration": 100.0},
    "copy_models": {
        "E_stdp": {"model": "stdp_synapse", "params": {"tau_plus": 15.0, "Wmax": 50.0}},
        "fast_iaf": {"model": "iaf_psc_alpha", "params": {"tau_m": 5.0}},
        "faster_iaf": {"model": "fast_iaf", "params": {"tau_m": 2.0, "t_ref": 1.0}},
    },
    "nodes": [
        {"id": "wr", "model": "weight_recorder"},
        {"id": "vt", "model": "volume_transmitter"},
        {"id": "P1", "model": "fast_iaf", "size": 2},
        {"id": "P2", "model": "faster_iaf", "size": 2, "params": {"tau_minus": 30.0}},
    ],
    "connections": [
        {
            "id": "C1",
            "source": "P1",
            "target": "P2",
            "synapse": {
                "model": "E_stdp",
                "weight": 5.0,
                "params": {"tau_plus": 20.0, "Wmax": 10.0, "weight_recorder": "wr"},
            },
        },
        {"id": "C2", "source": "P1", "target": "vt"},
        {
            "id": "C3",
            "source": "P2",
            "target": "P1",
            "synapse": {"model": "stdp_dopamine_synapse", "params": {"volume_transmitter": "vt"}},
        },
    ],
}


def edited(edit) -> dict:
    data = copy.deepcopy(BASE)
    edit(data)
    return data


def test_the_contract_example_is_valid_and_round_trips():
    assert FORMAT_VERSION >= 2  # version 2 files stay valid (upgrades.py)
    assert validate(BASE) == []
    project = io.from_dict(BASE)
    assert project.copy_models["fast_iaf"] == CopyModel("iaf_psc_alpha", {"tau_m": 5.0})
    assert project.base_model("faster_iaf") == "iaf_psc_alpha"
    assert project.model_params("faster_iaf") == {"tau_m": 2.0, "t_ref": 1.0}
    syn = project.connections[0].synapse
    assert (syn.model, syn.weight, dict(syn.params)) == (
        "E_stdp", 5.0, {"tau_plus": 20.0, "Wmax": 10.0, "weight_recorder": "wr"}
    )  # fmt: skip
    again = io.from_dict(io.to_dict(project))
    assert again == project
    assert io.to_dict(again)["copy_models"] == BASE["copy_models"]


def test_a_node_value_equal_to_the_catalog_default_is_kept_over_a_copy_model():
    """tau_m 10 (NEST's default) on a node of fast_iaf (tau_m 5) is not a default there."""
    data = edited(lambda d: d["nodes"][2].update(params={"tau_m": 10.0}))
    assert io.to_dict(io.from_dict(data))["nodes"][2]["params"] == {"tau_m": 10.0}
    data = edited(lambda d: d["nodes"][2].update(params={"tau_m": 5.0}))
    assert "params" not in io.to_dict(io.from_dict(data))["nodes"][2]


def test_version_1_files_load_and_save_as_the_current_version():
    v1 = {
        "format": "spikedesk-project",
        "version": 1,
        "nodes": [{"id": "a", "model": "iaf_psc_alpha"}],
    }
    project = io.from_dict(v1)
    assert project.copy_models == {} and io.to_dict(project)["version"] == FORMAT_VERSION


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda d: d["copy_models"].update(iaf_psc_alpha={"model": "iaf_psc_exp"}),
            "copy_models.iaf_psc_alpha",
            'copy model "iaf_psc_alpha" shadows the built-in model iaf_psc_alpha; '
            "choose another name",
        ),
        (
            lambda d: d["copy_models"].update(a={"model": "b"}, b={"model": "a"}),
            "copy_models.a.model",
            'copy model "a" copies itself: a -> b -> a',
        ),
        (
            lambda d: d["copy_models"]["fast_iaf"]["params"].update(tau_m=-1.0),
            "copy_models.fast_iaf.params.tau_m",
            "must be > 0, got -1.0",
        ),
        (
            lambda d: d["copy_models"]["fast_iaf"]["params"].update(tau_plus=1.0),
            "copy_models.fast_iaf.params.tau_plus",
            "unknown parameter of iaf_psc_alpha; its parameters are: C_m, E_L, I_e, V_m, "
            "V_min, V_reset, V_th, t_ref, tau_m, tau_minus, tau_minus_triplet, tau_syn_ex, "
            "tau_syn_in",
        ),
        (
            lambda d: d["copy_models"]["E_stdp"]["params"].update(weight=3.0),
            "copy_models.E_stdp.params.weight",
            "a copy of a synapse model leaves weight to its connections; set it on each "
            "connection's synapse",
        ),
        (
            lambda d: d["copy_models"]["fast_iaf"]["params"].update(
                V_m={"random": "normal", "mean": -70.0, "std": 1.0}
            ),
            "copy_models.fast_iaf.params.V_m",
            "a copy model's parameters are single values (NEST's model defaults); set "
            'per-neuron or random values on the nodes, got {"random": "normal", "mean": -70.0, '
            '"std": 1.0}',
        ),
        (
            lambda d: d["nodes"][2].update(model="E_stdp"),
            "nodes[2].model",
            '"E_stdp" is a copy of stdp_synapse: a synapse model; a node needs a neuron or '
            "device model",
        ),
        (
            lambda d: d["connections"][0]["synapse"].update(model="fast_iaf"),
            "connections[0].synapse.model",
            'not a synapse model copy model "fast_iaf" of iaf_psc_alpha; known: '
            + ", ".join(sorted(catalog.synapse_models()))
            + ", E_stdp",
        ),
        (
            lambda d: d["connections"][0]["synapse"]["params"].update(tau_pluss=1.0),
            "connections[0].synapse.params.tau_pluss",
            "unknown parameter of stdp_synapse; its parameters are: Kplus, Wmax, alpha, "
            "lambda, mu_minus, mu_plus, tau_plus, weight_recorder",
        ),
        (
            lambda d: d["connections"][0]["synapse"]["params"].update(Kplus=-1.0),
            "connections[0].synapse.params.Kplus",
            "must be >= 0, got -1.0",
        ),
        (
            lambda d: d["connections"][0]["synapse"]["params"].update(tau_plus="20"),
            "connections[0].synapse.params.tau_plus",
            'must be a number, got "20"',
        ),
        (
            lambda d: d["connections"][0]["synapse"]["params"].update(weight_recorder="vt"),
            "connections[0].synapse.params.weight_recorder",
            'node "vt" is a volume_transmitter; weight_recorder must name a weight_recorder node',
        ),
        (
            lambda d: d["connections"][0]["synapse"]["params"].update(weight_recorder="nope"),
            "connections[0].synapse.params.weight_recorder",
            'no node has the id "nope" (it must name a weight_recorder node)',
        ),
        (
            lambda d: d["connections"][0]["synapse"]["params"].update(weight=2.0),
            "connections[0].synapse.params.weight",
            'write weight beside "params" (synapse.weight), not in it',
        ),
        (
            lambda d: d["connections"][0]["synapse"].update(tau_plus=2.0),
            "connections[0].synapse.tau_plus",
            'a parameter of stdp_synapse: write it into "params" ("params": {"tau_plus": ...})',
        ),
        (
            lambda d: d["connections"][2]["synapse"].update(params={}),
            "connections[2].synapse.params",
            'stdp_dopamine_synapse needs "volume_transmitter": the id of a volume_transmitter '
            "node",
        ),
        (
            lambda d: d["connections"][2]["synapse"].update(
                model="static_synapse_hom_w", weight={"random": "uniform", "min": 0, "max": 1},
                params={},
            ),
            "connections[2].synapse.weight",
            "weight of static_synapse_hom_w is shared by all its synapses (a NEST common "
            "property): give one number, not a random value",
        ),
        (
            lambda d: d["connections"].append({"id": "C9", "source": "P1", "target": "wr"}),
            "connections[3].target",
            'iaf_psc_alpha -> weight_recorder: a weight_recorder is not connected; name it in '
            'the synapse params of the connections it records ("weight_recorder": "wr")',
        ),
        (
            lambda d: d["connections"].append({"id": "C9", "source": "vt", "target": "P1"}),
            "connections[3].source",
            "volume_transmitter -> iaf_psc_alpha: a volume_transmitter sends nothing; connect "
            "neurons to it and name it in the synapse params of the dopamine synapses "
            '("volume_transmitter": "vt")',
        ),
    ],
)  # fmt: skip
def test_problems_name_the_copy_model_connection_and_parameter(edit, path, message):
    assert validate(edited(edit)) == [Problem(path, message)]


def test_relations_span_the_copy_chain():
    """V_reset < V_th over the copy model's values and the node's."""
    data = edited(lambda d: d["copy_models"]["fast_iaf"]["params"].update(V_th=-75.0))
    problems = validate(data)
    assert (
        Problem(
            "copy_models.fast_iaf.params.V_th",
            "V_reset must be < V_th, got V_reset -70.0 >= V_th -75.0",
        )
        in problems
    )
    data["nodes"][2]["params"] = {"V_reset": -80.0}
    assert all(not p.path.startswith("nodes[2]") for p in validate(data))


def test_invalid_project_objects_are_refused_on_save(tmp_path):
    project = Project(copy_models={"iaf_psc_alpha": CopyModel("iaf_psc_exp")})
    with pytest.raises(ProjectError, match="shadows the built-in model"):
        io.save(project, tmp_path / "p.json")


def test_an_unset_weight_is_the_synapse_models_default():
    """vogels_sprekeler_synapse's weight is 0.5 in NEST: left out when saved, 0.5 when read."""
    data = edited(
        lambda d: d["connections"][0]["synapse"].update(
            model="vogels_sprekeler_synapse", weight=0.5, params={}
        )
    )
    project = io.from_dict(data)
    assert project.connections[0].synapse.weight == 0.5
    saved = io.to_dict(project)["connections"][0]["synapse"]
    assert "weight" not in saved
    assert io.from_dict(io.to_dict(project)) == project
