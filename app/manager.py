"""The project manager (list, new, open example, duplicate, rename, delete, import, download)
and the code view (the PyNEST export of the current project)."""

from __future__ import annotations

import io as stdio
import json

import panel as pn
import param
from spikedesk.app import edits
from spikedesk.app.session import ProjectSession
from spikedesk.project_files import examples_dir, io, nest_desktop, pynest
from spikedesk.project_files.validation import ProjectError

WIDTH = 260


def example_names() -> list[str]:
    return sorted(p.stem for p in examples_dir().glob("*.json"))


class ProjectManager(pn.viewable.Viewer):
    def __init__(self, session: ProjectSession) -> None:
        super().__init__()
        self.session = session
        self.projects = pn.widgets.Select(
            label="Projects", options=self._options(), value=session.project_name, size=8,
            width=WIDTH,
        )  # fmt: skip
        self.projects.param.watch(self._open_selected, "value")
        self.new_button = pn.widgets.Button(label="New", width=80)
        self.duplicate_button = pn.widgets.Button(label="Duplicate", width=90)
        self.delete_button = pn.widgets.Button(label="Delete", color="danger", width=70)
        self.confirm = pn.widgets.Button(label="Confirm delete", color="danger", width=130)
        self.keep = pn.widgets.Button(label="Keep", width=70)
        self.confirm_row = pn.Row(self.confirm, self.keep, visible=False)
        self.rename_input = pn.widgets.TextInput(label="Rename to", width=170)
        self.rename_button = pn.widgets.Button(label="Rename", width=80, align="end")
        self.example = pn.widgets.Select(
            label="Open an example", options=example_names(), value="brunel", width=170
        )
        self.example_button = pn.widgets.Button(label="Open", width=80, align="end")
        self.upload = pn.widgets.FileInput(accept=".json", width=WIDTH, multiple=False)
        self.download = pn.widgets.FileDownload(
            callback=self._project_json,
            filename=f"{session.project_name}.json",
            label="Download project JSON",
            width=WIDTH,
        )
        self.message = pn.pane.Alert("", alert_type="info", visible=False, width=WIDTH)
        # a NEST Desktop file with several projects: all are imported, the user picks one
        self.imported = pn.widgets.Select(
            label="Open an imported project", options=[], visible=False, width=WIDTH
        )
        self.imported.param.watch(self._open_imported, "value")
        self.new_button.on_click(lambda _: self._new())
        self.duplicate_button.on_click(lambda _: self._duplicate())
        self.delete_button.on_click(lambda _: self._ask_delete())
        self.confirm.on_click(lambda _: self._delete())
        self.keep.on_click(lambda _: setattr(self.confirm_row, "visible", False))
        self.rename_button.on_click(lambda _: self._rename())
        self.example_button.on_click(lambda _: self._open_example())
        self.upload.param.watch(self._import, "value")
        session.param.watch(self._name_changed, "project_name")

    def __panel__(self):
        return pn.Column(
            "### Projects",
            self.projects,
            pn.Row(self.new_button, self.duplicate_button, self.delete_button),
            self.confirm_row,
            pn.Row(self.rename_input, self.rename_button),
            pn.Row(self.example, self.example_button),
            pn.pane.Markdown("Import a spikedesk or NEST Desktop file:", margin=(5, 10, 0, 10)),
            self.upload,
            self.imported,
            self.download,
            self.message,
            width=WIDTH + 20,
        )

    # ------------------------------------------------------------------ actions
    def _say(self, text: str, kind: str = "info") -> None:
        self.message.object, self.message.alert_type = text, kind
        self.message.visible = bool(text)

    def _options(self) -> dict[str, str]:
        """Label -> project name; a file that does not open is listed as broken."""
        store = self.session.store
        broken = store.broken()
        return {(f"{n} (broken)" if n in broken else n): n for n in store.names()}

    def _refresh(self) -> None:
        self.projects.options = self._options()
        self.projects.value = self.session.project_name

    def sync_list(self) -> None:
        """Show projects other sessions added, renamed or deleted (called every few seconds)."""
        if self._options() != dict(self.projects.options):
            self._refresh()

    def _open(self, name: str) -> None:
        try:
            self.session.open(name)
        except (ProjectError, OSError) as exc:  # changed on disk since it was listed
            self._say(f"Cannot open {name}: {exc}", "danger")
        self._refresh()

    def _open_selected(self, event) -> None:
        store = self.session.store
        if event.new and event.new != self.session.project_name and store.exists(event.new):
            problem = store.problem(event.new)
            if problem is None:
                try:
                    self.session.open(event.new)
                except (ProjectError, OSError) as exc:
                    problem = str(exc)
                else:
                    self._say("")
                    return
            self._say(f"Cannot open {event.new}: {problem}", "danger")
            self.projects.value = self.session.project_name

    def _new(self) -> None:
        self._open(self.session.store.create(edits.empty_project()))
        self._say(f"New project {self.session.project_name}: drag models from the palette.")

    def _duplicate(self) -> None:
        self._open(self.session.store.duplicate(self.session.project_name))
        self._say(f"Opened the copy {self.session.project_name}.")

    def _ask_delete(self) -> None:
        self.confirm.label = f"Delete {self.session.project_name}?"
        self.confirm_row.visible = True

    def _delete(self) -> None:
        self.confirm_row.visible = False
        gone = self.session.project_name
        self.session.store.delete(gone)
        store = self.session.store
        rest = [e.name for e in store.entries() if store.problem(e.name) is None]
        self._open(rest[0] if rest else store.create(edits.empty_project()))
        self._say(f"Deleted {gone}.")

    def _rename(self) -> None:
        try:
            self.session.rename(self.rename_input.value)
        except (ValueError, KeyError, OSError) as exc:
            self._say(f"Cannot rename: {exc}", "danger")
            return
        self.rename_input.value = ""
        self._refresh()
        self._say(f"Renamed to {self.session.project_name}.")

    def _open_example(self) -> None:
        project = io.load(examples_dir() / f"{self.example.value}.json")
        self._open(self.session.store.create(project, self.example.value))
        self._say(f"Opened the example as {self.session.project_name}.")

    def _import(self, event) -> None:
        if not event.new:
            return
        filename = self.upload.filename or "upload.json"
        try:
            names = self.session.store.import_file(filename, event.new)
        except ProjectError as exc:
            self._say(f"Cannot import {filename}:\n\n" + _bullets(exc), "danger")
            return
        except OSError as exc:
            self._say(f"Cannot import {filename}: {exc.strerror or exc}", "danger")
            return
        except Exception as exc:  # whatever a file holds, the app stays up
            self._say(f"Cannot import {filename}: {type(exc).__name__}: {exc}", "danger")
            return
        self._open(names[0])
        self.imported.visible = len(names) > 1
        self.imported.options = list(names) if len(names) > 1 else []
        self.imported.value = names[0] if len(names) > 1 else None
        more = f" (and {len(names) - 1} more: pick one below)" if len(names) > 1 else ""
        notes = _notes(event.new)
        text = f"Imported {filename} as {names[0]}{more}."
        if notes:
            text += "\n\nApproximated:\n\n" + "\n".join(f"- {n}" for n in notes[:8])
        self._say(text)

    def _open_imported(self, event) -> None:
        if event.new and event.new != self.session.project_name:
            if self.session.store.exists(event.new):
                self._open(event.new)

    def _project_json(self):
        return stdio.BytesIO(io.dumps(self.session.project).encode("utf-8"))

    def _name_changed(self, event) -> None:
        self.download.filename = f"{event.new}.json"


