"""The spikedesk studio page for one browser session: the project, a simulation bar, and an
activity view that fills in while the engine runs.

Every session gets its own ``Studio`` (its own project, worker thread and plots). The worker
thread only appends NumPy chunks to a locked buffer; a periodic callback on the session's
document streams them into Bokeh ColumnDataSources, so the Bokeh thread never waits for the
engine and other sessions are never blocked.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, LinearColorMapper, SaveTool
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from spikedesk.app import edits
from spikedesk.app.pacing import FramePacer
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.engine import EngineError, merge
from spikedesk.engine.backends import EmbeddedBackend
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project

# What the browser is sent, so that it keeps up with the engine and stays responsive: beyond
# these the plots show an even sample (the statistics and downloads always use every event).
MAX_RASTER_POINTS = 50_000  # the raster keeps the newest points (rollover)
POINTS_PER_FLUSH = 4_000  # new spikes per tick
TRACE_NEURONS = 10  # traces drawn for the first neurons of each recorder
MAX_TRACE_POINTS = 50_000
TRACE_POINTS_PER_FLUSH = 2_000
TICK_MS = 100  # how often the document looks for new chunks
UPDATE_GAP = 0.4  # s between later plot updates: what a software-rendered browser keeps up with
RATE_BARS = 400  # the rate histogram's bins are 5 ms, or wider for long runs


def rate_bin(duration: float) -> float:
    """5 ms bins, widened to whole 5 ms multiples so a run has at most RATE_BARS bars."""
    return 5.0 * max(1, int(np.ceil(duration / 5.0 / RATE_BARS)))


def _plot(title: str, y_label: str, height: int, webgl: bool = False, **kwargs):
    """A time plot of the activity view (WebGL for the ones with many points). Its save tool
    downloads a PNG named after the plot, without asking for a file name."""
    plot = figure(
        height=height,
        sizing_mode="stretch_width",
        title=title,
        x_axis_label="time (ms)",
        y_axis_label=y_label,
        output_backend="webgl" if webgl else "canvas",
        tools="pan,wheel_zoom,box_zoom,reset,save",
        **kwargs,
    )
    plot.select_one(SaveTool).filename = title.lower().replace(" ", "-")
    return plot


class ChunkBuffer:
    """Chunks handed from the worker thread to the document's periodic callback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list = []

    def put(self, chunk) -> None:
        with self._lock:
            self._chunks.append(chunk)

    def take(self) -> list:
        with self._lock:
            chunks, self._chunks = self._chunks, []
        return chunks


def population_stats(events: dict, project: Project, node_ids: dict, duration_ms: float) -> dict:
    """Spike count, mean rate and mean CV of ISI per recorded population."""
    rows = {"population": [], "neurons": [], "spikes": [], "rate (spikes/s)": [], "CV ISI": []}
    spike_recorders = {n.id for n in project.nodes if n.model == "spike_recorder"}
    seen = set()
    for conn in project.connections:
        if conn.target not in spike_recorders or conn.source in seen:
            continue
        seen.add(conn.source)
        fields = events.get(conn.target, {})
        senders = fields.get("senders", np.empty(0, dtype=np.int64))
        times = fields.get("times", np.empty(0))
        first, size = node_ids[conn.source]
        mask = (senders >= first) & (senders < first + size)
        s, t = senders[mask], times[mask]
        order = np.lexsort((t, s))
        s, t = s[order], t[order]
        cvs = []
        for gid in np.unique(s):
            isi = np.diff(t[s == gid])
            if len(isi) > 1 and isi.mean() > 0:
                cvs.append(isi.std() / isi.mean())
        rows["population"].append(conn.source)
        rows["neurons"].append(size)
        rows["spikes"].append(int(mask.sum()))
        rate = mask.sum() / size / (duration_ms / 1000.0) if duration_ms > 0 else 0.0
        rows["rate (spikes/s)"].append(round(float(rate), 2))
        rows["CV ISI"].append(round(float(np.mean(cvs)), 3) if cvs else float("nan"))
    return rows


