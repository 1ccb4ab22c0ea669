"""The compare view: the same project on spikedesk and on NEST, side by side.

Two rasters (one per simulator, the same neuron ids), a table with each recorded population's
rate and CV of ISI on both and their differences, and the two wall times. The runs take turns
(spikedesk first, then NEST) so that neither competes with the other for the cores and the
wall times are honest. Like ``ActivityView`` it only displays (``start``, ``finish`` per
side); ``run`` drives both backends on a worker thread and hands the results to the
session's document.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource
from spikedesk.app.activity import MAX_RASTER_POINTS, _plot, population_stats
from spikedesk.engine import EngineError, merge
from spikedesk.engine.backends import EmbeddedBackend, NESTBackend, nest_available
from spikedesk.project_files.project import Project

SIDES = ("spikedesk", "NEST")


def _difference(ours: float, theirs: float) -> float:
    """NEST minus spikedesk, in percent of NEST (NaN when NEST's is 0 or missing)."""
    if not (math.isfinite(ours) and math.isfinite(theirs)) or theirs == 0:
        return float("nan")
    return round(100.0 * (ours - theirs) / theirs, 1)


def compare_stats(ours: dict, theirs: dict) -> dict:
    """One row per recorded population: spikes, rate and CV of ISI on both simulators and
    spikedesk's difference from NEST (rate and CV in percent of NEST's)."""
    theirs_row = {p: i for i, p in enumerate(theirs["population"])}
    rows: dict[str, list] = {
        "population": [], "neurons": [],
        "spikes (spikedesk)": [], "spikes (NEST)": [],
        "rate spikedesk (spikes/s)": [], "rate NEST (spikes/s)": [], "rate difference (%)": [],
        "CV spikedesk": [], "CV NEST": [], "CV difference (%)": [],
    }  # fmt: skip
    for i, pop in enumerate(ours["population"]):
        j = theirs_row.get(pop)
        rate_o, cv_o = ours["rate (spikes/s)"][i], ours["CV ISI"][i]
        rate_t = theirs["rate (spikes/s)"][j] if j is not None else float("nan")
        cv_t = theirs["CV ISI"][j] if j is not None else float("nan")
        rows["population"].append(pop)
        rows["neurons"].append(ours["neurons"][i])
        rows["spikes (spikedesk)"].append(ours["spikes"][i])
        rows["spikes (NEST)"].append(theirs["spikes"][j] if j is not None else 0)
        rows["rate spikedesk (spikes/s)"].append(rate_o)
        rows["rate NEST (spikes/s)"].append(rate_t)
        rows["rate difference (%)"].append(_difference(rate_o, rate_t))
        rows["CV spikedesk"].append(cv_o)
        rows["CV NEST"].append(cv_t)
        rows["CV difference (%)"].append(_difference(cv_o, cv_t))
    return rows


def _spikes(events: dict) -> tuple[np.ndarray, np.ndarray]:
    parts = [f for f in events.values() if set(f) == {"senders", "times"}]
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0)
    senders = np.concatenate([f["senders"] for f in parts])
    times = np.concatenate([f["times"] for f in parts])
    if len(senders) > MAX_RASTER_POINTS:  # an even sample; the table uses every spike
        keep = np.linspace(0, len(senders) - 1, MAX_RASTER_POINTS).astype(np.int64)
        senders, times = senders[keep], times[keep]
    return senders, times


