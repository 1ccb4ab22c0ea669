"""The lab book: a printable summary of the network (populations, devices, models, the
parameters that differ from NEST's defaults, connections with rules and synapses, the
simulation settings) and of the last run's results, like NEST Desktop's lab book."""

from __future__ import annotations

import logging

import pandas as pd
import panel as pn
import param
from spikedesk.app.editor import rule_label
from spikedesk.app.messages import label_of
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project, RandomParameter

PRINT = "window.print()"


log = logging.getLogger(__name__)


def _value(value) -> str:
    if isinstance(value, RandomParameter):
        args = ", ".join(f"{k}={v:g}" for k, v in value.args.items())
        return f"{value.distribution}({args})"
    if isinstance(value, float):
        return "∞" if value >= 1.7976931348623157e308 else f"{value:g}"
    if isinstance(value, (tuple, list)):
        shown = ", ".join(_value(v) for v in value[:6])
        return f"[{shown}{', …' if len(value) > 6 else ''}]"
    return str(value)


def changed_params(node, project: Project) -> dict:
    """The node's parameters that differ from its model's defaults (NEST's names; a copy
    model's defaults are its own)."""
    spec = catalog.model(project.base_model(node.model))
    defaults = {name: p.default for name, p in spec.params.items()}
    defaults.update(project.model_params(node.model))
    out = {}
    for name, value in node.params.items():
        default = defaults.get(name)
        if value != default:
            out[name] = value
    return out


def network_markdown(project: Project) -> str:
    sim = project.simulation
    lines = [f"# {project.name or 'Untitled'}", ""]
    if project.description:
        lines += [project.description, ""]
    lines += [
        "## Simulation",
        "",
        f"{sim.duration:g} ms simulated at a resolution of {sim.resolution:g} ms, "
        f"seed {sim.seed}, {sim.threads} thread{'s' if sim.threads != 1 else ''}.",
        "",
    ]
    for kind, title in (("neuron", "Populations"), ("stimulator", "Stimulators"),
                        ("recorder", "Recorders")):  # fmt: skip
        nodes = [
            n for n in project.nodes if catalog.model(project.base_model(n.model)).kind == kind
        ]
        if not nodes:
            continue
        lines += [
            f"## {title}",
            "",
            "| label | id | model | size | parameters |",
            "|---|---|---|---|---|",
        ]
        for n in nodes:
            params = "; ".join(f"{k} = {_value(v)}" for k, v in changed_params(n, project).items())
            label = catalog.model(project.base_model(n.model)).label
            lines.append(
                f"| {n.label or n.id} | {n.id} | {n.model} ({label}) | {n.size} | "
                f"{params or 'defaults'} |"
            )
        lines.append("")
    if project.connections:
        lines += [
            "## Connections",
            "",
            "| source | target | rule | synapse | weight | delay (ms) |",
            "|---|---|---|---|---|---|",
        ]
        for c in project.connections:
            syn = c.synapse
            extra = "; ".join(f"{k} = {_value(v)}" for k, v in syn.params.items())
            model = syn.model + (f" ({extra})" if extra else "")
            if syn.receptor_type:
                model += f", receptor {syn.receptor_type}"
            lines.append(
                f"| {label_of(project, c.source)} | {label_of(project, c.target)} | "
                f"{rule_label(c.rule)} | {model} | {_value(syn.weight)} | {_value(syn.delay)} |"
            )
        lines.append("")
    return "\n".join(lines)


class LabBook(pn.viewable.Viewer):
    """Regenerated only while ``shown`` (like the code view), from the session's project and
    the activity view's last results."""

    shown = param.Boolean(default=False)

    def __init__(self, session, activity, **params) -> None:
        super().__init__(**params)
        self.session, self.activity = session, activity
        self.network = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["labbook"])
        self.results_title = pn.pane.Markdown("## Last results\n\nNo run yet.")
        self.results = pn.widgets.Tabulator(
            value=None, disabled=True, show_index=False, sizing_mode="stretch_width",
            visible=False, css_classes=["labbook-results"],
        )  # fmt: skip
        self.print_button = pn.widgets.Button(label="Print", width=90)
        self.print_button.js_on_click(code=PRINT)
        session.param.watch(lambda *_: self.refresh(), ["project", "project_name"])
        activity.param.watch(lambda *_: self.refresh(), "finished")
        self.param.watch(lambda *_: self.refresh(), "shown")

    def refresh(self) -> None:
        if not self.shown:
            return
        try:
            self.network.object = network_markdown(self.session.project)
        except Exception:  # never let the lab book take the page down
            log.exception("the lab book could not describe the project")
            self.network.object = "*The network could not be described; see the server log.*"
        stats = self.activity.last_stats
        if stats and stats.get("population"):
            self.results.value = pd.DataFrame(stats)
            self.results.visible = True
            self.results_title.object = f"## Last results\n\n{self.activity.summary}"
        else:
            self.results.visible = False
            self.results_title.object = "## Last results\n\nNo run yet."

    def __panel__(self):
        return pn.Column(
            self.print_button, self.network, self.results_title, self.results,
            sizing_mode="stretch_width", max_width=1100, margin=(10, 20),
        )  # fmt: skip