class Studio(pn.viewable.Viewer):
    """Simulation bar and activity view of one session; the settings live in the project."""

    duration = param.Number(default=1000.0, doc="simulated time (ms)")
    resolution = param.Number(default=0.1, doc="time step (ms)")
    seed = param.Integer(default=1)
    threads = param.Integer(default=1)
    backend = param.Selector(default="embedded", objects=["embedded", "remote MPI"])
    server_url = param.String(default="http://127.0.0.1:8707", doc="URL of spikedesk mpi-server")
    token = param.String(default="", doc="bearer token of the MPI server")
    trace_variable = param.Selector(default="V_m", objects=["V_m"], doc="what the traces show")
    running = param.Boolean(default=False)
    status = param.String(default="Ready.")
    thinned = param.Boolean(default=False, doc="the raster shows a sample of the spikes")

    def __init__(self, session: ProjectSession, **params) -> None:
        super().__init__(**params)
        self.session = session
        self._buffer = ChunkBuffer()
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None
        self._events: list = []
        self._trace_senders: dict[str, np.ndarray] = {}
        self._node_ids: dict = {}
        self._simulated = 0.0
        self._callback = None
        self._syncing = False
        self._load_settings()
        self._build_views()
        self.param.watch(self._setting_changed, ["duration", "resolution", "seed", "threads"])
        session.param.watch(lambda *_: self._load_settings(), "revision")

    @property
    def project(self) -> Project:
        return self.session.project

    def _load_settings(self) -> None:
        sim = self.session.project.simulation
        self._syncing = True
        try:
            self.param.update(
                duration=sim.duration,
                resolution=sim.resolution,
                seed=sim.seed,
                threads=sim.threads,
            )
        finally:
            self._syncing = False
        if hasattr(self, "settings_error"):
            self.settings_error.visible = False

    def _setting_changed(self, *events) -> None:
        """A setting edits the project like any other change; a refused value is shown and
        the run keeps using the last valid one."""
        if self._syncing:
            return
        changes = {e.name: e.new for e in events}
        try:
            self.session.apply(edits.set_simulation(self.project, **changes))
        except Refused as exc:
            shown = ", ".join(f"{k} = {v}" for k, v in changes.items())
            listed = "; ".join(str(p) for p in exc.problems[:3])
            more = len(exc.problems) - 3
            listed += f"; and {more} more" if more > 0 else ""
            self.settings_error.object = f"{shown} refused: {listed}"
            self.settings_error.visible = True
            return
        self.settings_error.visible = False

    # ------------------------------------------------------------------ views
    def _build_views(self) -> None:
        self.raster_source = ColumnDataSource({"x": [], "y": [], "pop": []}, name="raster")
        self.colors = LinearColorMapper(palette=["#333333"], low=-0.5, high=0.5)
        self.rate_source = ColumnDataSource({"x": [], "top": [], "width": []}, name="rate")
        self.trace_source = ColumnDataSource(
            {"x": [], "y": [], "sender": [], "shade": []}, name="traces"
        )
        raster = _plot("Spike raster", "neuron id", 300, webgl=True)
        raster.scatter(
            "x", "y", source=self.raster_source, size=2, alpha=0.8,
            color={"field": "pop", "transform": self.colors},
        )  # fmt: skip
        rate = _plot("Population rate", "spikes/s per neuron", 150, x_range=raster.x_range)
        rate.vbar(x="x", top="top", width="width", source=self.rate_source, color="#555555")
        traces = _plot("Recorded traces", "V_m", 220, webgl=True, x_range=raster.x_range)
        self.traces_plot = traces
        neuron_colors = LinearColorMapper(palette=list(Category10_10), low=-0.5, high=9.5)
        traces.scatter(
            "x", "y", source=self.trace_source, size=1.5,
            color={"field": "shade", "transform": neuron_colors},
        )  # fmt: skip
        self.stats = pn.widgets.Tabulator(
            value=None, disabled=True, show_index=False, sizing_mode="stretch_width", height=140
        )
        self.progress = pn.indicators.Progress(value=0, max=100, sizing_mode="stretch_width")
        self.simulate_button = pn.widgets.Button(label="Simulate", color="primary")
        self.cancel_button = pn.widgets.Button(label="Cancel", color="warning", disabled=True)
        self.simulate_button.on_click(lambda _: self.simulate())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.alert = pn.pane.Alert("", alert_type="danger", visible=False)
        self.pacer = FramePacer()
        self.settings_error = pn.pane.Alert("", alert_type="warning", visible=False)
        self.exports = pn.Row(
            pn.widgets.FileDownload(
                callback=lambda: self._results_file("npz"),
                filename="results.npz",
                label="Download results (NPZ)",
                width=220,
            ),
            pn.widgets.FileDownload(
                callback=lambda: self._results_file("csv"),
                filename="spikes.csv",
                label="Download spikes (CSV)",
                width=220,
            ),
        )
        self._plots = pn.Column(
            pn.pane.Bokeh(raster),
            pn.pane.Bokeh(rate),
            pn.pane.Bokeh(traces),
            sizing_mode="stretch_width",
        )

    def _colors(self, project: Project) -> dict[str, str]:
        """A colour per neuron population of ``project``, in node order."""
        neurons = [n for n in project.nodes if catalog.model(n.model).kind == "neuron"]
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

    def settings_bar(self) -> pn.Row:
        def number(name, label, width, widget=pn.widgets.FloatInput):
            return widget.from_param(self.param[name], label=label, width=width)

        remote = pn.Row(
            pn.widgets.TextInput.from_param(self.param.server_url, label="server URL", width=200),
            pn.widgets.PasswordInput.from_param(self.param.token, label="token", width=120),
            visible=self.param.backend.rx() == "remote MPI",
        )
        return pn.Row(
            number("duration", "duration (ms)", 110),
            number("resolution", "resolution (ms)", 110),
            number("seed", "seed", 90, pn.widgets.IntInput),
            number("threads", "threads", 80, pn.widgets.IntInput),
            pn.widgets.Select.from_param(self.param.backend, label="backend", width=120),
            remote,
            pn.Column(pn.Spacer(height=18), pn.Row(self.simulate_button, self.cancel_button)),
        )

    def activity(self) -> pn.Column:
        choose = pn.widgets.Select.from_param(
            self.param.trace_variable, label="trace variable", width=160
        )
        return pn.Column(self._plots, choose, self.stats, self.exports, sizing_mode="stretch_width")

    def __panel__(self):
        status = pn.pane.Str(self.param.status, sizing_mode="stretch_width")
        return pn.Column(
            self.settings_bar(),
            self.settings_error,
            pn.Row(self.progress, status, sizing_mode="stretch_width"),
            self.alert,
            self.pacer,
            sizing_mode="stretch_width",
        )

    # ------------------------------------------------------------------ running
    def simulate(self) -> None:
        if self.running:
            return
        project = self.project  # the last valid project, whatever the fields show
        try:
            backend = self._backend()
        except EngineError as exc:
            self.alert.object = f"Simulation failed: {exc}"
            self.alert.visible = True
            return
        self.raster_source.data = {"x": [], "y": [], "pop": []}
        palette = list(self._colors(project).values()) or ["#333333"]
        self.colors.update(palette=palette + ["#333333"], low=-0.5, high=len(palette) + 0.5)
        self._events, self._node_ids, self._simulated = [], {}, 0.0
        self._trace_senders = {}
        self._choose_trace_variables(project)
        self.rate_source.data = {"x": [], "top": [], "width": []}
        self.trace_source.data = {"x": [], "y": [], "sender": [], "shade": []}
        self.stats.value = None
        self.alert.visible = False
        self._rate_counts = None
        self.thinned = False
        self._cancel.clear()
        self.running = True
        self.simulate_button.disabled, self.cancel_button.disabled = True, False
        self.progress.value = 0
        self.status = "Starting..."
        self._run_project = project
        self._worker = threading.Thread(target=self._work, args=(project, backend), daemon=True)
        self._worker.start()
        if self._callback is None:
            self._callback = pn.state.add_periodic_callback(self._flush, period=TICK_MS)

    def cancel(self) -> None:
        self._cancel.set()

    def _backend(self):
        if self.backend == "embedded":
            return EmbeddedBackend()
        from spikedesk.engine import backends

        remote = getattr(backends, "MPIBackend", None)
        if remote is None:
            raise EngineError("the remote MPI backend is not available in this installation")
        return remote(self.server_url, token=self.token or None)

    def _work(self, project: Project, backend) -> None:
        """The worker thread: run, hand each chunk over, then merge the events and compute the
        statistics here too, so the document's thread only displays them."""
        start = time.perf_counter()
        try:
            received, last = [], None
            for chunk in backend.run(project, chunk=50.0, cancel=self._cancel):
                self._buffer.put(chunk)
                received.append(chunk.events)
                last = chunk
            wall = time.perf_counter() - start
            events = merge(received)
            simulated = last.time if last is not None else 0.0
            node_ids = dict(last.node_ids) if last is not None else {}
            stats = population_stats(events, project, node_ids, simulated)
            self._buffer.put(("done", wall, events, stats, simulated))
        except EngineError as exc:
            self._buffer.put(("error", str(exc)))
        except Exception as exc:  # never let a worker die silently
            self._buffer.put(("error", f"{type(exc).__name__}: {exc}"))

    def _flush(self) -> None:
        """Runs on the session's document: push everything the worker produced since last time
        in one stream per source, so the browser gets a few messages per tick, not per chunk."""
        if not self.pacer.ready(UPDATE_GAP if self._simulated > 0 else 0.0):
            return  # the browser is still drawing; the chunks wait in the buffer
        items = self._buffer.take()
        chunks = [item for item in items if not isinstance(item, tuple)]
        if chunks:
            last = chunks[-1]
            self._node_ids, self._simulated = dict(last.node_ids), last.time
            events = merge([c.events for c in chunks])
            self._events.append(events)
            self._stream(events, last.node_ids, last.duration)
            self.progress.value = int(100 * last.time / last.duration)
            self.status = (
                f"Simulated {last.time:.1f} of {last.duration:.1f} ms in {last.wall:.2f} s"
            )
            self.pacer.mark_sent()
        for item in items:
            if isinstance(item, tuple):
                self._finish(*item)

    def _stream(self, events: dict, node_ids: dict, duration: float) -> None:
        new_spikes = []
        for rid, fields in events.items():
            if set(fields) - {"senders", "times"}:  # a voltmeter or multimeter
                if self.trace_variable in fields:
                    self._stream_trace(rid, fields)
                continue
            senders, times = fields["senders"], fields["times"]
            if len(senders) == 0 or len(fields) != 2:
                continue
            new_spikes.append(times)
            if len(senders) > POINTS_PER_FLUSH:
                keep = np.linspace(0, len(senders) - 1, POINTS_PER_FLUSH).astype(np.int64)
                senders, times = senders[keep], times[keep]
                self.thinned = True
            self.raster_source.stream(
                {"x": times, "y": senders, "pop": self._population_index(senders)},
                rollover=MAX_RASTER_POINTS,
            )
        # population rate, accumulated chunk by chunk
        width = rate_bin(duration)
        edges = np.arange(0.0, duration + width, width)
        if self._rate_counts is None or len(self._rate_counts) != len(edges) - 1:
            self._rate_counts = np.zeros(len(edges) - 1)
        if new_spikes:
            counts, _ = np.histogram(np.concatenate(new_spikes), bins=edges)
            self._rate_counts += counts
        recorded = self._recorded_neurons(node_ids)
        if recorded:
            upto = int(np.ceil(self._simulated / width))
            self.rate_source.data = {
                "x": edges[:upto] + width / 2,
                "top": self._rate_counts[:upto] / recorded / (width / 1000.0),
                "width": np.full(upto, width),
            }

    def _choose_trace_variables(self, project: Project) -> None:
        """The variables this run records (voltmeters: V_m; multimeters: record_from)."""
        names: list[str] = []
        for node in project.nodes:
            if node.model in ("voltmeter", "multimeter"):
                default = catalog.model(node.model).params["record_from"].default
                names += [v for v in node.params.get("record_from", default) if v not in names]
        names = names or ["V_m"]
        self.param.trace_variable.objects = names
        if self.trace_variable not in names:
            self.trace_variable = names[0]

    @param.depends("trace_variable", watch=True)
    def _trace_variable_changed(self) -> None:
        """Redraw the traces of the run so far with the newly chosen variable."""
        self.traces_plot.yaxis.axis_label = self.trace_variable
        self.trace_source.data = {"x": [], "y": [], "sender": [], "shade": []}
        self._trace_senders = {}
        for rid, fields in merge(self._events).items():
            if self.trace_variable in fields:
                self._stream_trace(rid, fields)

    def _stream_trace(self, rid: str, fields: dict) -> None:
        """The chosen variable of the first TRACE_NEURONS neurons of a recorder, at most
        TRACE_POINTS_PER_FLUSH samples per tick."""
        shown = self._trace_senders.get(rid)
        if shown is None or len(shown) < TRACE_NEURONS:
            seen = np.unique(fields["senders"])[:TRACE_NEURONS]
            shown = np.union1d(shown if shown is not None else [], seen)[:TRACE_NEURONS]
            self._trace_senders[rid] = shown
        mask = np.isin(fields["senders"], shown)
        if not mask.all():
            self.thinned = True
        x, y = fields["times"][mask], fields[self.trace_variable][mask]
        who = fields["senders"][mask]
        if len(x) > TRACE_POINTS_PER_FLUSH:
            step = int(np.ceil(len(x) / TRACE_POINTS_PER_FLUSH))
            order = np.lexsort((x, who))  # thin along time, neuron by neuron
            x, y, who = x[order][::step], y[order][::step], who[order][::step]
            self.thinned = True
        self.trace_source.stream(
            {"x": x, "y": y, "sender": who, "shade": who % 10}, rollover=MAX_TRACE_POINTS
        )

    def _recorded_neurons(self, node_ids: dict) -> int:
        project = self._run_project
        recorders = {n.id for n in project.nodes if n.model == "spike_recorder"}
        sources = {c.source for c in project.connections if c.target in recorders}
        return sum(node_ids[s][1] for s in sources)

    def _finish(self, kind: str, value, events=None, stats=None, simulated=0.0) -> None:
        if kind == "error":
            self.alert.object = f"Simulation failed: {value}"
            self.alert.visible = True
            self.status = "Failed; the project is unchanged."
        else:
            self._events, self._simulated = [events], simulated
            self.stats.value = pd.DataFrame(stats)
            if self.thinned:
                self._redraw_raster(events)
            done = "Cancelled" if self._cancel.is_set() else "Finished"
            sample = " Plots show an even sample of the data." if self.thinned else ""
            self.status = (
                f"{done}: {simulated:.1f} ms simulated in {value:.2f} s wall time.{sample}"
            )
        self.running = False
        self.simulate_button.disabled, self.cancel_button.disabled = False, True

    def _redraw_raster(self, events: dict) -> None:
        """After a run, the raster in one go: every spike, or an even sample of
        MAX_RASTER_POINTS (live updates were thinned to keep the browser responsive)."""
        parts = [f for f in events.values() if set(f) == {"senders", "times"}]
        if not parts:
            return
        senders = np.concatenate([f["senders"] for f in parts])
        times = np.concatenate([f["times"] for f in parts])
        if len(senders) > MAX_RASTER_POINTS:
            keep = np.linspace(0, len(senders) - 1, MAX_RASTER_POINTS).astype(np.int64)
            senders, times = senders[keep], times[keep]
        else:
            self.thinned = False
        self.raster_source.data = {
            "x": times, "y": senders, "pop": self._population_index(senders)
        }  # fmt: skip

    def _results_file(self, kind: str):
        """The last run's events: NPZ with ``<recorder>/<field>`` arrays, or spikes as CSV."""
        import io as stdio

        events = merge(self._events)
        out = stdio.BytesIO()
        if kind == "npz":
            np.savez_compressed(
                out, **{f"{rid}/{name}": v for rid, f in events.items() for name, v in f.items()}
            )
        else:
            lines = ["recorder,sender,time_ms"]
            for rid, fields in events.items():
                if set(fields) == {"senders", "times"}:
                    lines += [
                        f"{rid},{s},{t:.10g}"
                        for s, t in zip(fields["senders"], fields["times"], strict=True)
                    ]
            out.write(("\n".join(lines) + "\n").encode())
        out.seek(0)
        return out
