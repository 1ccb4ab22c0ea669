"""The page of one browser session: project manager, simulation bar, network editor with
inspector, and the activity and code views. Every call builds fresh objects, so sessions
share nothing but the project store on disk."""

from __future__ import annotations

import panel as pn
from spikedesk.app.compare import CompareView
from spikedesk.app.editor import NetworkEditor
from spikedesk.app.inspector import Inspector
from spikedesk.app.manager import CodeView, ProjectManager
from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.app.studio import Studio
from spikedesk.project_files import examples_dir, io

CSS = """
.field-error pre { color: #b00020; white-space: pre-wrap; }
"""


def first_project(store: ProjectStore, requested: str | None, start: str | None) -> str:
    """The project a new session opens: the one in the URL (a reload keeps its project),
    else the one ``spikedesk serve`` was started with, else the most recent one, else the
    Brunel example."""
    for name in (requested, start):
        if name and store.exists(name) and store.problem(name) is None:
            return name
    for entry in store.entries():  # a broken file is listed as broken, never opened
        if store.problem(entry.name) is None:
            return entry.name
    return store.create(io.load(examples_dir() / "brunel.json"), "brunel")


def build_page(store: ProjectStore, start: str | None = None, on_session=None):
    query = pn.state.location.query_params if pn.state.location else {}
    name = first_project(store, query.get("project"), start)
    session = ProjectSession(store, name)
    if pn.state.location:  # the URL names the project: a reload or a shared link opens it
        location = pn.state.location
        pn.state.onload(lambda: location.update_query(project=session.project_name))
        session.param.watch(lambda e: location.update_query(project=e.new), "project_name")
    editor = NetworkEditor(session)
    inspector = Inspector(session)
    studio = Studio(session)
    manager = ProjectManager(session)
    if pn.state.curdoc is not None:  # other sessions may add or remove projects
        pn.state.add_periodic_callback(manager.sync_list, period=5000)
    undo = pn.widgets.Button(label="Undo", width=70, disabled=not session.can_undo)
    redo = pn.widgets.Button(label="Redo", width=70, disabled=not session.can_redo)
    undo.on_click(lambda _: session.undo())
    redo.on_click(lambda _: session.redo())
    session.param.watch(lambda *_: undo.param.update(disabled=not session.can_undo), "can_undo")
    session.param.watch(lambda *_: redo.param.update(disabled=not session.can_redo), "can_redo")
    saved = pn.pane.Str(session.param.saved, styles={"color": "#666"})
    title = pn.pane.Markdown(
        session.param.project_name.rx().rx.pipe(lambda n: f"## {n}"), margin=(0, 10)
    )
    toolbar = pn.Row(title, pn.Spacer(), saved, undo, redo, sizing_mode="stretch_width")
    code = CodeView(session, shown=False)
    compare = CompareView(lambda: session.project)
    tabs = pn.Tabs(
        ("Activity", studio.activity),
        ("PyNEST code", code),
        ("Compare with NEST", compare),
        sizing_mode="stretch_width",
        dynamic=False,
    )
    tabs.param.watch(lambda e: setattr(code, "shown", e.new == 1), "active")
    template = pn.template.BootstrapTemplate(
        title="spikedesk",
        sidebar=[manager],
        main=[
            studio,
            toolbar,
            pn.Row(editor.canvas, inspector, sizing_mode="stretch_width"),
            tabs,
        ],
        raw_css=[CSS],
        sidebar_width=300,
    )
    if on_session is not None:  # tests look at the Python side of a page
        on_session({"session": session, "studio": studio, "editor": editor, "compare": compare})
    return template
