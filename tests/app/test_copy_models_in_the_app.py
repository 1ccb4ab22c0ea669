"""A project whose nodes and synapses use copy models (format 2) opens in the app: the canvas,
the inspector and the activity read the copies' base models (no KeyError for a copy's name)."""

from __future__ import annotations

from dataclasses import replace

from spikedesk.app import editor, edits, weights_view
from spikedesk.app.inspector import Inspector
from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.project_files import io
from spikedesk.project_files.project import CopyModel, frozen_map


def copy_project():
    project = edits.empty_project()
    project, first = edits.add_node(project, "iaf_psc_alpha", 100, 100)
    project, second = edits.add_node(project, "iaf_psc_alpha", 300, 100)
    copies = {
        "fast_iaf": CopyModel("iaf_psc_alpha", frozen_map({"tau_m": 5.0})),
        "my_stdp": CopyModel("stdp_synapse", frozen_map({"tau_plus": 15.0})),
    }
    nodes = tuple(replace(n, model="fast_iaf") if n.id == first else n for n in project.nodes)
    project = replace(project, copy_models=frozen_map(copies), nodes=nodes)
    project, cid = edits.connect(project, first, second)
    conns = tuple(
        replace(c, synapse=replace(c.synapse, model="my_stdp")) for c in project.connections
    )
    return replace(project, connections=conns), first, cid


def test_canvas_inspector_and_weights_read_copy_models(tmp_path):
    project, first, cid = copy_project()
    project = io.loads(io.dumps(project))  # a valid format-2 project
    kinds = {n["id"]: n for n in editor.canvas_nodes(project)}
    assert first in kinds
    assert weights_view.weight_recorders(project) == []
    store = ProjectStore(tmp_path)
    session = ProjectSession(store, store.create(project, "copies"))
    inspector = Inspector(session)
    session.select("node", first) if hasattr(session, "select") else None
    fields = inspector._node_fields(project.node(first))
    model_field = next(f for f in fields if getattr(f, "key", None) == "model")
    assert model_field is not None
