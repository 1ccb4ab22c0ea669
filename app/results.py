"""The last run's results, kept beside the project in the store (``<name>.results.npz``), so
a reload or the next visit shows them again.

The project file format knows nothing of results: a project stays a small, diffable JSON
file, and a results file that is missing, broken or from another version only means that no
results are shown. A results file carries the project as it was run (as JSON text), because
the populations, labels and colours of the plots are those of the run, not of later edits.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spikedesk.project_files import io
from spikedesk.project_files.project import Project

VERSION = 1
GROUPS = ("events", "before", "after")  # the arrays of a run, by owner and field


@dataclass(frozen=True)
class SavedRun:
    project: Project  # as it was run
    events: dict  # recorder id -> field -> array, NEST's events layout
    node_ids: dict  # node id -> (first gid, size)
    simulated: float  # ms
    wall: float  # s
    duration: float = 0.0  # ms the run was to simulate
    cancelled: bool = False
    # the plastic connections' synapses after building and at the end (the Weights view)
    before: dict = field(default_factory=dict)  # connection id -> field -> array
    after: dict = field(default_factory=dict)
    after_ms: float = 0.0
    saved_at: float = field(default_factory=time.time)  # seconds since the epoch


def save(path: str | os.PathLike, run: SavedRun) -> None:
    """Write ``run`` to ``path`` atomically (temp file + rename): a reader sees the old results
    or the new ones, never a part."""
    path = Path(path)
    arrays, fields = {}, []
    for group in GROUPS:
        for owner, values in getattr(run, group).items():
            for name, array in values.items():
                key = f"a{len(fields)}"
                arrays[key] = np.asarray(array)
                fields.append([group, owner, name, key])
    meta = {
        "version": VERSION,
        "project": io.dumps(run.project),
        "node_ids": {k: [int(v[0]), int(v[1])] for k, v in run.node_ids.items()},
        "simulated": float(run.simulated),
        "wall": float(run.wall),
        "duration": float(run.duration),
        "after_ms": float(run.after_ms),
        "cancelled": bool(run.cancelled),
        "saved_at": float(run.saved_at),
        "fields": fields,
    }
    meta_array = np.array(json.dumps(meta))
    io.write_atomically(path, lambda handle: np.savez(handle, meta=meta_array, **arrays))


def load(path: str | os.PathLike) -> SavedRun | None:
    """The run saved at ``path``, or None when there is none or it cannot be read (missing,
    truncated, not ours, another version, a project that no longer loads): a broken results
    file hides the results, it never stops the project from opening."""
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"][()]))
            if meta.get("version") != VERSION:
                return None
            groups: dict = {group: {} for group in GROUPS}
            for group, owner, name, key in meta["fields"]:
                array = data[key]
                if group not in groups or array.dtype.kind not in "biuf":
                    return None
                groups[group].setdefault(str(owner), {})[str(name)] = array
        project = io.loads(meta["project"], source=str(path))
        node_ids = {str(k): (int(v[0]), int(v[1])) for k, v in meta["node_ids"].items()}
        return SavedRun(
            project=project,
            node_ids=node_ids,
            simulated=float(meta["simulated"]),
            wall=float(meta["wall"]),
            duration=float(meta["duration"]),
            after_ms=float(meta["after_ms"]),
            **groups,
            cancelled=bool(meta.get("cancelled", False)),
            saved_at=float(meta.get("saved_at", 0.0)),
        )
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, no results
        return None
