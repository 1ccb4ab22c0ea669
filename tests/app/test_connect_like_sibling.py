"""A new connection onto neurons takes the rule and synapse of its source's latest other
connection onto neurons (one population, one kind of synapse: Dale's principle), and the
voltmeter's neuron indices take ranges."""

from __future__ import annotations

import pytest
from spikedesk.app import edits
from spikedesk.app.canvas import clean_action
from spikedesk.app.editor import NetworkEditor
from spikedesk.app.fields import indices_text, parse_indices
from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.project_files.project import Rule, Synapse


@pytest.fixture
def editor(tmp_path):
    store = ProjectStore(tmp_path)
    session = ProjectSession(store, store.create(edits.empty_project(), "net"))
    editor = NetworkEditor(session)
    for model, x in [("iaf_psc_delta", 0), ("iaf_psc_delta", 100), ("spike_recorder", 200)]:
        editor.handle(clean_action({"action": "add", "model": model, "x": x, "y": 0}))
    return editor


def connect(editor, source: str, target: str) -> str:
    editor.handle(clean_action({"action": "connect", "source": source, "target": target}))
    return editor.session.selection["id"]


def test_the_second_connection_of_a_population_has_the_first_ones_rule_and_synapse(editor):
    session = editor.session
    e, i, rec = (n.id for n in session.project.nodes)
    first = connect(editor, e, e)
    rule = Rule("fixed_indegree", {"indegree": 8})
    synapse = Synapse(weight=2.5, delay=1.5)
    session.apply(edits._replace_conn(session.project, first, rule=rule, synapse=synapse))
    second = connect(editor, e, i)
    made = edits.connection(session.project, second)
    assert (made.rule, made.synapse) == (rule, synapse)
    name = session.project.node(e).label or e
    assert (
        editor.canvas.message == f"The new connection has the rule and synapse of {name} → {name}."
    )
    # one undo step takes the whole new connection away
    session.undo()
    assert all(c.id != second for c in session.project.connections)
    session.redo()
    # a recorder's wiring takes nothing; another source starts from NEST's defaults
    recorded = connect(editor, e, rec)
    assert edits.connection(session.project, recorded).rule == Rule()
    other = connect(editor, i, e)
    plain = edits.connection(session.project, other)
    assert (plain.rule, plain.synapse) == (Rule(), Synapse())


def test_a_rule_that_does_not_fit_the_new_target_is_not_taken(editor):
    session = editor.session
    e, i, _ = (n.id for n in session.project.nodes)
    session.apply(edits.set_node(session.project, i, size=50))
    first = connect(editor, e, e)
    session.apply(edits.set_rule(session.project, first, "one_to_one"))
    second = connect(editor, e, i)
    made = edits.connection(session.project, second)  # one_to_one 100 onto 50: refused
    assert made.rule == Rule() and len(session.project.connections) == 2


@pytest.mark.parametrize(
    "text, indices",
    [("0-4", [0, 1, 2, 3, 4]), ("0, 3 7", [0, 3, 7]), ("2-3;9", [2, 3, 9]), ("", []),
     ("5–6", [5, 6])],
)  # fmt: skip
def test_indices_are_typed_with_ranges(text, indices):
    assert parse_indices(text) == indices


@pytest.mark.parametrize(
    "text, says", [("a", "'a'"), ("1-x", "'1-x'"), ("4-1", "runs backwards"), ("1.5", "'1.5'")]
)
def test_a_wrong_index_is_named(text, says):
    with pytest.raises(ValueError, match=says):
        parse_indices(text)


def test_indices_are_shown_with_ranges():
    assert indices_text([0, 1, 2, 3, 4, 7, 9, 10]) == "0-4, 7, 9, 10"
    assert parse_indices(indices_text([0, 1, 2, 3, 4, 7, 9, 10])) == [0, 1, 2, 3, 4, 7, 9, 10]
    assert indices_text(()) == ""
