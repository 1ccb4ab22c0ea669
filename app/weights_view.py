"""The weights view of one session: the weights a weight_recorder recorded over time (one
step line per synapse, an even sample when there are many; hover and legend name
sender -> target), and the weight distribution of each plastic connection before and after
the run (histogram), with a table of the numbers.

``Studio`` runs the engine; this module only prepares (``summarize``, in the worker thread) and
displays (``WeightsView``, on the document). The synapse tables before and after the run come
from ``TableRecorder``, the one place that asks the engine for them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from spikedesk.app import edits
from spikedesk.app.plot_export import exportable
from spikedesk.app.synapse_fields import is_plastic
from spikedesk.engine import merge
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project

MAX_LINES = 10  # synapses drawn in the recorded-weights plot (an even sample of the rest)
MAX_LINE_STEPS = 2_000  # weight changes drawn per synapse (an even sample of longer ones)
LIVE_EVENTS = 200_000  # beyond this many recorded weights the plot waits for the run's end
BINS = 30

Tables = dict[str, dict[str, np.ndarray]]  # connection id -> sources, targets, weights


# ---------------------------------------------------------------------- the engine's tables
def tabulated(project: Project) -> list[str]:
    """The connections whose weights are shown before and after a run: those with a plastic
    synapse model between neurons."""
    kinds = {n.id: catalog.model(project.base_model(n.model)).kind for n in project.nodes}
    return [
        c.id
        for c in project.connections
        if kinds.get(c.source) == kinds.get(c.target) == "neuron"
        and is_plastic(project, c.synapse.model)
    ]


class TableRecorder:
    """Runs a project like its backend does and keeps the synapses of its plastic connections
    after building (``before``) and after the last chunk (``after``).

    Only the embedded engine can list synapses; other backends run unchanged and leave the
    tables empty. The engine is asked in ``_embedded_stream`` alone: today it drives the
    engine's ``Network.connections`` itself; once the Python API for connection tables is on
    main (``engine.connections(project)``, ``stream(..., connections=True)``), that one
    function becomes a call of those."""

    def __init__(self, project: Project) -> None:
        self.ids = tabulated(project)
        self.before: Tables = {}
        self.after: Tables = {}
        self.after_ms = 0.0

    def run(self, backend, project: Project, *, chunk: float, cancel: threading.Event | None):
        if self.ids and getattr(backend, "name", "") == "embedded":
            return self._embedded_stream(project, chunk, cancel)
        return backend.run(project, chunk=chunk, cancel=cancel)

    def _embedded_stream(
        self, project: Project, chunk: float, cancel: threading.Event | None
    ) -> Iterator:
        """``driver.stream`` plus the tables (the same chunks, the same results)."""
        import time

        from spikedesk.engine import driver

        run = driver._Run(project, None, None, None)
        numbers = {c.id: i for i, c in enumerate(run.project.connections)}

        def tables() -> Tables:
            out = {}
            for cid in self.ids:
                table = run.net.connections(numbers[cid])
                out[cid] = {
                    "sources": np.asarray(table["sources"], dtype=np.int64),
                    "targets": np.asarray(table["targets"], dtype=np.int64),
                    "weights": np.asarray(table["weights"], dtype=float),
                }
            return out

        self.before = tables()
        sim = run.project.simulation
        total = int(round(sim.duration / sim.resolution))
        per_chunk = max(1, int(round(chunk / sim.resolution)))
        start, done, pieces = time.perf_counter(), 0, driver._Pieces()
        while done < total and not (cancel is not None and cancel.is_set()):
            end = min(done + per_chunk, total)
            while done < end:
                steps = pieces.next(end - done)
                t0 = time.perf_counter()
                run.advance(steps)
                pieces.took(steps, time.perf_counter() - t0)
                done += steps
                if cancel is not None and cancel.is_set():
                    break
            yield driver.Chunk(
                time=done * sim.resolution,
                duration=sim.duration,
                wall=time.perf_counter() - start,
                events=run.take(),
                node_ids=run.node_ids,
            )
        self.after, self.after_ms = tables(), done * sim.resolution  # once, when it has ended


# ---------------------------------------------------------------------- what is shown
def synapse_name(gid: int, node_ids: dict) -> str:
    """``P1[3]``: the node and 0-based index of a neuron's gid (the gid if no node has it)."""
    for node_id, (first, size) in node_ids.items():
        if first <= gid < first + size:
            return f"{node_id}[{gid - first}]"
    return str(gid)


