"""The spatial activity view: the neurons of every spatial node at their positions, coloured
by their recent activity, updated with each chunk while a run streams; 3D layers turn with
the mouse (assets/spatial_view.js, a canvas drawn in the browser, served by the app itself).

``SpatialActivity`` (pure NumPy) keeps each neuron's activity, an exponentially decaying spike
count (time constant ``TAU_MS`` of simulated time); ``SpatialView`` shows it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import panel as pn
import param
from panel.custom import JSComponent
from spikedesk.project_files.project import Project

TAU_MS = 20.0  # decay of the displayed activity, in simulated ms
MARKERS = ("circle", "square", "triangle", "diamond")
ASSET = Path(__file__).resolve().parents[1] / "assets" / "spatial_view.js"


class SpatialActivity:
    """Per spatial node, each neuron's activity: sum over its spikes of exp(-(now - t)/tau).
    ``rates`` turns it into spikes/s (activity / tau)."""

    def __init__(self, sizes: dict[str, int], tau_ms: float = TAU_MS) -> None:
        self.tau = tau_ms
        self.now = 0.0
        self.values = {nid: np.zeros(n) for nid, n in sizes.items()}

    def add(self, senders: np.ndarray, times: np.ndarray, node_ids: dict, now: float) -> None:
        """Spikes (gids, ms) up to ``now``; ``node_ids``: node id -> (first gid, size)."""
        decay = math.exp(-(now - self.now) / self.tau) if now > self.now else 1.0
        for nid, values in self.values.items():
            values *= decay
            if nid not in node_ids or len(senders) == 0:
                continue
            first, size = node_ids[nid]
            mine = (senders >= first) & (senders < first + size)
            if mine.any():
                weight = np.exp(-(now - times[mine]) / self.tau)
                np.add.at(values, (senders[mine] - first).astype(np.int64), weight)
        self.now = max(self.now, now)

    def rates(self, nid: str) -> np.ndarray:
        return self.values[nid] * (1000.0 / self.tau)


class SpatialCloud(JSComponent):
    """The browser side: layers (positions) once per run, activity (0..1) per update."""

    layers = param.List(default=[], doc="[{id, label, dims, marker, points: flat x, y(, z)}]")
    activity = param.Dict(default={}, doc="{node id: [0..1 per neuron]}")
    azimuth = param.Number(default=30.0, doc="3D view: turn about the vertical axis (degrees)")
    elevation = param.Number(default=25.0, doc="3D view: tilt (degrees)")

    _esm = ASSET.read_text(encoding="utf-8")


class SpatialView(pn.viewable.Viewer):
    """The spatial nodes of the last run, coloured by activity (spikes seen by any spike
    recorder), with a line saying what is shown."""

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self.cloud = SpatialCloud(height=360, sizing_mode="stretch_width", visible=False)
        self.status = pn.pane.HTML(
            "Give a population a spatial layer (Spatial in the inspector) to see its neurons here.",
            css_classes=["spatial-status"],
            sizing_mode="stretch_width",
        )
        self.activity: SpatialActivity | None = None
        self._labels: dict[str, str] = {}
        # shown for projects with spatial nodes only
        self._layout = pn.Column(
            self.status, self.cloud, sizing_mode="stretch_width", visible=False
        )

    def __panel__(self):
        return self._layout

    def start(self, project: Project) -> None:
        """A new run: forget the last one's layers and activity."""
        self._labels = {n.id: n.label or n.id for n in project.nodes if n.spatial is not None}
        self.activity = None
        self.cloud.layers, self.cloud.activity = [], {}
        self.cloud.visible = False
        self._layout.visible = bool(self._labels)
        if not self._labels:
            self.status.object = (
                "No spatial nodes: give a population a spatial layer (Spatial in the "
                "inspector) to see its neurons here."
            )

    def show(self, events: dict, node_ids: dict, positions: dict, now: float) -> None:
        """New events of the run (per recorder: senders, times) up to ``now`` ms."""
        if not positions:
            return
        if self.activity is None:
            self.activity = SpatialActivity({nid: len(p) for nid, p in positions.items()})
            self.cloud.layers = [
                {
                    "id": nid,
                    "label": self._labels.get(nid, nid),
                    "dims": int(p.shape[1]),
                    "marker": MARKERS[k % len(MARKERS)],
                    "points": np.round(p, 5).ravel().tolist(),
                }
                for k, (nid, p) in enumerate(positions.items())
            ]
            self.cloud.visible = True
        spikes = [f for f in events.values() if set(f) == {"senders", "times"}]  # recorders
        senders = [f["senders"] for f in spikes]
        times = [f["times"] for f in spikes]
        s = np.concatenate(senders) if senders else np.zeros(0, np.int64)
        t = np.concatenate(times) if times else np.zeros(0)
        self.activity.add(s, t, node_ids, now)
        peak = max((float(v.max()) for v in self.activity.values.values() if len(v)), default=0)
        scale = peak if peak > 0 else 1.0
        self.cloud.activity = {
            nid: np.round(v / scale, 3).tolist() for nid, v in self.activity.values.items()
        }
        parts = []
        for nid in self.activity.values:
            rate = self.activity.rates(nid)
            parts.append(f"{self._labels.get(nid, nid)}: {rate.mean():.1f} spikes/s")
        self.status.object = (
            f"Activity at {now:g} ms (spikes in the last ~{TAU_MS:g} ms, brightest = "
            f"{peak * 1000.0 / TAU_MS:.0f} spikes/s) · " + " · ".join(parts)
        )
