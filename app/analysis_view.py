"""The analysis panels under the live plots, drawn once a run has ended: ISI and CV-of-ISI
distributions, per-neuron spike counts and rates, a histogram of the recorded variable, one
colour and legend entry per population (its node label), and the per-neuron (sender) table.
The numbers come from ``spikedesk.app.analysis``, computed on the worker thread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure
from spikedesk.app import analysis
from spikedesk.app.plot_export import exportable
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project

BINS = 30
EMPTY = {"left": [], "right": [], "count": [], "color": [], "label": []}
# figure title -> (x axis label, y axis label)
PANELS = {
    "ISI distribution": ("inter-spike interval (ms)", "intervals"),
    "CV of ISI": ("CV of ISI", "neurons"),
    "Spikes per neuron": ("spikes", "neurons"),
    "Per-neuron rate": ("rate (spikes/s)", "neurons"),
    "Recorded values": ("value", "samples"),
}


def summarise(events: dict, project: Project, node_ids: dict, duration: float) -> dict:
    """Everything the panels show, per population: histogram dicts per panel (keyed by node
    id, with the label) and the sender rows. Runs on the worker thread."""
    pops = analysis.populations(events, project, node_ids)
    seconds = duration / 1000.0 if duration > 0 else float("nan")
    panels: dict[str, list] = {name: [] for name in PANELS}
    for pop in pops:
        isi, _ = analysis.intervals(pop.senders, pop.times)
        counts = analysis.counts_per_neuron(pop)
        cvs = np.fromiter(analysis.cv_per_neuron(pop.senders, pop.times).values(), float)
        for name, values in (
            ("ISI distribution", isi),
            ("CV of ISI", cvs),
            ("Spikes per neuron", counts),
            ("Per-neuron rate", counts / seconds),
        ):
            panels[name].append((pop.node_id, pop.label, analysis.histogram(values, BINS)))
    for node in project.nodes:  # samplers: the values of their first recorded variable
        fields = events.get(node.id, {})
        spec = catalog.model(project.base_model(node.model))
        if not spec.is_sampler:
            continue
        names = [f for f in fields if f not in ("senders", "times")]
        if names:
            hist = analysis.histogram(fields[names[0]], BINS)
            panels["Recorded values"].append(
                (node.id, f"{node.label or node.id}: {names[0]}", hist)
            )
    return {"panels": panels, "senders": analysis.sender_rows(pops, duration)}


NONE_YET = "*The analysis appears when a run ends.*"
PREVIOUS = "*The previous run's analysis: this run's replaces it when the run ends.*"
LAST = "*The last run's analysis.*"


def _figure(title: str) -> figure:
    x_label, y_label = PANELS[title]
    plot = figure(
        height=250, sizing_mode="stretch_width", title=title, x_axis_label=x_label,
        y_axis_label=y_label, tools="pan,wheel_zoom,reset,save",
    )  # fmt: skip
    exportable(plot, title.lower().replace(" ", "-"))  # PNG and SVG
    plot.css_classes = ["analysis-" + title.lower().replace(" ", "-")]
    return plot


class AnalysisView(pn.viewable.Viewer):
    """``show(summary, colors)`` after a run, ``clear()`` before the next."""

    def __init__(self) -> None:
        super().__init__()
        self.sources = {
            name: ColumnDataSource(dict(EMPTY), name=f"analysis:{name}") for name in PANELS
        }
        self.figures = {}
        for name, source in self.sources.items():
            plot = _figure(name)
            plot.quad(
                left="left", right="right", bottom=0, top="count", source=source,
                fill_color="color", line_color="color", fill_alpha=0.35, legend_field="label",
            )  # fmt: skip
            plot.legend.label_text_font_size = "10px"
            plot.legend.background_fill_alpha = 0.6
            self.figures[name] = plot
        self.senders = pn.widgets.Tabulator(
            value=None, disabled=True, show_index=False, sizing_mode="stretch_width",
            pagination="remote", page_size=10, height=330, css_classes=["sender-table"],
        )  # fmt: skip
        self.hint = pn.pane.Markdown(NONE_YET)

    def clear(self) -> None:
        for source in self.sources.values():
            source.data = dict(EMPTY)
        self.senders.value = None
        self.hint.object = NONE_YET

    def outdated(self) -> None:
        """A new run has started: what is shown is the previous run's until show()."""
        if self.hint.object == LAST:
            self.hint.object = PREVIOUS

    def show(self, summary: dict, colors: dict[str, str]) -> None:
        for name, entries in summary["panels"].items():
            parts = [(colors.get(node_id, "#555555"), label, h) for node_id, label, h in entries]
            parts = [p for p in parts if len(p[2]["count"])]
            if not parts:
                self.sources[name].data = dict(EMPTY)
                continue
            self.sources[name].data = {
                "left": np.concatenate([h["left"] for _, _, h in parts]),
                "right": np.concatenate([h["right"] for _, _, h in parts]),
                "count": np.concatenate([h["count"] for _, _, h in parts]),
                "color": sum(([c] * len(h["count"]) for c, _, h in parts), []),
                "label": sum(([lab] * len(h["count"]) for _, lab, h in parts), []),
            }
        self.senders.value = pd.DataFrame(summary["senders"])
        self.hint.object = LAST

    def __panel__(self):
        plots = [pn.pane.Bokeh(f) for f in self.figures.values()]
        return pn.Column(
            pn.pane.Markdown("### Analysis"),
            self.hint,
            pn.GridBox(*plots, ncols=2, sizing_mode="stretch_width"),
            pn.pane.Markdown("**Per neuron (sender)**"),
            self.senders,
            sizing_mode="stretch_width",
        )
