"""Named copy models from the inspector: a node's parameters saved as a model (NEST's
CopyModel), picked for other nodes, and updated from a node; the project stays valid and the
PyNEST export uses the copy."""

from __future__ import annotations

import pytest
from spikedesk.app import edits
from spikedesk.app.inspector import Inspector
from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.pynest import export
from spikedesk.project_files.validation import validate


@pytest.fixture
def brunel():
    return io.load(examples_dir() / "brunel.json")


def test_save_pick_and_update_a_copy_model(brunel):
    e = brunel.node("E")
    project = edits.save_copy_model(brunel, "E", "brunel_iaf")
    assert not validate(project)
    copy = project.copy_models["brunel_iaf"]
    assert copy.model == "iaf_psc_delta" and dict(copy.params) == dict(e.params)
    assert project.node("E").model == "brunel_iaf" and not project.node("E").params
    # picked for I: the copy's values apply, I's own values for them go
    project = edits.set_node(project, "I", model="brunel_iaf")
    assert project.node("I").model == "brunel_iaf" and not project.node("I").params
    assert project.model_params("brunel_iaf") == dict(e.params)
    # a value set on E and written into the model: every node of it has the value
    project = edits.set_node_params(project, "E", {"tau_m": 10.0})
    project = edits.update_copy_model(project, "E")
    assert project.copy_models["brunel_iaf"].params["tau_m"] == 10.0
    assert not project.node("E").params and not validate(project)
    assert io.loads(io.dumps(project)) == project  # saved in the format's copy_models
    assert 'nest.CopyModel("iaf_psc_delta", "brunel_iaf"' in export(project).replace("'", '"')


@pytest.mark.parametrize(
    "name", ["", "2fast", "with space", "iaf_psc_alpha", "stdp_synapse"], ids=repr
)
def test_bad_or_taken_copy_model_names_are_refused(brunel, name):
    with pytest.raises(ValueError):
        edits.save_copy_model(brunel, "E", name)
    project = edits.save_copy_model(brunel, "E", "mine")
    with pytest.raises(ValueError, match="exists already"):
        edits.save_copy_model(project, "I", "mine")
    with pytest.raises(ValueError, match="built-in"):
        edits.update_copy_model(project, "I")


def test_the_inspector_saves_a_model_and_offers_it_to_other_nodes(tmp_path, brunel):
    store = ProjectStore(tmp_path)
    session = ProjectSession(store, store.create(brunel, "b"))
    inspector = Inspector(session)
    session.selection = {"kind": "node", "id": "E"}
    name = inspector.fields["copy_model"]
    name.widget.value = "ex_neuron"
    name.button.clicks += 1
    assert session.project.node("E").model == "ex_neuron"
    assert "ex_neuron" in store.load("b").copy_models  # autosaved
    about = [o for o in inspector.body.objects if "copy-model-about" in o.css_classes]
    assert about and "copy of `iaf_psc_delta`" in about[0].object
    session.selection = {"kind": "node", "id": "I"}
    assert "ex_neuron" in inspector.fields["model"].widget.options
    session.selection = {"kind": "node", "id": "noise"}  # another kind: not offered
    assert "ex_neuron" not in inspector.fields["model"].widget.options
    session.selection = {"kind": "node", "id": "I"}
    name = inspector.fields["copy_model"]
    name.widget.value = "ex_neuron"
    name.button.clicks += 1
    assert "exists already" in name.error.object and session.project.node("I").model != "ex_neuron"
