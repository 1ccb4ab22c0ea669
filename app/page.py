"""The page of one browser session: a full-height workspace. The header holds the project's
name, the views and undo/redo; the project manager is a drawer (the header's menu button);
the simulation bar runs along the top; the network editor and the live activity share the
screen in a resizable split, with the inspector in a side panel. Activity, lab book, PyNEST
code and the NEST comparison are also views of their own. Every call builds fresh objects,
so sessions share nothing but the project store on disk."""

from __future__ import annotations

import panel as pn
from spikedesk.app.compare import CompareView
from spikedesk.app.editor import NetworkEditor
from spikedesk.app.inspector import Inspector
from spikedesk.app.labbook import LabBook
from spikedesk.app.manager import CodeView, ProjectManager
from spikedesk.app.session import ProjectSession
from spikedesk.app.split import SplitView
from spikedesk.app.store import ProjectStore
from spikedesk.app.studio import Studio
from spikedesk.project_files import examples_dir, io

HEADER = 56  # px, the template's header bar
# the views of the header; each shows some of the workspace's parts
VIEWS = {
    "Editor + activity": "split",
    "Editor": "first",
    "Activity": "second",
    "Weights": None,
    "Lab book": None,
    "PyNEST code": None,
    "Compare with NEST": None,
}

CSS = f"""
.field-error pre {{ color: #b00020; white-space: pre-wrap; }}
#main {{ padding: 0 !important; overflow: hidden !important; }}
#main > .card, #main .main-content {{ padding: 0 !important; margin: 0 !important; }}
.sd-workspace {{ height: calc(100vh - {HEADER}px); }}
#header {{ height: {HEADER}px; min-height: {HEADER}px; padding-top: 0; padding-bottom: 0;
  flex-wrap: nowrap; overflow: hidden; }}
#header .app-header {{ flex: 0 0 auto; }}
#header-items {{ flex: 1 1 auto; min-width: 0; }}
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


def header(session: ProjectSession, view: pn.widgets.RadioButtonGroup) -> list:
    undo = pn.widgets.Button(label="Undo", width=64, disabled=not session.can_undo, margin=(4, 4))
    redo = pn.widgets.Button(label="Redo", width=64, disabled=not session.can_redo, margin=(4, 4))
    undo.on_click(lambda _: session.undo())
    redo.on_click(lambda _: session.redo())
    session.param.watch(lambda *_: undo.param.update(disabled=not session.can_undo), "can_undo")
    session.param.watch(lambda *_: redo.param.update(disabled=not session.can_redo), "can_redo")
    saved = pn.pane.Str(session.param.saved, styles={"opacity": "0.8"}, margin=(10, 8))
    title = pn.pane.Markdown(
        session.param.project_name.rx().rx.pipe(lambda n: f"**{n}**"),
        margin=(0, 12),
        styles={"font-size": "16px"},
        css_classes=["project-title"],
    )
    return [pn.Row(title, view, pn.HSpacer(), saved, undo, redo, sizing_mode="stretch_width")]


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
    code = CodeView(session, shown=False)
    compare = CompareView(lambda: session.project)
    labbook = LabBook(session, studio.activity)
    split = SplitView(first=editor.canvas, second=studio.activity, ratio=0.5)
    split.param.update(sizing_mode="stretch_both", min_height=300)
    editing = pn.Row(split, inspector, sizing_mode="stretch_both", margin=0)
    parts = {
        "Weights": studio.weights,
        "Lab book": labbook,
        "PyNEST code": code,
        "Compare with NEST": compare,
    }
    pages = {
        label: pn.Column(part, scroll=True, sizing_mode="stretch_both", visible=False)
        for label, part in parts.items()
    }
    view = pn.widgets.RadioButtonGroup(
        options=list(VIEWS), value="Editor + activity", color="light", margin=(4, 8)
    )

    def show(event) -> None:
        mode = VIEWS[event.new]
        editing.visible = mode is not None
        if mode is not None:
            split.mode = mode
        for label, column in pages.items():
            column.visible = label == event.new
        code.shown = event.new == "PyNEST code"
        labbook.shown = event.new == "Lab book"

    view.param.watch(show, "value")
    workspace = pn.Column(
        studio,
        editing,
        *pages.values(),
        sizing_mode="stretch_both",
        css_classes=["sd-workspace"],
        margin=0,
    )
    template = pn.template.BootstrapTemplate(
        title="spikedesk",
        header=header(session, view),
        sidebar=[manager],
        main=[workspace],
        raw_css=[CSS],
        sidebar_width=300,
        collapsed_sidebar=True,
    )
    if on_session is not None:  # tests look at the Python side of a page
        on_session(
            {
                "session": session,
                "studio": studio,
                "editor": editor,
                "compare": compare,
                "view": view,
                "split": split,
                "labbook": labbook,
            }
        )
    return template
