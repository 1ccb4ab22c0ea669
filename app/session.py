"""One browser session's project: the current valid ``Project``, undo/redo history, the
selection, and autosave into the project store.

Every change from the canvas, the inspector or the simulation bar goes through ``apply``:
the new project is validated first; a project with problems is refused (the caller shows the
problems) and the session keeps the last valid one, so invalid values never reach the engine
and never reach the disk.
"""

from __future__ import annotations

import param
from spikedesk.app.store import ProjectStore
from spikedesk.project_files.project import Project
from spikedesk.project_files.validation import Problem, validate

HISTORY = 200


class Refused(ValueError):
    """An edit that would make the project invalid; ``problems`` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ProjectSession(param.Parameterized):
    project = param.ClassSelector(class_=Project, doc="the current, always valid project")
    project_name = param.String(default="", doc="the project's name in the store")
    selection = param.Dict(default={}, doc='{} or {"kind": "node"|"edge", "id": ...}')
    can_undo = param.Boolean(default=False)
    can_redo = param.Boolean(default=False)
    saved = param.String(default="", doc="what the last autosave did")
    revision = param.Integer(default=0, doc="bumped by undo/redo/open: views rebuild from it")
    opened = param.Integer(default=0, doc="bumped when another project is opened")

    def __init__(self, store: ProjectStore, name: str, **params) -> None:
        super().__init__(project=store.load(name), project_name=name, **params)
        self.store = store
        self._undo: list[Project] = []
        self._redo: list[Project] = []

    # ------------------------------------------------------------------ edits
    def apply(self, project: Project) -> Project:
        """Make ``project`` current (undoable) and autosave it, or raise ``Refused``."""
        if project == self.project:
            return project
        problems = validate(project)
        if problems:
            raise Refused(problems)
        self._undo = (self._undo + [self.project])[-HISTORY:]
        self._redo = []
        self._set(project)
        return project

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self.project)
        self._set(self._undo.pop(), rebuild=True)
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self.project)
        self._set(self._redo.pop(), rebuild=True)
        return True

    def _set(self, project: Project, rebuild: bool = False) -> None:
        ids = {n.id for n in project.nodes} | {c.id for c in project.connections}
        selection = self.selection if self.selection.get("id") in ids else {}
        with param.parameterized.batch_call_watchers(self):
            self.project = project
            self.selection = selection
            self.can_undo, self.can_redo = bool(self._undo), bool(self._redo)
            if rebuild:
                self.revision += 1
        self._autosave()

    def _autosave(self) -> None:
        try:
            self.store.save(self.project_name, self.project)
            self.saved = f"Saved {self.project_name}"
        except OSError as exc:  # a full disk must not lose the session's work
            self.saved = f"Could not save {self.project_name}: {exc}"

    # ------------------------------------------------------------------ projects
    def open(self, name: str) -> None:
        """Switch to another stored project (its own fresh history)."""
        project = self.store.load(name)
        self._undo, self._redo = [], []
        with param.parameterized.batch_call_watchers(self):
            self.project_name = name
            self.project = project
            self.selection = {}
            self.can_undo = self.can_redo = False
            self.saved = ""
            self.revision += 1
            self.opened += 1

    def rename(self, new: str) -> None:
        name = self.store.rename(self.project_name, new)
        with param.parameterized.batch_call_watchers(self):
            self.project_name = name
            self.project = self.store.load(name)
            self.revision += 1
