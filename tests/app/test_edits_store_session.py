"""The editor's model without a browser: edits, the project store and the session history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spikedesk.app import edits
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.app.store import ProjectStore
from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.project import RandomParameter, frozen_map
from spikedesk.project_files.validation import ProjectError

ND_FIXTURES = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"


@pytest.fixture
def store(tmp_path) -> ProjectStore:
    return ProjectStore(tmp_path / "projects")


@pytest.fixture
def session(store) -> ProjectSession:
    return ProjectSession(store, store.create(edits.empty_project(), "net"))


def test_a_network_built_by_edits_is_valid_and_saved(session, store):
    p, pg = edits.add_node(session.project, "poisson_generator", 10, 20)
    p, n = edits.add_node(p, "iaf_psc_delta", 100, 20)
    p, sr = edits.add_node(p, "spike_recorder", 200, 20)
    p, vm = edits.add_node(p, "voltmeter", 100, 120)
    p, _ = edits.connect(p, pg, n)
    p, _ = edits.connect(p, n, sr)
    p, c_vm = edits.connect(p, n, vm)  # drawn neuron -> voltmeter, stored NEST's way
    session.apply(p)
    assert (pg, n, sr, vm) == ("pg1", "P1", "sr1", "vm1")
    assert edits.connection(session.project, c_vm).source == vm
    assert store.load("net").nodes == session.project.nodes
    assert session.project.node(n).size == edits.DEFAULT_NEURONS


def test_invalid_edits_are_refused_and_change_nothing(session, store):
    p, n = edits.add_node(session.project, "iaf_psc_delta", 0, 0)
    p, pg = edits.add_node(p, "poisson_generator", 0, 0)
    session.apply(p)
    before = store.path("net").read_text()
    with pytest.raises(Refused, match="tau_m"):
        session.apply(edits.set_node_param(session.project, n, "tau_m", -5.0))
    with pytest.raises(Refused, match="stimulator"):
        session.apply(edits.connect(session.project, n, pg)[0])
    with pytest.raises(Refused, match="size"):
        session.apply(edits.set_node(session.project, n, size=0))
    assert session.project == p
    assert store.path("net").read_text() == before


def test_undo_redo_walk_the_history(session):
    start = session.project
    p1, n = edits.add_node(start, "iaf_psc_exp", 0, 0)
    session.apply(p1)
    session.apply(edits.move_node(session.project, n, 50, 60))
    p2 = session.project
    assert session.undo() and session.project == p1
    assert session.undo() and session.project == start
    assert not session.undo()
    assert session.redo() and session.redo() and session.project == p2
    assert not session.redo()
    session.undo()
    session.apply(edits.set_node(session.project, n, label="new"))
    assert not session.can_redo  # a new edit drops the redo branch


def test_deleting_a_node_removes_its_connections(session):
    p, a = edits.add_node(session.project, "iaf_psc_alpha", 0, 0)
    p, b = edits.add_node(p, "iaf_psc_alpha", 0, 0)
    p, c = edits.connect(p, a, b)
    p, _ = edits.connect(p, b, a)
    session.apply(edits.delete(p, "node", a))
    assert [n.id for n in session.project.nodes] == [b]
    assert session.project.connections == ()
    session.selection = {"kind": "node", "id": b}
    session.apply(edits.delete(session.project, "node", b))
    assert session.selection == {}


def test_rule_and_synapse_edits(session):
    p, a = edits.add_node(session.project, "iaf_psc_alpha", 0, 0)
    p, c = edits.connect(p, a, a)
    p = edits.set_rule(p, c, "fixed_indegree")
    assert dict(edits.connection(p, c).rule.params) == {"indegree": 10}
    p = edits.set_rule_param(p, c, "indegree", 5)
    weight = RandomParameter("normal", frozen_map({"mean": -2.0, "std": 0.5}))
    p = edits.set_synapse(p, c, weight=weight, delay=2.0)
    session.apply(p)
    assert edits.weight_sign(edits.connection(session.project, c).synapse.weight) == -1
    with pytest.raises(Refused, match="delay"):
        session.apply(edits.set_synapse(session.project, c, delay=0.01))


def test_store_create_duplicate_rename_delete(store):
    brunel = io.load(examples_dir() / "brunel.json")
    assert store.create(brunel, "brunel") == "brunel"
    assert store.create(brunel, "brunel") == "brunel 2"
    assert store.duplicate("brunel") == "brunel copy"
    assert store.rename("brunel 2", "mine") == "mine"
    assert store.load("mine").name == "mine"
    with pytest.raises(ValueError, match="already exists"):
        store.rename("mine", "brunel")
    store.delete("brunel copy")
    assert store.names() == ["brunel", "mine"]
    assert store.clean("../../etc/passwd") == "etcpasswd"
    with pytest.raises(KeyError):
        store.path("../x")


def test_store_imports_spikedesk_and_nest_desktop_files(store):
    text = (examples_dir() / "single_neuron_dc.json").read_bytes()
    name = json.loads(text)["name"]
    assert store.import_file("single.json", text) == [store.clean(name)]
    assert store.load(store.clean(name)).nodes == io.loads(text.decode()).nodes
    fixture = next(ND_FIXTURES.rglob("*.json"))
    names = store.import_file(fixture.name, fixture.read_bytes())
    assert names and all(store.exists(n) for n in names)


def test_a_broken_upload_imports_nothing(store):
    with pytest.raises(ProjectError, match="not a JSON file"):
        store.import_file("x.json", b"{nope")
    bad = json.loads((examples_dir() / "brunel.json").read_text())
    bad["nodes"][0]["params"]["tau_m"] = -1
    with pytest.raises(ProjectError, match="tau_m"):
        store.import_file("bad.json", json.dumps(bad).encode())
    assert store.names() == []


def test_adopt_reuses_an_unchanged_copy(store, tmp_path):
    path = examples_dir() / "brunel.json"
    assert store.adopt(path) == "brunel"
    assert store.adopt(path) == "brunel"
    session = ProjectSession(store, "brunel")
    session.apply(edits.set_node(session.project, "E", label="changed"))
    assert store.adopt(path) == "brunel 2"  # the edited copy is kept, the file comes in fresh


def test_the_project_list_follows_other_sessions(store):
    from spikedesk.app.manager import ProjectManager

    first = ProjectSession(store, store.create(edits.empty_project(), "mine"))
    manager = ProjectManager(first)
    other = store.create(edits.empty_project(), "theirs")
    assert other not in manager.projects.options
    manager.sync_list()
    assert other in manager.projects.options and manager.projects.value == "mine"
    store.delete(other)
    manager.sync_list()
    assert list(manager.projects.options) == ["mine"]


def test_edges_are_labelled_with_rule_and_weight():
    from spikedesk.app.editor import canvas_edges

    project = io.load(examples_dir() / "brunel.json")
    labels = {(e["source"], e["target"]): (e["label"], e["sign"]) for e in canvas_edges(project)}
    assert labels[("E", "I")] == ("K_in=80 · w=1", 1)
    assert labels[("I", "E")] == ("K_in=20 · w=-5", -1)
    assert labels[("noise", "E")] == ("all · w=1", 1)
    assert labels[("E", "spikes_E")] == ("", 0)  # a recorder link


def test_weight_units_follow_the_target_model():
    from spikedesk.app.inspector import weight_unit_of

    assert weight_unit_of("iaf_psc_delta") == "mV"
    assert weight_unit_of("iaf_psc_alpha") == "pA"
    assert weight_unit_of("iaf_cond_alpha") == "nS"


def test_set_node_params_validates_the_node_as_one_set(session):
    """V_reset=0 alone is refused against the default V_th=-55; with V_th=20 in the same
    edit both are taken (NEST's copy-validate-commit)."""
    p, n = edits.add_node(session.project, "iaf_psc_alpha", 0, 0)
    session.apply(p)
    with pytest.raises(Refused) as info:
        session.apply(edits.set_node_param(session.project, n, "V_reset", 0.0))
    assert [str(problem) for problem in info.value.problems] == [
        "nodes[0].params.V_reset: V_reset must be < V_th, got V_reset 0.0 >= V_th -55.0"
    ]
    session.apply(edits.set_node_params(session.project, n, {"V_reset": 0.0, "V_th": 20.0}))
    params = dict(session.project.node(n).params)
    assert params == {"V_reset": 0.0, "V_th": 20.0}
    assert session.can_undo
    session.undo()  # one edit, one undo step
    assert dict(session.project.node(n).params) == {}
    session.redo()
    session.apply(edits.set_node_params(session.project, n, {"V_th": None, "V_reset": None}))
    assert dict(session.project.node(n).params) == {}


def test_id_prefixes_and_recorder_wiring_come_from_the_catalog(session):
    p = session.project
    ids = []
    for model in ("iaf_cond_alpha", "multimeter", "spike_recorder", "noise_generator"):
        p, node_id = edits.add_node(p, model, 0, 0)
        ids.append(node_id)
    assert ids == ["P1", "mm1", "sr1", "ng1"]
    p, to_mm = edits.connect(p, "P1", "mm1")  # drawn towards the sampler
    p, from_sr = edits.connect(p, "sr1", "P1")  # drawn out of the spike recorder
    assert (edits.connection(p, to_mm).source, edits.connection(p, to_mm).target) == ("mm1", "P1")
    assert (edits.connection(p, from_sr).source, edits.connection(p, from_sr).target) == (
        "P1",
        "sr1",
    )


def test_recorders_of_generators_and_correlations_are_drawn_either_way(session):
    """dc_generator -> multimeter is stored multimeter -> dc_generator (it records I);
    correlation_detector -> neuron is stored neuron -> detector; the channel is set on the
    connection's synapse (receptor_type)."""
    p, dc = edits.add_node(session.project, "dc_generator", 0, 0)
    p, n = edits.add_node(p, "iaf_psc_alpha", 100, 0)
    p, mm = edits.add_node(p, "multimeter", 0, 100)
    p, cd = edits.add_node(p, "correlation_detector", 200, 0)
    p, _ = edits.connect(p, dc, n)
    p, c_mm = edits.connect(p, dc, mm)
    p = edits.set_node_param(p, mm, "record_from", ["I"])
    p, c_a = edits.connect(p, cd, n)
    p, c_b = edits.connect(p, n, cd)
    p = edits.set_synapse(p, c_b, receptor_type=1)
    session.apply(p)
    assert (edits.connection(p, c_mm).source, edits.connection(p, c_mm).target) == (mm, dc)
    assert (edits.connection(p, c_a).source, edits.connection(p, c_a).target) == (n, cd)
    assert edits.connection(session.project, c_b).synapse.receptor_type == 1
    with pytest.raises(Refused, match="receptor_type"):
        session.apply(edits.set_synapse(session.project, c_b, receptor_type=-1))
    with pytest.raises(Refused, match="channel must be 0 .. 1, got 2"):
        session.apply(edits.set_synapse(session.project, c_b, receptor_type=2))


def test_a_recorder_is_connected_to_a_node_once(session):
    """Issue 13: a second spike recorder connection (drawn either way) counted spikes twice."""
    p, n = edits.add_node(session.project, "iaf_psc_alpha", 0, 0)
    p, sr = edits.add_node(p, "spike_recorder", 100, 0)
    p, vm = edits.add_node(p, "voltmeter", 0, 100)
    p, _ = edits.connect(p, n, sr)
    p, _ = edits.connect(p, vm, n)
    for source, target in [(n, sr), (sr, n), (vm, n), (n, vm)]:
        with pytest.raises(ValueError, match="already connected"):
            edits.connect(p, source, target)
    p, _ = edits.connect(p, n, n)  # populations may be connected more than once (NEST too)
    p, _ = edits.connect(p, n, n)