class CompareView(pn.viewable.Viewer):
    """Rasters, statistics and wall times of one project on spikedesk and on NEST."""

    running = param.Boolean(default=False)
    status = param.String(default="")

    def __init__(self, project_of=None, **params) -> None:
        super().__init__(**params)
        self._project_of = project_of  # () -> the project to compare
        self._results: dict[str, tuple] = {}
        self._cancel = threading.Event()
        self.available = nest_available()
        self.status = (
            "Runs the project on spikedesk, then on NEST, and compares them."
            if self.available
            else "Needs nest-simulator in this Python (pip install nest-simulator)."
        )
        self.sources = {
            side: ColumnDataSource({"x": [], "y": []}, name=f"compare-{side.lower()}")
            for side in SIDES
        }
        plots = []
        for side in SIDES:
            plot = _plot(f"{side} raster", "neuron id", 260, webgl=True)
            plot.scatter("x", "y", source=self.sources[side], size=2, alpha=0.8, color="#1f77b4")
            plots.append(plot)
        plots[1].x_range, plots[1].y_range = plots[0].x_range, plots[0].y_range
        self._rasters = pn.Row(
            *(pn.pane.Bokeh(p, sizing_mode="stretch_width") for p in plots),
            sizing_mode="stretch_width",
            visible=False,  # drawn once there is something to show: no cost to other tabs
        )
        self.table = pn.widgets.Tabulator(
            value=None, disabled=True, show_index=False, sizing_mode="stretch_width", height=140
        )
        self.walls = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False)
        self.compare_button = pn.widgets.Button(
            label="Run on both", color="primary", disabled=not self.available
        )
        self.compare_button.on_click(lambda _: self.run())

    def __panel__(self):
        status = pn.pane.Str(self.param.status, sizing_mode="stretch_width")
        return pn.Column(
            pn.Row(self.compare_button, status, sizing_mode="stretch_width"),
            self.alert,
            self._rasters,
            self.walls,
            self.table,
            sizing_mode="stretch_width",
        )

    # ------------------------------------------------------------------ the view protocol
    def start(self, project: Project) -> None:
        """Empty rasters, table and wall times for a comparison of ``project``."""
        self._results = {}
        self._rasters.visible = True
        for source in self.sources.values():
            source.data = {"x": [], "y": []}
        self.table.value = None
        self.walls.object = ""
        self.alert.visible = False

    def finish(
        self,
        side: str,
        events: dict,
        stats: dict,
        simulated: float,
        wall: float,
        total: float | None = None,
    ) -> None:
        """One simulator's whole run (``wall``: simulating, ``total``: with building); the
        table and wall times once both have run."""
        senders, times = _spikes(events)
        self.sources[side].data = {"x": times, "y": senders}
        self._results[side] = (stats, simulated, wall, wall if total is None else total)
        if all(s in self._results for s in SIDES):
            ours, theirs = self._results["spikedesk"], self._results["NEST"]
            self.table.value = pd.DataFrame(compare_stats(ours[0], theirs[0]))
            ratio = theirs[2] / ours[2] if ours[2] > 0 else float("nan")
            self.walls.object = (
                f"**Wall time** simulating {ours[1]:g} ms: spikedesk {ours[2]:.2f} s, "
                f"NEST {theirs[2]:.2f} s (NEST / spikedesk = {ratio:.2f}); with building the "
                f"network: spikedesk {ours[3]:.2f} s, NEST {theirs[3]:.2f} s"
            )

    def fail(self, message: str) -> None:
        self.alert.object = f"Comparison failed: {message}"
        self.alert.visible = True

    # ------------------------------------------------------------------ running
    def run(self, project: Project | None = None) -> None:
        """Compare ``project`` (default: the session's) on a worker thread."""
        if self.running or not self.available:
            return
        project = project if project is not None else self._project_of()
        doc = pn.state.curdoc

        def on_doc(change) -> None:
            if doc is None or doc.session_context is None:
                change()
            else:
                doc.add_next_tick_callback(change)

        self.running = True
        self.compare_button.disabled = True
        self.start(project)
        self.status = "Running on spikedesk..."
        self._cancel.clear()
        worker = threading.Thread(target=self._work, args=(project, on_doc), daemon=True)
        worker.start()
        self._worker = worker

    def _work(self, project: Project, on_doc) -> None:
        try:
            for side, backend in (("spikedesk", EmbeddedBackend()), ("NEST", NESTBackend())):
                start = time.perf_counter()
                received, last = [], None
                for chunk in backend.run(project, chunk=100.0, cancel=self._cancel):
                    received.append(chunk.events)
                    last = chunk
                simulate_wall = last.wall if last is not None else 0.0
                events = merge(received)
                simulated = last.time if last is not None else 0.0
                node_ids = dict(last.node_ids) if last is not None else {}
                stats = population_stats(events, project, node_ids, simulated)
                total = time.perf_counter() - start

                def show(side=side, events=events, stats=stats, simulated=simulated,
                         wall=simulate_wall, total=total):  # fmt: skip
                    self.finish(side, events, stats, simulated, wall, total)
                    if side == "spikedesk":
                        self.status = f"spikedesk done in {total:.2f} s; running on NEST..."

                on_doc(show)
            on_doc(lambda: self._done("Compared: same project, same seed, both simulators."))
        except EngineError as exc:
            message = str(exc)
            on_doc(lambda: (self.fail(message), self._done("Failed; the project is unchanged.")))
        except Exception as exc:  # never let a worker die silently
            message = f"{type(exc).__name__}: {exc}"
            on_doc(lambda: (self.fail(message), self._done("Failed; the project is unchanged.")))

    def _done(self, status: str) -> None:
        self.status = status
        self.running = False
        self.compare_button.disabled = not self.available