def weight_lines(
    recorded: dict[str, dict], node_ids: dict, until: float, max_lines: int = MAX_LINES
) -> tuple[dict, pd.DataFrame, int]:
    """The step lines of the recorded weights (``recorded``: weight_recorder id -> its
    events), at most ``max_lines`` synapses (an even sample over all, in (sender, target)
    order), each held until ``until`` ms; the table of their numbers; and the number of
    synapses recorded."""
    rows = []
    for rid, fields in recorded.items():
        senders = np.asarray(fields.get("senders", ()), dtype=np.int64)
        if len(senders) == 0:
            continue
        targets = np.asarray(fields["targets"], dtype=np.int64)
        times = np.asarray(fields["times"], dtype=float)
        weights = np.asarray(fields["weights"], dtype=float)
        order = np.lexsort((times, targets, senders))
        s, t, x, w = senders[order], targets[order], times[order], weights[order]
        breaks = np.flatnonzero((s[1:] != s[:-1]) | (t[1:] != t[:-1])) + 1
        for a, b in zip(np.r_[0, breaks], np.r_[breaks, len(s)], strict=True):
            rows.append((rid, int(s[a]), int(t[a]), x[a:b], w[a:b]))
    total = len(rows)
    if total > max_lines:
        rows = [rows[i] for i in np.linspace(0, total - 1, max_lines).round().astype(int)]
    prefix = len(recorded) > 1
    data: dict[str, list] = {"xs": [], "ys": [], "synapse": [], "color": []}
    table: dict[str, list] = {
        "synapse": [], "sender": [], "target": [], "weights recorded": [],
        "first recorded": [], "last recorded": [],
    }  # fmt: skip
    for i, (rid, sender, target, x, w) in enumerate(rows):
        name = f"{synapse_name(sender, node_ids)} → {synapse_name(target, node_ids)}"
        name = f"{rid}: {name}" if prefix else name
        count = len(x)
        if len(x) > MAX_LINE_STEPS:
            keep = np.linspace(0, len(x) - 1, MAX_LINE_STEPS).round().astype(int)
            x, w = x[keep], w[keep]
        # a weight holds from its spike to the next one (and to the end of the run)
        xs = np.repeat(np.r_[x, max(until, x[-1])], 2)[1:-1]
        ys = np.repeat(w, 2)
        data["xs"].append(xs)
        data["ys"].append(ys)
        data["synapse"].append(name)
        data["color"].append(Category10_10[i % 10])
        table["synapse"].append(name)
        table["sender"].append(sender)
        table["target"].append(target)
        table["weights recorded"].append(count)
        table["first recorded"].append(round(float(w[0]), 6))
        table["last recorded"].append(round(float(w[-1]), 6))
    return data, pd.DataFrame(table), total


def distribution(before: np.ndarray, after: np.ndarray, bins: int = BINS) -> dict:
    """Histogram bars of two weight samples over common bins (a single value gets a bin
    around it)."""
    both = np.concatenate([before, after])
    if len(both) == 0:
        return {"left": [], "right": [], "before": [], "after": []}
    low, high = float(both.min()), float(both.max())
    if high - low <= 1e-12 * max(1.0, abs(high)):
        half = max(abs(high) * 0.05, 0.05)
        low, high = low - half, high + half
    edges = np.linspace(low, high, bins + 1)
    return {
        "left": edges[:-1],
        "right": edges[1:],
        "before": np.histogram(before, edges)[0],
        "after": np.histogram(after, edges)[0],
    }


@dataclass
class WeightSummary:
    """What the weights view shows after a run (prepared in the worker thread)."""

    lines: dict = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    recorded: int = 0  # synapses the weight recorders recorded
    histograms: dict[str, dict] = field(default_factory=dict)  # connection id -> bars
    about: dict[str, str] = field(default_factory=dict)  # connection id -> one line
    note: str = ""


