"""The activity view of one session: spike raster (coloured per population) with the
population rate under it, traces of a recorded variable (membrane potentials, or the current
I that a multimeter records from a generator), the histograms of correlation detectors, and
the statistics table, filled chunk by chunk while a run goes on, and the downloads of the
last run's results.

It only displays: ``Studio`` runs the engine and decides when the browser gets an update.
"""

from __future__ import annotations

import io as stdio

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.events import RangesUpdate
from bokeh.models import ColumnDataSource, LinearColorMapper
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from spikedesk.app.analysis import LiveTrace, cv_per_neuron, populations
from spikedesk.app.analysis_view import AnalysisView
from spikedesk.app.document import on_document
from spikedesk.app.plot_export import exportable
from spikedesk.app.spatial_view import SpatialView
from spikedesk.engine import merge
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project

# What the browser is sent, so that it keeps up with the engine and stays responsive: beyond
# these the plots show an even sample (the statistics and downloads always use every event).
MAX_RASTER_POINTS = 50_000  # the raster keeps the newest points (rollover)
POINTS_PER_FLUSH = 4_000  # new spikes per update
TRACE_NEURONS = 10  # traces drawn for the first neurons of each recorder
TRACE_PIXELS = 1_000  # a trace is drawn with a min and a max per 1/1000 of the view
RATE_BARS = 400  # the rate histogram's bins are 5 ms, or wider for long runs


def rate_bin(duration: float) -> float:
    """5 ms bins, widened to whole 5 ms multiples so a run has at most RATE_BARS bars."""
    return 5.0 * max(1, int(np.ceil(duration / 5.0 / RATE_BARS)))


def _plot(title: str, y_label: str, height: int, webgl: bool = False, tools: str = "", **kwargs):
    """A time plot of the activity view (WebGL for the ones with many points). Its save tool
    downloads a PNG named after the plot, without asking for a file name."""
    plot = figure(
        height=height,
        sizing_mode="stretch_width",
        title=title,
        x_axis_label="time (ms)",
        y_axis_label=y_label,
        output_backend="webgl" if webgl else "canvas",
        tools=tools or "pan,wheel_zoom,reset,save",
        **kwargs,
    )
    exportable(plot, title.lower().replace(" ", "-"))  # PNG and SVG
    plot.css_classes = [title.lower().split()[-1] + "-plot"]  # raster-plot, rate-plot, ...
    return plot


def population_stats(events: dict, project: Project, node_ids: dict, duration_ms: float) -> dict:
    """Spike count, mean rate and mean CV of ISI per recorded population, named by its
    label (its id in the last column)."""
    rows = {
        "population": [], "neurons": [], "spikes": [], "rate (spikes/s)": [], "CV ISI": [],
        "id": [],
    }  # fmt: skip
    for pop in populations(events, project, node_ids):
        cv = _mean_cv_isi(pop.senders, pop.times)
        rows["population"].append(pop.label)
        rows["neurons"].append(pop.size)
        rows["spikes"].append(len(pop.senders))
        rate = len(pop.senders) / pop.size / (duration_ms / 1000.0) if duration_ms > 0 else 0.0
        rows["rate (spikes/s)"].append(round(float(rate), 2))
        rows["CV ISI"].append(round(cv, 3))
        rows["id"].append(pop.node_id)
    return rows


def _mean_cv_isi(senders: np.ndarray, times: np.ndarray) -> float:
    """Mean over neurons with at least two intervals of std/mean of their inter-spike
    intervals (population std, as NumPy's default)."""
    cvs = cv_per_neuron(senders, times)
    return float(np.mean(list(cvs.values()))) if cvs else float("nan")


