"""The synapse part of the connection inspector: the synapse model (NEST's names, grouped by
kind of plasticity), its parameters (``synapse.params``) with English label, NEST name, unit
and default, and the nodes a synapse names (``weight_recorder``, ``volume_transmitter``).

Everything comes from the catalog's synapse entries (``project_files/catalog.json``
"synapses", ``assets/catalog_ui.json``); nothing here branches on a model name. Edits go
through the session like every other inspector edit: a refused value shows its message beside
its field, stays pending and is tried again with the connection's next parameter edit, while
the project keeps the last valid set (NEST's copy-validate-commit).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import panel as pn
from spikedesk.app import edits
from spikedesk.app.fields import FIELD_WIDTH, ChoiceField, Field, NumberField
from spikedesk.app.pending import PendingEdits
from spikedesk.app.session import ProjectSession
from spikedesk.engine import _core
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Connection, Project

# weight and delay have their own fields (they may be random), above the model's own
TOP_LEVEL = ("weight", "delay")
NONE = "(none)"
COPY_GROUP = "Copy models"
GROUP_TITLES = {  # NEST's documentation keyword of a synapse model -> its group's title
    "static": "Static",
    "short-term plasticity": "Short-term plasticity",
    "spike-timing-dependent plasticity": "Spike-timing-dependent plasticity (STDP)",
}


@cache
def _synapse_docs() -> dict:
    """NEST's documentation of every synapse model (summary, keywords), from the catalog."""
    raw = json.loads(resources.files(catalog.__package__).joinpath("catalog.json").read_text())
    return {name: entry.get("nest_doc", {}) for name, entry in raw["synapses"].items()}


@cache
def _ui_synapses() -> dict:
    from spikedesk.app.inspector import ui_catalog

    return ui_catalog().get("synapses", {})


def synapse_group(model: str) -> str:
    """The group a synapse model is listed under: its NEST documentation keyword besides
    "synapse" (static, short-term plasticity, spike-timing-dependent plasticity)."""
    words = [k for k in _synapse_docs().get(model, {}).get("keywords", ()) if k != "synapse"]
    word = words[0] if words else "other"
    return GROUP_TITLES.get(word, word[:1].upper() + word[1:])


def is_plastic(project: Project, model: str) -> bool:
    """Whether the synapses of ``model`` change (NEST's documentation calls it plasticity)."""
    base = edits.synapse_base(project, model)
    return any("plasticity" in k for k in _synapse_docs().get(base, {}).get("keywords", ()))


def synapse_choices(project: Project) -> dict[str, dict[str, str]]:
    """The synapse model menu: built-in models by group (in NEST's names), then the project's
    copy models of synapse models."""
    groups: dict[str, dict[str, str]] = {}
    for title in GROUP_TITLES.values():
        groups[title] = {}
    implemented = _core.models()
    for name in sorted(catalog.synapse_models()):
        label = name if name in implemented else f"{name} (not in the engine yet)"
        groups.setdefault(synapse_group(name), {})[label] = name
    copies = getattr(project, "copy_models", None) or {}
    for name in sorted(copies):
        base = edits.synapse_base(project, name)
        if base in catalog.synapse_models():
            groups.setdefault(COPY_GROUP, {})[f"{name} (copy of {base})"] = name
    return {title: members for title, members in groups.items() if members}


def synapse_defaults(project: Project, model: str) -> dict[str, Any]:
    """The defaults of a connection's synapse parameters: the built-in model's, overridden by
    a copy model's own parameters (a copy's params are its defaults)."""
    base = edits.synapse_base(project, model)
    defaults = {n: s.default for n, s in catalog.synapse_models().get(base, {}).items()}
    copies = getattr(project, "copy_models", None) or {}
    chain = []
    while model in copies and model not in chain:
        chain.append(model)
        model = copies[model].model
    for name in reversed(chain):
        defaults.update(dict(copies[name].params))
    return defaults