class CodeView(pn.viewable.Viewer):
    """The PyNEST script of the current project, with a download button. The script is
    regenerated only while the view is ``shown``, not on every edit."""

    shown = param.Boolean(default=True, doc="set by the page when its tab is shown")

    def __init__(self, session: ProjectSession, **params) -> None:
        super().__init__(**params)
        self.session = session
        self.code = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["code-view"])
        self.download = pn.widgets.FileDownload(
            callback=lambda: stdio.BytesIO(self.script().encode("utf-8")),
            filename=f"{session.project_name}.py",
            label="Download PyNEST script",
            width=240,
        )
        self._stale = True
        session.param.watch(lambda *_: self._changed(), ["project", "project_name"])
        self.param.watch(lambda *_: self._changed(), "shown")
        self._changed()

    def _changed(self) -> None:
        self._stale = True
        if self.shown:
            self.refresh()

    def script(self) -> str:
        return pynest.export(self.session.project)

    def refresh(self) -> None:
        if self._stale:
            self.code.object = f"```python\n{self.script()}\n```"
            self._stale = False
        self.download.filename = f"{self.session.project_name}.py"

    def __panel__(self):
        return pn.Column(self.download, self.code, sizing_mode="stretch_width")


def _notes(data: bytes) -> list[str]:
    """What importing an uploaded NEST Desktop file approximated (none for spikedesk files)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        if isinstance(raw, dict) and raw.get("format") == "spikedesk-project":
            return []
        return nest_desktop.notes_of(raw)
    except (ValueError, ProjectError):
        return []


def _bullets(exc: ProjectError) -> str:
    lines = [f"- {p}" for p in exc.problems[:12]]
    if len(exc.problems) > 12:
        lines.append(f"- ... and {len(exc.problems) - 12} more")
    return "\n".join(lines)