def weight_recorders(project: Project) -> list[str]:
    return [
        n.id for n in project.nodes if catalog.model(project.base_model(n.model)).is_weight_recorder
    ]


def summarize(
    project: Project, events: dict, node_ids: dict, simulated: float, tables: TableRecorder
) -> WeightSummary:
    recorded = {rid: events[rid] for rid in weight_recorders(project) if rid in events}
    lines, table, total = weight_lines(recorded, node_ids, simulated)
    out = WeightSummary(lines=lines, table=table, recorded=total)
    for cid in tables.ids:
        before, after = tables.before.get(cid), tables.after.get(cid)
        if before is None or after is None:
            continue
        conn = edits.connection(project, cid)
        unit = catalog.weight_of(project.node(conn.target).model).unit
        unit = f" {unit}" if unit else ""
        w0, w1 = before["weights"], after["weights"]
        out.histograms[cid] = distribution(w0, w1)
        mean = (
            f"mean {w0.mean():.4g} → {w1.mean():.4g}{unit}, "
            f"range {w0.min():.4g} .. {w0.max():.4g} → {w1.min():.4g} .. {w1.max():.4g}"
            if len(w0)
            else "no synapses"
        )
        out.about[cid] = (
            f"**{cid}** ({conn.source} → {conn.target}, {conn.synapse.model}): "
            f"{len(w0)} synapses; {mean} (after {tables.after_ms:g} ms)"
        )
    if tables.ids and not out.histograms:
        out.note = "The weight distribution before and after a run needs the embedded engine."
    return out


# ---------------------------------------------------------------------- the view
def _plot(title: str, x_label: str, y_label: str, height: int):
    plot = figure(
        height=height,
        sizing_mode="stretch_width",
        title=title,
        x_axis_label=x_label,
        y_axis_label=y_label,
        tools="pan,wheel_zoom,reset,save",
    )
    exportable(plot, title.lower().replace(" ", "-"))  # PNG and SVG
    return plot


