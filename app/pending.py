"""Parameter edits that are tried together with the values refused before them.

A value refused against another one's old value (V_reset = 0 before V_th = 20) stays in its
field with the reason and joins the next edit of the same node or connection, so the pair is
validated as one change. The inspector's node parameters and the synapse section share this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spikedesk.app import messages
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.project_files.project import Project
from spikedesk.project_files.validation import Problem

Edit = Callable[[Project, dict[str, Any]], Project]


def field_message(problems: list[Problem], key: str, project: Project) -> str:
    """The refusal beside its field ``key`` (``params.tau_m``): a problem about this field as
    its message alone (``must be > 0, got -5``), others naming their node or connection in
    words (never the file's JSON path)."""
    lines = [p.message if p.path.endswith(key) else messages.readable(p, project) for p in problems]
    return "; ".join(dict.fromkeys(lines))


class PendingEdits:
    """The refused values of one node or connection (``owner``), fields keyed ``prefix + name``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.values: dict[str, Any] = {}
        self.owner: str | None = None

    def clear(self) -> None:
        self.values, self.owner = {}, None

    def apply(
        self, session: ProjectSession, fields: dict, owner: str, name: str, value: Any, edit: Edit
    ) -> None:
        """Apply ``edit(project, values)`` with this value and the pending ones; refused, they
        all stay pending and the field shows why."""
        if self.owner != owner:
            self.values, self.owner = {}, owner
        values = {**self.values, name: value}
        key = self.prefix + name
        field = fields.get(key)
        try:
            session.apply(edit(session.project, values))
        except Refused as exc:
            self.values = values
            if field is not None:
                field.show_error(field_message(exc.problems, key, session.project))
            return
        except (KeyError, TypeError, ValueError) as exc:
            if field is not None:
                field.show_error(str(exc))
            return
        for other in self.values:  # accepted together: their messages are void
            if (pending := fields.get(self.prefix + other)) is not None:
                pending.show_error("")
        self.values = {}