def param_title(model: str, name: str, spec: catalog.ParamSpec) -> str:
    """``Learning rate · lambda``, ``tau_plus (ms)``: the English label and NEST's name (once
    if they agree) and the unit, marked "initial" for a state variable and "common" for a
    parameter NEST shares per model."""
    meta = _ui_synapses().get(model, {}).get("params", {}).get(name, {})
    label = meta.get("label", name)
    if label.endswith(f" {name}"):  # "Learning rate lambda" -> "Learning rate"
        label = label[: -len(name) - 1]
    title = name if label == name else f"{label} · {name}"
    title += f" ({spec.unit})" if spec.unit else ""
    marks = [m for m, on in (("initial", spec.state), ("common", spec.common)) if on]
    return f"{title} [{', '.join(marks)}]" if marks else title


def nodes_with_role(project: Project, role: str | None) -> list:
    return [n for n in project.nodes if catalog.model(project.base_model(n.model)).role == role]


def recorded_by(project: Project, node_id: str) -> list[tuple[Connection, str]]:
    """The connections whose synapses name ``node_id`` (as weight_recorder or
    volume_transmitter), with the parameter that names it."""
    out = []
    for conn in project.connections:
        for name, value in conn.synapse.params.items():
            if value == node_id:
                base = edits.synapse_base(project, conn.synapse.model)
                spec = catalog.synapse_models().get(base, {}).get(name)
                if spec is not None and spec.type == "node":
                    out.append((conn, name))
    return out


def node_notes(project: Project, node) -> list:
    """For a node that synapses name instead of connecting to it (weight_recorder,
    volume_transmitter): which connections name it, or how to make them."""
    spec = catalog.model(project.base_model(node.model))
    if not (spec.is_weight_recorder or spec.is_volume_transmitter):
        return []
    named = recorded_by(project, node.id)
    param = "weight_recorder" if spec.is_weight_recorder else "volume_transmitter"
    if spec.is_weight_recorder:
        what = "Records the weights of"
        empty = (
            "No connection records into it yet: select a connection and choose "
            f"**{node.id}** as its *Weight recorder · weight_recorder*."
        )
    else:
        what = "Delivers its neurons' spikes as dopamine to"
        empty = (
            "No synapse uses it yet: connect neurons to it, then choose it as the "
            "*volume_transmitter* of a connection with a dopamine synapse."
        )
    if not named:
        text = empty
    else:
        rows = "\n".join(f"- {c.id}: {c.source} → {c.target} ({c.synapse.model})" for c, _ in named)
        text = f"{what} ({param}):\n\n{rows}"
    return [pn.pane.Markdown(text, width=FIELD_WIDTH, css_classes=["synapse-users"])]


class DefaultedNumberField(NumberField):
    """A synapse parameter: empty shows the default (as placeholder) and means "default"."""

    def __init__(self, key, label, unit, on_change, value, default, **kwargs):
        super().__init__(key, label, unit, on_change, value, **kwargs)
        self.box.optional = True  # empty: the default
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            self.number.placeholder = f"{default:g} (default)"

    def _number_changed(self, value) -> None:
        if value is None:  # cleared: back to the default
            self.emit(None)
            return
        super()._number_changed(value)