class WeightsView(pn.viewable.Viewer):
    """The weights tab: ``start`` a run, ``show`` its chunks, ``finish`` with a summary."""

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._project = Project()
        self._chunks: list = []
        self._histograms: dict[str, dict] = {}
        self._about: dict[str, str] = {}
        self.hint = pn.pane.Markdown(
            "No weights recorded yet. Give a connection a plastic synapse model (e.g. "
            "stdp_synapse) in the inspector, drag a *Weight recorder* from the palette and "
            "choose it as the connection's *weight_recorder*, then simulate.",
            css_classes=["weights-hint"],
        )
        self.lines_source = ColumnDataSource(
            {"xs": [], "ys": [], "synapse": [], "color": []}, name="weights"
        )
        self.lines_plot = _plot("Recorded weights", "time (ms)", "weight", 300)
        lines = self.lines_plot.multi_line(
            "xs", "ys", source=self.lines_source, color="color", line_width=2,
            legend_field="synapse",
        )  # fmt: skip
        self.lines_plot.add_tools(
            HoverTool(
                renderers=[lines],
                tooltips=[("synapse", "@synapse"), ("time", "$x{0.0} ms"), ("weight", "$y")],
            )
        )
        legend = self.lines_plot.legend[0]
        legend.label_text_font_size = "10px"
        legend.click_policy = "hide"  # a click on a synapse's name hides its line
        self.lines_plot.add_layout(legend, "right")  # beside the lines, never over them
        self.lines_info = pn.pane.Str("", css_classes=["weights-info"])
        self.table = pn.widgets.Tabulator(
            value=None, disabled=True, show_index=False, sizing_mode="stretch_width",
            height=160, css_classes=["weights-table"],
        )  # fmt: skip
        self.hist_source = ColumnDataSource(
            {"left": [], "right": [], "before": [], "after": []}, name="weight_hist"
        )
        self.hist_plot = _plot("Weight distribution", "weight", "synapses", 240)
        self.hist_plot.quad(
            left="left", right="right", bottom=0, top="before", source=self.hist_source,
            color="#8a949e", alpha=0.55, legend_label="before the run",
        )  # fmt: skip
        self.hist_plot.quad(
            left="left", right="right", bottom=0, top="after", source=self.hist_source,
            color="#1f77b4", alpha=0.55, legend_label="after the run",
        )  # fmt: skip
        self.hist_plot.add_layout(self.hist_plot.legend[0], "right")  # never over the bars
        self.connection = pn.widgets.Select(label="connection", options=[], width=160)
        self.connection.param.watch(lambda e: self._show_histogram(e.new), "value")
        self.hist_info = pn.pane.Markdown("", css_classes=["weights-distribution"])
        self.lines_plot.visible = False  # shown for runs with weight recorders
        self.lines_pane = pn.pane.Bokeh(self.lines_plot)
        self.hist_pane = pn.Column(
            pn.pane.Bokeh(self.hist_plot), pn.Row(self.connection, self.hist_info),
            visible=False, sizing_mode="stretch_width",
        )  # fmt: skip
        self.table.visible = False

    def __panel__(self):
        return pn.Column(
            self.hint, self.lines_pane, self.lines_info, self.table, self.hist_pane,
            sizing_mode="stretch_width",
        )  # fmt: skip

    def start(self, project: Project) -> None:
        self._project, self._chunks = project, []
        self.lines_source.data = {"xs": [], "ys": [], "synapse": [], "color": []}
        self.hist_source.data = {"left": [], "right": [], "before": [], "after": []}
        self.lines_info.object = ""
        self.table.value = None
        recorders = weight_recorders(project)
        self.lines_plot.visible = self.table.visible = bool(recorders)
        self.hist_pane.visible = False
        self.hint.visible = not recorders and not tabulated(project)
        if recorders:
            unit = self._unit(project)
            self.lines_plot.yaxis.axis_label = f"weight ({unit})" if unit else "weight"

    def _unit(self, project: Project) -> str:
        """The weight unit of the recorded connections' targets, if they all agree."""
        recorders = set(weight_recorders(project))
        units = {
            catalog.weight_of(project.node(c.target).model).unit
            for c in project.connections
            if c.synapse.params.get("weight_recorder") in recorders
        }
        return units.pop() if len(units) == 1 else ""

    def show(self, events: dict, node_ids: dict, simulated: float) -> None:
        """New events of the run: the recorded weights so far (small runs: live)."""
        recorders = weight_recorders(self._project)
        new = {rid: events[rid] for rid in recorders if rid in events}
        if not new:
            return
        self._chunks.append(new)
        recorded = merge(self._chunks)
        if sum(len(f.get("times", ())) for f in recorded.values()) > LIVE_EVENTS:
            self.lines_info.object = "Many weights recorded: the plot follows at the run's end."
            return
        lines, table, total = weight_lines(recorded, node_ids, simulated)
        self._lines(lines, table, total)

    def finish(self, summary: WeightSummary | None) -> None:
        if summary is None:
            return
        self._chunks = []
        if weight_recorders(self._project):
            self._lines(summary.lines, summary.table, summary.recorded)
        self._histograms, self._about = summary.histograms, summary.about
        if summary.histograms:
            ids = list(summary.histograms)
            self.hist_pane.visible = True
            self.connection.options = ids
            self.connection.visible = len(ids) > 1
            if self.connection.value in ids:
                self._show_histogram(self.connection.value)
            else:
                self.connection.value = ids[0]
        elif summary.note:
            self.hist_info.object = summary.note
            self.hist_pane.visible = True
            self.hist_plot.visible = False

    def _lines(self, lines: dict, table: pd.DataFrame, total: int) -> None:
        self.lines_source.data = lines
        shown = len(lines.get("synapse", ()))
        sample = f" (an even sample of {shown})" if total > shown else ""
        self.lines_info.object = f"{total} synapses recorded{sample}." if total else ""
        self.table.value = table

    def _show_histogram(self, cid: str | None) -> None:
        if cid not in self._histograms:
            return
        conn = edits.connection(self._project, cid)
        unit = catalog.weight_of(self._project.node(conn.target).model).unit
        self.hist_plot.visible = True
        self.hist_plot.xaxis.axis_label = f"weight ({unit})" if unit else "weight"
        self.hist_plot.title.text = f"Weight distribution of {cid}"
        self.hist_source.data = self._histograms[cid]
        self.hist_info.object = self._about.get(cid, "")