def correlation_bars(node, fields: dict) -> dict[str, np.ndarray]:
    """A detector's histogram as bars over the time lag: the first of its model's event
    fields (histogram: lags -tau_max .. tau_max; covariance [i][j]: lags 0 .. tau_max, shown
    for channels 0 and 1, or 0 and 0 with one channel)."""
    spec = catalog.model(node.model)
    values = np.asarray(fields[spec.events[0]], dtype=float)
    delta = float(node.params.get("delta_tau", spec.params["delta_tau"].default))
    label = node.id
    if values.ndim == 3:
        j = min(1, values.shape[1] - 1)
        values = values[0, j]
        lags = delta * np.arange(len(values))
        label = f"{node.id} [0][{j}]"
    else:
        lags = delta * (np.arange(len(values)) - (len(values) - 1) / 2)
    return {
        "x": lags,
        "top": values,
        "width": np.full(len(values), 0.9 * delta),
        "detector": np.array([label] * len(values)),
    }


class ActivityView(pn.viewable.Viewer):
    """Plots and table of the current run; ``start``, ``show`` per update, ``finish``."""

    trace_variable = param.Selector(default="V_m", objects=["V_m"], doc="what the traces show")
    thinned = param.Boolean(default=False, doc="the plots show a sample of the data")
    finished = param.Integer(default=0, doc="bumped when a run's results are complete")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._run_project = Project()
        self._events: list = []
        self._node_ids: dict = {}
        self._simulated = 0.0
        self._rate_counts: dict | None = None
        self._rate_edges: np.ndarray | None = None
        self._trace_senders: dict[str, np.ndarray] = {}
        self.last_stats: dict = {}
        self.summary = ""
        self._traces: dict = {}  # (recorder, sender) -> (time chunks, value chunks)
        self._window: tuple[float, float] | None = None  # the zoomed time window
        self._spikes: tuple | None = None  # every spike of the ended run, by time
        self._duration = 1000.0  # ms, of the current run
        self._fresh = False  # a run has started and its first events have not come yet
        self._axes_for: dict | None = None  # the node ids the raster's y axis was set for
        self.raster_source = ColumnDataSource({"x": [], "y": [], "pop": []}, name="raster")
        self.colors = LinearColorMapper(palette=["#333333"], low=-0.5, high=0.5)
        # one line per recorded population, named by its label
        self.rate_source = ColumnDataSource(
            {"xs": [], "ys": [], "color": [], "label": []}, name="rate"
        )
        # one line per traced neuron, min/max-decimated to TRACE_PIXELS bins of the view
        self.trace_source = ColumnDataSource(
            {"xs": [], "ys": [], "color": [], "label": []}, name="traces"
        )
        raster = _plot("Spike raster", "neuron id", 240, webgl=True)
        raster.scatter(
            "x", "y", source=self.raster_source, size=2, alpha=0.8,
            color={"field": "pop", "transform": self.colors},
        )  # fmt: skip
        rate = _plot(  # zoomed with the raster (one time axis): fewer tools, all in view
            "Population rate",
            "spikes/s per neuron",
            155,
            tools="save",
            x_range=raster.x_range,
        )
        rate.multi_line(
            xs="xs", ys="ys", line_color="color", legend_field="label", line_width=1.6,
            source=self.rate_source,
        )  # fmt: skip
        rate.legend.location = "top_right"
        rate.legend.label_text_font_size = "10px"
        rate.legend.background_fill_alpha = 0.6
        self.traces_plot = _plot("Recorded traces", "V_m", 250, webgl=True, x_range=raster.x_range)
        neuron_colors = LinearColorMapper(palette=list(Category10_10), low=-0.5, high=9.5)
        self.traces_plot.multi_line(
            xs="xs", ys="ys", line_color="color", line_width=1.2, source=self.trace_source
        )
        self.raster_plot = raster
        # a zoom or pan redraws the window from every event kept here (no sample of a sample)
        raster.on_event(RangesUpdate, self._zoomed)
        self.traces_plot.on_event(RangesUpdate, self._zoomed)
        # correlation detectors: their histogram so far (device state, replaced per chunk)
        self.correlation_source = ColumnDataSource(
            {"x": [], "top": [], "width": [], "detector": [], "shade": []}, name="correlation"
        )
        self.correlation_plot = _plot("Correlation histogram", "coincidences", 250)
        self.correlation_plot.xaxis.axis_label = "time lag (ms)"
        self.correlation_plot.vbar(
            x="x", top="top", width="width", source=self.correlation_source, alpha=0.6,
            color={"field": "shade", "transform": neuron_colors}, legend_field="detector",
        )  # fmt: skip
        self._correlations: dict[str, dict] = {}
        self.correlation_plot.visible = False  # shown for runs with correlation detectors
        self.analysis = AnalysisView()
        self.spatial = SpatialView()  # spatial nodes: their neurons coloured by activity
        self.stats = pn.widgets.Tabulator(
            value=None, disabled=True, show_index=False, sizing_mode="stretch_width", height=140,
            css_classes=["stats-table"],
        )  # fmt: skip
        self.exports = pn.Row(
            pn.widgets.FileDownload(
                callback=lambda: self.results_file("npz"),
                filename="results.npz",
                label="Download results (NPZ)",
                width=220,
            ),
            pn.widgets.FileDownload(
                callback=lambda: self.results_file("csv"),
                filename="spikes.csv",
                label="Download spikes (CSV)",
                width=220,
            ),
        )
        self._plots = pn.Column(
            pn.pane.Bokeh(raster),
            self.spatial,
            pn.pane.Bokeh(rate),
            pn.pane.Bokeh(self.traces_plot),
            pn.pane.Bokeh(self.correlation_plot),
            sizing_mode="stretch_width",
        )

    def __panel__(self):
        choose = pn.widgets.Select.from_param(
            self.param.trace_variable, label="trace variable", width=160
        )
        return pn.Column(
            self._plots, choose, self.stats, self.exports, self.analysis,
            sizing_mode="stretch_width",
        )  # fmt: skip

    # ------------------------------------------------------------------ a run
    def start(self, project: Project) -> None:
        """Empty plots and table for a run of ``project``."""
        self._run_project = project
        self.spatial.start(project)
        self._events, self._node_ids, self._simulated = [], {}, 0.0
        self._rate_counts, self._rate_edges = None, None
        self._trace_senders = {}
        self.thinned = False
        palette = list(self._colors(project).values()) or ["#333333"]
        self.colors.update(palette=palette + ["#333333"], low=-0.5, high=len(palette) + 0.5)
        self._fresh = True  # the plots are emptied with the run's first events (show())
        self._traces, self._window, self._spikes = {}, None, None
        self._duration = project.simulation.duration
        self.raster_plot.title.text = "Spike raster"
        self.last_stats, self.summary = {}, ""
        # the last run's table and analysis stay, marked as such, until this run's replace
        # them: clearing them costs the browser a layout of the page just as the first spikes
        # are due (tests/ui: Simulate -> first point)
        self.analysis.outdated()
        self._time_axis(project.simulation.duration)
        self._axes_for = None
        self._choose_trace_variables(project)
        self._correlations = {}
        self.correlation_source.data = {
            "x": [],
            "top": [],
            "width": [],
            "detector": [],
            "shade": [],
        }
        self.correlation_plot.visible = any(
            catalog.model(project.base_model(n.model)).is_correlation_detector
            for n in project.nodes
        )

    def _clear_plots(self) -> None:
        """The last run's points go in the same message as this run's first ones (from
        show(), or finish() if none came), so the browser draws once, not an empty plot
        first."""
        if self._fresh:
            self._fresh = False
            self.raster_source.data = {"x": [], "y": [], "pop": []}
            self.rate_source.data = {"xs": [], "ys": [], "color": [], "label": []}
            self.trace_source.data = {"xs": [], "ys": [], "color": [], "label": []}

    def reset(self, project: Project) -> None:
        """Nothing of the last run on screen (another project was opened)."""
        self.start(project)
        self._clear_plots()
        self.stats.value = None
        self.analysis.clear()

    def _time_axis(self, duration: float) -> None:
        """The run's whole time span on the time axis from the start, so that streaming
        spikes never rescale it (each rescale costs the browser a layout of the page)."""
        x = self.raster_plot.x_range
        if (x.start, x.end) != (0.0, duration):
            x.start, x.end = 0.0, duration

    def _neuron_axis(self, node_ids: dict) -> None:
        """The recorded populations' neuron ids on the raster's y axis, set once per run."""
        if self._axes_for == node_ids:
            return  # every chunk after the first
        self._axes_for = dict(node_ids)
        pops = populations({}, self._run_project, node_ids)
        if not pops:
            return
        low = min(p.first for p in pops) - 0.5
        high = max(p.first + p.size for p in pops) - 0.5
        y = self.raster_plot.y_range
        if (y.start, y.end) != (low, high):
            y.start, y.end = low, high

    def show(
        self, events: dict, node_ids: dict, simulated: float, duration: float, positions=None
    ) -> None:
        """New events of the run (everything since the last update); ``positions``: the
        spatial nodes' neurons, for the spatial view."""
        self._node_ids, self._simulated, self._duration = dict(node_ids), simulated, duration
        self._neuron_axis(node_ids)
        self._clear_plots()
        self._events.append(events)
        self._stream(events, node_ids, duration)
        if positions:
            self.spatial.show(events, node_ids, positions, simulated)

    def finish(self, events: dict, stats: dict, simulated: float, summary=None) -> None:
        """The whole run's events, statistics and analysis, once it has ended."""
        self._clear_plots()
        self._events, self._simulated = [events], simulated
        self.stats.value = pd.DataFrame(stats)
        self.last_stats = stats
        if summary is not None:
            self.analysis.show(summary, self._colors(self._run_project))
        self._show_correlations(events)
        self._redraw_raster(events)

    def _colors(self, project: Project) -> dict[str, str]:
        """A colour per neuron population of ``project``, in node order."""
        neurons = [
            n for n in project.nodes if catalog.model(project.base_model(n.model)).kind == "neuron"
        ]
        return {n.id: (n.color or Category10_10[i % 10]) for i, n in enumerate(neurons)}

    def _population_index(self, senders: np.ndarray) -> np.ndarray:
        """Each sender's population as an index into the raster's palette (the run's
        populations; the last colour, grey, for anything else)."""
        colors = self._colors(self._run_project)
        pop = np.full(len(senders), len(colors), dtype=np.int32)
        for index, node_id in enumerate(colors):
            first, size = self._node_ids[node_id]
            pop[(senders >= first) & (senders < first + size)] = index
        return pop

    def _show_correlations(self, events: dict) -> None:
        """The histograms of the run's correlation detectors (their totals so far)."""
        detectors = {
            n.id: n
            for n in self._run_project.nodes
            if catalog.model(self._run_project.base_model(n.model)).is_correlation_detector
            and n.id in events
        }
        if not detectors:
            return
        for rid, node in detectors.items():
            self._correlations[rid] = correlation_bars(node, events[rid])
        bars = list(self._correlations.values())
        shade = [np.full(len(b["x"]), i % 10) for i, b in enumerate(bars)]
        self.correlation_source.data = {
            "x": np.concatenate([b["x"] for b in bars]),
            "top": np.concatenate([b["top"] for b in bars]),
            "width": np.concatenate([b["width"] for b in bars]),
            "detector": np.concatenate([b["detector"] for b in bars]),
            "shade": np.concatenate(shade),
        }

    def _stream(self, events: dict, node_ids: dict, duration: float) -> None:
        self._show_correlations(events)
        for rid, fields in events.items():
            if "times" not in fields:  # device state (correlation detectors), shown above
                continue
            if set(fields) - {"senders", "times"}:  # a voltmeter or multimeter
                if self.trace_variable in fields:
                    self._stream_trace(rid, fields)
                continue
            senders, times = fields["senders"], fields["times"]
            if len(senders) == 0 or len(fields) != 2:
                continue
            if len(senders) > POINTS_PER_FLUSH:
                keep = np.linspace(0, len(senders) - 1, POINTS_PER_FLUSH).astype(np.int64)
                senders, times = senders[keep], times[keep]
                self.thinned = True
                self.raster_plot.title.text = "Spike raster (live: an even sample)"
            self.raster_source.stream(
                {"x": times, "y": senders, "pop": self._population_index(senders)},
                rollover=MAX_RASTER_POINTS,
            )
        self._stream_rates(events, node_ids, duration)

    def _stream_rates(self, events: dict, node_ids: dict, duration: float) -> None:
        """Each recorded population's rate (spikes/s per neuron), accumulated chunk by chunk
        in bins of rate_bin(duration), one line per population in its raster colour."""
        width = rate_bin(duration)
        edges = np.arange(0.0, duration + width, width)
        if (
            self._rate_counts is None
            or self._rate_edges is None
            or len(self._rate_edges) != len(edges)
        ):
            self._rate_counts, self._rate_edges = {}, edges
        pops = populations(events, self._run_project, node_ids)
        for pop in pops:
            counts, _ = np.histogram(pop.times, bins=edges)
            if pop.node_id not in self._rate_counts:
                self._rate_counts[pop.node_id] = (pop, np.zeros(len(edges) - 1))
            self._rate_counts[pop.node_id][1][:] += counts
        if not self._rate_counts:
            return
        upto = int(np.ceil(self._simulated / width))
        colors = self._colors(self._run_project)
        shown = list(self._rate_counts.values())
        self.rate_source.data = {
            "xs": [edges[:upto] + width / 2 for _ in shown],
            "ys": [c[:upto] / pop.size / (width / 1000.0) for pop, c in shown],
            "color": [colors.get(pop.node_id, "#555555") for pop, _ in shown],
            "label": [pop.label for pop, _ in shown],
        }

    def _choose_trace_variables(self, project: Project) -> None:
        """The variables this run records (voltmeters: V_m; multimeters: record_from)."""
        names: list[str] = []
        for node in project.nodes:
            spec = catalog.model(project.base_model(node.model))
            for field in (e for e in spec.events if e in spec.params):  # e.g. record_from
                chosen = node.params.get(field, spec.params[field].default)
                names += [v for v in chosen if v not in names]
        names = names or ["V_m"]
        self.param.trace_variable.objects = names
        if self.trace_variable not in names:
            self.trace_variable = names[0]

    @param.depends("trace_variable", watch=True)
    def _trace_variable_changed(self) -> None:
        on_document(self._redraw_traces)

    def _redraw_traces(self) -> None:
        """Redraw the traces of the run so far with the newly chosen variable."""
        self.traces_plot.yaxis.axis_label = self.trace_variable
        self._traces, self._trace_senders = {}, {}
        self.trace_source.data = {"xs": [], "ys": [], "color": [], "label": []}
        for rid, fields in merge(self._events).items():
            if self.trace_variable in fields:
                self._stream_trace(rid, fields)

    def _stream_trace(self, rid: str, fields: dict) -> None:
        """Add the chosen variable of the first TRACE_NEURONS neurons of a recorder to the
        traces kept here, and redraw them decimated."""
        shown = self._trace_senders.get(rid)
        if shown is None or len(shown) < TRACE_NEURONS:
            seen = np.unique(fields["senders"])[:TRACE_NEURONS]
            shown = np.union1d(shown if shown is not None else [], seen)[:TRACE_NEURONS]
            self._trace_senders[rid] = shown
        if not np.isin(fields["senders"], shown).all():
            self.thinned = True
        for sender in shown:
            mask = fields["senders"] == sender
            if mask.any():
                key = (rid, int(sender))
                if key not in self._traces:
                    self._traces[key] = LiveTrace(self._duration, TRACE_PIXELS)
                self._traces[key].add(fields["times"][mask], fields[self.trace_variable][mask])
        self._draw_traces()

    def _draw_traces(self) -> None:
        """Each trace as a line of at most 2 * TRACE_PIXELS points over the run or over the
        zoomed window (min and max per bin: every peak stays)."""
        xs, ys, colors, labels = [], [], [], []
        for i, ((rid, sender), trace) in enumerate(self._traces.items()):
            x, y = trace.line(self._window)
            xs.append(x)
            ys.append(y)
            colors.append(Category10_10[i % 10])
            labels.append(f"{rid} {sender}")
        self.trace_source.data = {"xs": xs, "ys": ys, "color": colors, "label": labels}

    def _zoomed(self, event) -> None:
        """A zoom or pan of the raster or the traces (once the run has ended): the visible
        time window is redrawn from all events."""
        if event.x0 is None or event.x1 is None or self._spikes is None:
            return
        self._window = (float(event.x0), float(event.x1))
        doc = self.raster_plot.document
        if doc is not None and doc.session_context is not None:
            doc.add_next_tick_callback(self._redraw_window)  # from any thread
        else:
            self._redraw_window()

    def _redraw_window(self) -> None:
        self._draw_traces()
        if self._spikes is None:
            return
        senders, times = self._spikes
        lo, hi = np.searchsorted(times, self._window)
        self._show_spikes(senders[lo:hi], times[lo:hi], len(senders))

    def _show_spikes(self, senders: np.ndarray, times: np.ndarray, total: int) -> None:
        """Spikes in the raster: all of them, or an even sample of MAX_RASTER_POINTS, and the
        title says which."""
        if len(senders) > MAX_RASTER_POINTS:
            keep = np.linspace(0, len(senders) - 1, MAX_RASTER_POINTS).astype(np.int64)
            shown, senders, times = len(senders), senders[keep], times[keep]
            self.raster_plot.title.text = (
                f"Spike raster (a sample: {MAX_RASTER_POINTS} of {shown} spikes in view)"
            )
        else:
            self.raster_plot.title.text = "Spike raster"
        self.raster_source.data = {
            "x": times, "y": senders, "pop": self._population_index(senders)
        }  # fmt: skip

    def _redraw_raster(self, events: dict) -> None:
        """After a run, the raster in one go from every spike kept here (live updates were
        thinned to keep the browser responsive); zooming later redraws from them too."""
        parts = [f for f in events.values() if set(f) == {"senders", "times"}]
        if not parts:
            return
        senders = np.concatenate([f["senders"] for f in parts])
        times = np.concatenate([f["times"] for f in parts])
        order = np.argsort(times, kind="stable")
        self._spikes = (senders[order], times[order])
        self.thinned = len(senders) > MAX_RASTER_POINTS
        self._show_spikes(*self._spikes, len(senders))

    def results_file(self, kind: str):
        """The last run's events: NPZ with ``<recorder>/<field>`` arrays, or spikes as CSV."""
        events = merge(self._events)
        out = stdio.BytesIO()
        if kind == "npz":
            np.savez_compressed(
                out, **{f"{rid}/{name}": v for rid, f in events.items() for name, v in f.items()}
            )
        else:
            lines = ["recorder,sender,time_ms"]
            for rid, fields in events.items():
                if set(fields) == {"senders", "times"}:  # spike recorders only
                    lines += [
                        f"{rid},{s},{t:.10g}"
                        for s, t in zip(fields["senders"], fields["times"], strict=True)
                    ]
            out.write(("\n".join(lines) + "\n").encode())
        out.seek(0)
        return out
