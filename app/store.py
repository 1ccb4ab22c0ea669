"""The project store: a folder of project files, one ``<name>.json`` per project.

Every write goes through ``io.save`` (validated, then temp file + rename), so the store never
holds a half-written or invalid file, and a failed import or rename leaves everything as it was.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

from spikedesk.project_files import io, nest_desktop
from spikedesk.project_files.project import Project
from spikedesk.project_files.validation import Problem, ProjectError

SAFE_NAME = re.compile(r"[^\w\- .]+")
RESULTS_SUFFIX = ".results.npz"  # the last run of <name>.json (spikedesk.app.results)
ORPHAN_AGE = 60.0  # s: a temporary file this old belongs to a save that was interrupted


def default_folder() -> Path:
    """``$XDG_DATA_HOME/spikedesk/projects`` (``~/.local/share/spikedesk/projects``)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "spikedesk" / "projects"


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path
    modified: float


class ProjectStore:
    """Projects by name in ``folder``. Names are file stems; they are made safe and unique."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._problems: dict[Path, tuple[tuple[float, int], str | None]] = {}
        self.clean_orphans()

    def clean_orphans(self, age: float = ORPHAN_AGE) -> list[Path]:
        """Remove the temporary files of saves that were interrupted (a crash or power cut
        between writing and renaming); younger ones may belong to a save under way."""
        removed = []
        now = time.time()
        temporary = [f".*.json.*{io.TEMP_SUFFIX}", f".*{RESULTS_SUFFIX}.*{io.TEMP_SUFFIX}"]
        for path in (p for pattern in temporary for p in self.folder.glob(pattern)):
            try:
                if now - path.stat().st_mtime > age:
                    path.unlink()
                    removed.append(path)
            except OSError:
                pass
        return removed

    def problem(self, name: str) -> str | None:
        """Why the stored file ``name`` cannot be opened (None: it opens). Checked again
        only when the file changes."""
        path = self.path(name)
        try:
            info = path.stat()
        except OSError as exc:
            return exc.strerror or str(exc)
        stamp = (info.st_mtime, info.st_size)
        known = self._problems.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            io.load(path)
            problem = None
        except ProjectError as exc:
            problem = "; ".join(str(p) for p in exc.problems[:3])
            more = len(exc.problems) - 3
            problem += f"; and {more} more" if more > 0 else ""
        except (OSError, UnicodeDecodeError) as exc:
            problem = f"cannot read: {exc}"
        self._problems[path] = (stamp, problem)
        return problem

    def broken(self) -> dict[str, str]:
        """The stored files that cannot be opened, with their problem, by name."""
        out = {}
        for entry in self.entries():
            problem = self.problem(entry.name)
            if problem is not None:
                out[entry.name] = problem
        return out

    def entries(self) -> list[Entry]:
        """Every project, most recently changed first."""
        out = []
        for p in self.folder.glob("*.json"):
            if self.clean(p.stem) != p.stem:
                continue  # not a name the store can address (hidden, odd characters)
            try:
                out.append(Entry(p.stem, p, p.stat().st_mtime))
            except OSError:  # deleted meanwhile
                continue
        return sorted(out, key=lambda e: (-e.modified, e.name))

    def names(self) -> list[str]:
        return sorted(e.name for e in self.entries())

    def path(self, name: str) -> Path:
        clean = self.clean(name)
        if clean != name:
            raise KeyError(f"not a project name: {name!r}")
        return self.folder / f"{name}.json"

    def results_path(self, name: str) -> Path:
        """Where the last run of ``name`` is kept (``spikedesk.app.results``), beside it."""
        return self.folder / f"{self.path(name).stem}{RESULTS_SUFFIX}"

    def exists(self, name: str) -> bool:
        return self.clean(name) == name and self.path(name).is_file()

    def load(self, name: str) -> Project:
        return io.load(self.path(name))

    def save(self, name: str, project: Project) -> None:
        """Write atomically; the name inside the file is always the store name."""
        io.save(replace(project, name=name), self.path(name))

    def create(self, project: Project, name: str | None = None) -> str:
        """Store ``project`` under a free name derived from ``name`` (or its own name)."""
        name = self.free_name(name or project.name)
        self.results_path(name).unlink(missing_ok=True)  # a stale file of a deleted namesake
        self.save(name, project)
        return name

    def duplicate(self, name: str) -> str:
        return self.create(self.load(name), f"{name} copy")

    def rename(self, old: str, new: str) -> str:
        """Rename a project (file and the name inside); returns the name actually used."""
        new = self.clean(new)
        if not new:
            raise ValueError("a project name needs at least one letter or digit")
        if new == old:
            return old
        if self.exists(new):
            raise ValueError(f"a project named {new!r} already exists")
        project = self.load(old)
        self.save(new, replace(project, name=new))
        self.path(old).unlink()
        try:  # the results go with their project
            os.replace(self.results_path(old), self.results_path(new))
        except FileNotFoundError:
            pass
        return new

    def delete(self, name: str) -> None:
        self.path(name).unlink()
        self.results_path(name).unlink(missing_ok=True)

    def import_file(self, filename: str, data: bytes) -> list[str]:
        """Import an uploaded spikedesk or NEST Desktop JSON file; returns the new names.

        Nothing is written unless the whole file imports (every problem is reported at once).
        """
        try:
            raw = json.loads(data.decode("utf-8"))
        except RecursionError:
            raise ProjectError(
                filename, [Problem("", "not a project: nested too deeply")]
            ) from None
        except ValueError as exc:  # not UTF-8, not JSON, an integer of 5,000 digits
            raise ProjectError(filename, [Problem("", f"not a JSON file: {exc}")]) from None
        if isinstance(raw, dict) and raw.get("format") == "spikedesk-project":
            projects = [io.from_dict(raw, filename)]
        else:
            projects = nest_desktop.import_data(raw, filename)
        return [self.create(p) for p in projects]

    def adopt(self, path: str | os.PathLike) -> str:
        """The store's copy of the project file at ``path`` (named after the file), made
        now unless the store already holds that very project."""
        project = io.load(path)
        stem = self.clean(Path(path).stem) or "Untitled"
        if self.exists(stem) and self.load(stem) == replace(project, name=stem):
            return stem
        return self.create(project, stem)

    def free_name(self, name: str) -> str:
        base = self.clean(name) or "Untitled"
        if not self.exists(base):
            return base
        stem = re.sub(r" \d+$", "", base)
        k = 2
        while self.exists(f"{stem} {k}"):
            k += 1
        return f"{stem} {k}"

    @staticmethod
    def clean(name: str) -> str:
        """Letters, digits, space, dot, dash, underscore; no leading dot (hidden files)."""
        return SAFE_NAME.sub("", str(name)).strip().lstrip(".").strip()[:80]
