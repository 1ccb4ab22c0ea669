"""Edits of several nodes at once (the canvas's multi-select and context menu): one edit and
one undo step each, and the actions' shapes checked before the editor sees them."""

from __future__ import annotations

import pytest
from spikedesk.app import edits
from spikedesk.app.canvas import clean_action
from spikedesk.app.editor import NetworkEditor
from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.validation import validate


@pytest.fixture
def session(tmp_path):
    store = ProjectStore(tmp_path)
    return ProjectSession(store, store.create(io.load(examples_dir() / "brunel.json"), "b"))


def test_a_copied_group_keeps_the_connections_among_its_nodes():
    project = io.load(examples_dir() / "brunel.json")
    new, copies = edits.duplicate_nodes(project, ["E", "I"])
    assert len(copies) == 2 and not validate(new)
    e2, i2 = (new.node(c) for c in copies)
    assert (e2.label, i2.label) == ("E copy", "I copy") and e2.params == project.node("E").params
    inside = {
        (c.source, c.target): c for c in new.connections if {c.source, c.target} <= set(copies)
    }
    assert set(inside) == {(e2.id, e2.id), (e2.id, i2.id), (i2.id, e2.id), (i2.id, i2.id)}
    original = {(c.source, c.target): c for c in project.connections}
    assert inside[(i2.id, e2.id)].synapse == original[("I", "E")].synapse
    assert inside[(i2.id, e2.id)].rule == original[("I", "E")].rule
    # connections leaving the group (noise, recorders) are not copied
    assert len(new.connections) == len(project.connections) + 4


def test_move_delete_and_colour_several_nodes_in_one_edit(session):
    editor = NetworkEditor(session)
    before = session.project
    editor.handle(clean_action({
        "action": "move_many",
        "moves": [{"id": "E", "x": 10, "y": 20}, {"id": "I", "x": 10, "y": 200}],
    }))  # fmt: skip
    assert (
        session.project.node("E").position.y == 20 and session.project.node("I").position.y == 200
    )
    editor.handle(clean_action({"action": "color", "ids": ["E", "I"], "color": "#ff7f0e"}))
    assert {session.project.node(n).color for n in ("E", "I")} == {"#ff7f0e"}
    editor.handle(clean_action({"action": "delete_many", "ids": ["E", "noise"]}))
    assert {n.id for n in session.project.nodes} == {"I", "spikes_E", "spikes_I", "vm"}
    assert all("E" not in (c.source, c.target) for c in session.project.connections)
    for _ in range(3):  # three edits, three undo steps
        session.undo()
    assert session.project == before
    editor.handle(clean_action({"action": "duplicate_many", "ids": ["E", "I"]}))
    copies = editor.canvas.group  # the copies are selected together
    assert [session.project.node(c).label for c in copies] == ["E copy", "I copy"]
    assert session.selection == {"kind": "node", "id": editor.canvas.group[-1]}
    editor.handle(clean_action({"action": "color", "ids": ["E"], "color": ""}))  # the kind's
    assert session.project.node("E").color == ""


def test_group_actions_are_checked():
    assert clean_action({"action": "color", "ids": ["E"], "color": "#12ab34", "x": 1}) == {
        "action": "color", "ids": ["E"], "color": "#12ab34",
    }  # fmt: skip
    assert clean_action({"action": "move_many", "moves": [{"id": "E", "x": 1, "y": 2}]}) == {
        "action": "move_many", "moves": [{"id": "E", "x": 1.0, "y": 2.0}],
    }  # fmt: skip
    for bad in (
        {"action": "color", "ids": ["E"], "color": "red"},
        {"action": "color", "ids": [], "color": "#123456"},
        {"action": "delete_many", "ids": "E"},
        {"action": "delete_many", "ids": ["E", 3]},
        {"action": "duplicate_many", "ids": ["x"] * 10_001},
        {"action": "move_many", "moves": [{"id": "E", "x": float("inf"), "y": 0}]},
        {"action": "move_many", "moves": ["E"]},
        {"action": "move_many", "moves": []},
    ):
        assert clean_action(bad) is None, bad


def test_an_unknown_node_in_a_group_is_refused_as_a_message(session):
    editor = NetworkEditor(session)
    before = session.project
    editor.handle(clean_action({"action": "delete_many", "ids": ["E", "nope"]}))
    assert session.project == before and editor.canvas.message.startswith("Cannot do that")