class SynapseSection:
    """The synapse fields of one connection, built by the inspector on each rebuild."""

    def __init__(self, session: ProjectSession, fields: dict[str, Field], conn_id: str) -> None:
        self.session = session
        self.fields = fields  # the inspector's fields by key (shared: errors and lookups)
        self.conn_id = conn_id
        self.pending = PendingEdits("synapse.params.")  # refused values, tried with the next edit

    def model_field(self, project: Project, conn: Connection, on_model) -> list:
        """The synapse model menu and, under it, what the chosen model is."""
        field = ModelChoiceField(
            "synapse.model",
            "Synapse model",
            "",
            on_model,
            conn.synapse.model,
            synapse_choices(project),
        )
        self.fields[field.key] = field
        base = edits.synapse_base(project, conn.synapse.model)
        doc = _synapse_docs().get(base, {})
        label = catalog.synapse_label(base) if base in catalog.synapse_models() else base
        about = f"*{label}*" + (f": {doc['summary']}" if doc.get("summary") else "")
        return [field, pn.pane.Markdown(about, width=FIELD_WIDTH, css_classes=["synapse-about"])]

    def param_fields(self, project: Project, conn: Connection) -> list:
        """One field per parameter of the synapse model (besides weight and delay)."""
        base = edits.synapse_base(project, conn.synapse.model)
        specs = catalog.synapse_models().get(base, {})
        defaults = synapse_defaults(project, conn.synapse.model)
        ui = _ui_synapses().get(base, {}).get("params", {})
        own = [name for name in specs if name not in TOP_LEVEL]
        if not own:
            return []
        out: list = [
            pn.pane.HTML(
                f"<b>{base} parameters</b> (an empty field uses the default)",
                styles={"font-size": "12.5px", "border-top": "1px solid #dee2e6"},
                width=FIELD_WIDTH,
                css_classes=["synapse-params-title"],
            )
        ]
        for name in own:
            spec = specs[name]
            key = f"synapse.params.{name}"
            title = param_title(base, name, spec)
            value = conn.synapse.params.get(name)
            handler = self._handler(name)
            if spec.type == "node":
                field: Field = NodeChoiceField(
                    key, title, handler, value, nodes_with_role(project, spec.node_role),
                    spec.node_role or name,
                )  # fmt: skip
            else:
                meta = ui.get(name, {})
                field = DefaultedNumberField(
                    key, title, "", handler, value, defaults.get(name),
                    integer=spec.type == "int", step=meta.get("step"),
                )  # fmt: skip
            self.fields[key] = field
            out.append(field)
        return out

    def _handler(self, name: str):
        def changed(key: str, value: Any) -> None:
            self.pending.apply(
                self.session,
                self.fields,
                self.conn_id,
                name,
                value,
                lambda p, values: edits.set_synapse_params(p, self.conn_id, values),
            )

        return changed


class ModelChoiceField(ChoiceField):
    """The synapse model: a menu grouped by kind of plasticity, NEST's names as options."""

    def __init__(self, key, label, unit, on_change, value, groups: dict[str, dict[str, str]]):
        Field.__init__(self, key, label, unit, on_change)
        known = {v for members in groups.values() for v in members.values()}
        if value not in known:  # e.g. a model this catalog does not list: keep it shown
            groups = {**groups, "Other": {value: value}}
        self.widget = pn.widgets.Select(
            label=self.title, groups=groups, value=value, width=FIELD_WIDTH
        )
        self.widget.param.watch(lambda e: self.emit(e.new), "value")


class NodeChoiceField(ChoiceField):
    """A node the synapse names (its weight_recorder, volume_transmitter): one of the
    project's nodes of that role, or none."""

    def __init__(self, key, label, on_change, value, nodes: list, role: str):
        Field.__init__(self, key, label, "", on_change)
        options = {NONE: ""}
        options.update({f"{n.id} ({n.label})" if n.label != n.id else n.id: n.id for n in nodes})
        if value and value not in options.values():  # a dangling id stays visible
            options[f"{value} (missing)"] = value
        self.widget = pn.widgets.Select(
            label=self.title, options=options, value=value or "", width=FIELD_WIDTH
        )
        self.widget.param.watch(lambda e: self.emit(e.new or None), "value")
        if not nodes:
            self.show_error("")
            self.hint = pn.pane.HTML(
                f"No {role} node yet: drag one from the palette.",
                styles={"color": "#666", "font-size": "12px"},
                stylesheets=[":host { margin-top: -6px; }"],
                css_classes=["synapse-node-hint"],
                width=FIELD_WIDTH,
            )
        else:
            self.hint = None

    def __panel__(self):
        parts = [self.widget, self.error] + ([self.hint] if self.hint is not None else [])
        return pn.Column(*parts, margin=0)
