"""The inspector: every setting of the selected node or connection, generated from the model
catalog (``project_files/catalog.json``) and its UI metadata (``assets/catalog_ui.json``).

Each change is applied through the session; a refused change shows the validation message
beside its field, and the project (and so the engine) keeps the last valid value. A node's
parameters are checked as one set (NEST's copy-validate-commit): a refused parameter value stays
pending, and the node's next parameter edit is tried together with it, so V_reset=0 then
V_th=20 is accepted although V_reset=0 alone is not below the old V_th.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import panel as pn
from spikedesk.app import edits, messages, spatial_fields, synapse_fields
from spikedesk.app.document import on_document
from spikedesk.app.fields import (
    ChoiceField,
    Field,
    IndicesField,
    ListField,
    NameField,
    NumberField,
    TextField,
)
from spikedesk.app.pending import PendingEdits, field_message
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.app.synapse_fields import SynapseSection
from spikedesk.project_files import catalog, parameters
from spikedesk.project_files.project import Project

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@cache
def ui_catalog() -> dict:
    return json.loads((ASSETS / "catalog_ui.json").read_text(encoding="utf-8"))


def ui_param(model: str, name: str) -> dict:
    return ui_catalog()["models"].get(model, {}).get("params", {}).get(name, {})


def synapse_ui(name: str, model: str = "static_synapse") -> dict:
    return ui_catalog()["synapses"].get(model, {}).get("params", {}).get(name, {})


def weight_unit_of(target_model: str) -> str:
    """A weight's unit follows the target (the catalog's weight unit, NEST's conventions):
    a voltage jump for delta synapses, a conductance for conductance-based models, a current
    for current-based ones, none for a parrot (it repeats its input spikes)."""
    return catalog.weight_of(target_model).unit


def model_label(model: str) -> str:
    spec = catalog.models().get(model)
    return spec.label if spec is not None else model


def model_doc(model: str) -> str:
    """Markdown for the inspector's documentation card: NEST's short description, description
    and parameter table (from the catalog), plus weight, receptors or role."""
    spec = catalog.model(model)
    doc = spec.nest_doc
    lines = [f"**{doc.get('summary', '')}**", "", doc.get("description", ""), ""]
    if spec.weight is not None:
        unit = spec.weight.unit or "no unit"
        lines.append(f"Weights onto {model}: {unit}, {spec.weight.meaning}.")
    if spec.receptors:
        ports = ", ".join(
            f"{k} = {v}" for k, v in sorted(spec.receptors.items(), key=lambda i: i[1])
        )
        lines.append(f"Receptor types: {ports}.")
    if spec.receptor_ports:
        lines.append(f"Receptor ports: one per entry of {spec.receptor_ports} (1, 2, ...).")
    if spec.role:
        lines.append(f"Role: {spec.role}.")
    if doc.get("parameters"):
        lines += ["", "```", doc["parameters"], "```"]
    if doc.get("source"):
        lines += ["", f"*{doc['source']}*"]
    return "\n".join(lines)


def recordables() -> list[str]:
    names: list[str] = []
    for spec in catalog.models().values():
        names += [r for r in spec.recordables if r not in names]
    return names


class Inspector(pn.viewable.Viewer):
    def __init__(self, session: ProjectSession) -> None:
        super().__init__()
        self.session = session
        self.fields: dict[str, Field] = {}
        # refused parameter values of the selected node, retried with its next edit
        self.pending = PendingEdits("params.")
        self.title = pn.pane.Markdown("", margin=(0, 5))
        self.body = pn.Column(margin=0, sizing_mode="stretch_width")
        session.param.watch(lambda *_: self.rebuild(), ["selection", "revision"])
        self.rebuild()

    def __panel__(self):
        return pn.Column(
            self.body, width=290, scroll=True, sizing_mode="stretch_height",
            css_classes=["inspector"],
        )  # fmt: skip

    # ------------------------------------------------------------------ building
    def rebuild(self) -> None:
        """Heading and fields of the selection, replaced in one change of the body, so the
        browser never shows a new heading over the previous selection's fields."""
        project, selection = self.session.project, self.session.selection
        self.fields = {}
        self.pending.clear()
        if selection.get("kind") == "node":
            node = project.node(selection["id"])
            base = project.base_model(node.model)
            copy = f", a copy of {base}" if base != node.model else ""
            heading = f"### {node.label or node.id}\n{model_label(base)} ({node.model}{copy})"
            fields = self._node_fields(node)
        elif selection.get("kind") == "edge":
            conn = edits.connection(project, selection["id"])
            source, target = (messages.label_of(project, n) for n in (conn.source, conn.target))
            heading = f"### {source} → {target}\nconnection {conn.id}"
            fields = self._connection_fields(project, conn)
        else:
            neurons = sum(
                n.size
                for n in project.nodes
                if catalog.model(project.base_model(n.model)).kind == "neuron"
            )
            heading = (
                "### Inspector\nSelect a node or a connection on the canvas to edit it. "
                "Drag models from the palette; drag from a node's handle to connect.\n\n"
                f"This project: {_count(len(project.nodes), 'node')} "
                f"({_count(neurons, 'neuron')}), {_count(len(project.connections), 'connection')}."
            )
            fields = [self._description_field(project)]
        self.title = pn.pane.Markdown(heading, margin=(0, 5), css_classes=["inspector-heading"])
        self.body.objects = [self.title, *fields]

    def _description_field(self, project: Project) -> Field:
        return self._field(
            TextField(
                "description", "Description", "",
                self._on(lambda p, v: edits.set_description(p, v)), project.description,
                multiline=True,
            )
        )  # fmt: skip

    def _field(self, field: Field) -> Field:
        self.fields[field.key] = field
        return field

    def _node_fields(self, node) -> list:
        project = self.session.project
        spec = catalog.model(project.base_model(node.model))
        copies = [m for m in getattr(project, "copy_models", {}) or {} if m != node.model]
        same_kind = [m for m, s in catalog.models().items() if s.kind == spec.kind] + [
            m for m in [node.model, *copies] if m not in catalog.models()
        ]
        same_kind = [  # node models of the same kind, built-in or copies (not synapse copies)
            m
            for m in same_kind
            if project.base_model(m) in catalog.models()
            and catalog.model(project.base_model(m)).kind == spec.kind
        ]
        nid = node.id

        duplicate = pn.widgets.Button(label="Duplicate node", width=140, margin=(0, 10, 5, 10))
        duplicate.on_click(lambda _: self._duplicate(nid))
        out: list = [
            duplicate,
            self._field(
                TextField(
                    "label",
                    "Label",
                    "",
                    self._on(lambda p, v: edits.set_node(p, nid, label=v)),
                    node.label,
                )
            ),
            self._field(
                ChoiceField(
                    "model",
                    "Model",
                    "",
                    self._on(lambda p, v: edits.set_node(p, nid, model=v), rebuild=True),
                    node.model,
                    same_kind,
                )
            ),
        ]
        out += self._copy_model_fields(project, node)
        if spec.kind == "neuron":
            out += spatial_fields.layer_fields(self, project, node)
        if spec.kind != "recorder":  # a stimulator node is `size` devices (NEST's Create n)
            out.append(
                self._field(
                    NumberField(
                        "size",
                        "Size",
                        "neurons" if spec.kind == "neuron" else "devices",
                        self._on(lambda p, v: edits.set_node(p, nid, size=v)),
                        node.size,
                        integer=True,
                    )
                )
            )
        copied = project.model_params(node.model)  # a copy model's defaults
        spec_model = project.base_model(node.model)  # labels and sliders: the built-in's
        for name, pspec in spec.params.items():
            meta = ui_param(spec_model, name)
            label, unit = with_nest_name(meta.get("label", name), pspec.unit, name), ""
            value = node.params.get(name, copied.get(name, pspec.default))
            setter = self._param_handler(nid, name)
            widget = meta.get("widget", "number")
            key = f"params.{name}"
            if widget == "checkbox" or pspec.type == "bool":
                field = ChoiceField(key, label, unit, setter, value)
            elif widget == "multiselect":
                field = ChoiceField(key, label, unit, setter, value, recordables(), many=True)
            elif widget == "list" or pspec.type.startswith("list"):
                field = ListField(key, label, unit, setter, value)
            else:
                field = NumberField(
                    key,
                    label,
                    unit,
                    setter,
                    value,
                    integer=pspec.type == "int",
                    step=meta.get("step"),
                    random=spec.kind == "neuron" and pspec.type == "float",
                    slider=_range(meta),
                    expression=(parameters.NODE, node.spatial is not None)
                    if spec.kind == "neuron" and pspec.type == "float"
                    else None,
                )
            out.append(self._field(field))
        out += synapse_fields.node_notes(self.session.project, node)
        out.append(
            pn.Card(
                pn.pane.Markdown(
                    model_doc(project.base_model(node.model)), width=250, css_classes=["nest-doc"]
                ),
                title=f"NEST documentation: {node.model}",
                collapsed=True,
                width=270,
                css_classes=["nest-doc-card"],
            )
        )
        return out

    def _copy_model_fields(self, project: Project, node) -> list:
        """Named copy models (NEST's CopyModel): save this node's parameters as a model that
        other nodes pick in their Model menu; a node of a copy model can update it."""
        nid = node.id
        out: list = []
        if node.model in project.copy_models:
            copy = project.copy_models[node.model]
            values = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                               for k, v in sorted(copy.params.items()))  # fmt: skip
            users = [n.label or n.id for n in project.nodes if n.model == node.model]
            out.append(
                pn.pane.Markdown(
                    f"**{node.model}** is a copy of `{copy.model}`"
                    + (f" with {values}" if values else "")
                    + f"; used by {', '.join(users)}.",
                    width=250,
                    css_classes=["copy-model-about"],
                )
            )
            if True:  # the node's own values, set after this was built, are read on click
                update = pn.widgets.Button(
                    label=f"Update {node.model} from this node", width=250, margin=(0, 10, 5, 10)
                )
                update.on_click(
                    lambda _: self._apply(
                        "model", lambda p, _v: edits.update_copy_model(p, nid), None, True
                    )
                )
                out.append(update)
        out.append(
            self._field(
                NameField(
                    "copy_model",
                    "Save as a named model",
                    self._on(lambda p, v: edits.save_copy_model(p, nid, v), rebuild=True),
                    "Save",
                    placeholder="e.g. fast_" + project.base_model(node.model).split("_")[0],
                )
            )
        )
        return out

    def _connection_fields(self, project: Project, conn) -> list:
        cid = conn.id

        out: list = [
            self._field(
                ChoiceField(
                    "rule.rule",
                    "Rule",
                    "",
                    self._on(lambda p, v: edits.set_rule(p, cid, v), rebuild=True),
                    conn.rule.rule,
                    list(catalog.rules()),
                )
            )
        ]
        pair = (parameters.CONNECTION, spatial_fields.is_spatial(project, conn))
        for name, spec in catalog.rules()[conn.rule.rule].items():
            out.append(
                self._field(
                    NumberField(
                        f"rule.{name}",
                        name,
                        "",
                        self._on(lambda p, v, n=name: edits.set_rule_param(p, cid, n, v)),
                        conn.rule.params.get(name),
                        integer=spec.get("type") == "int",
                        step=0.01,
                        expression=pair if spec.get("type") == "float" else None,
                    )
                )
            )
        out += spatial_fields.rule_fields(self, project, conn)
        for name, spec in catalog.rule_options().items():
            out.append(
                self._field(
                    ChoiceField(
                        f"rule.{name}",
                        name.replace("_", " "),
                        "",
                        self._on(lambda p, v, n=name: edits.set_rule_param(p, cid, n, v)),
                        conn.rule.params.get(name, spec["default"]),
                    )
                )
            )
        source_model = project.base_model(project.node(conn.source).model)
        if catalog.model(source_model).is_sampler:
            out.append(
                self._field(
                    IndicesField(
                        "target_indices",
                        "Record neurons (indices, empty = all)",
                        self._on(lambda p, v: edits.set_target_indices(p, cid, v)),
                        conn.target_indices or (),
                    )
                )
            )
            return out
        synapse = SynapseSection(self.session, self.fields, cid)
        out += synapse.model_field(
            project, conn, self._on(lambda p, v: edits.set_synapse(p, cid, model=v), rebuild=True)
        )
        target_spec = catalog.model(project.base_model(project.node(conn.target).model))
        if target_spec.is_correlation_detector or target_spec.kind == "neuron":
            # the detector's channel, or the neuron's input port (multi-receptor models; a
            # parrot's port 1 is seen by STDP only): NEST's receptor_type
            out.append(
                self._field(
                    NumberField(
                        "synapse.receptor_type",
                        "Channel (receptor_type)"
                        if target_spec.is_correlation_detector
                        else "Receptor (receptor_type)",
                        "",
                        self._on(lambda p, v: edits.set_synapse(p, cid, receptor_type=int(v))),
                        conn.synapse.receptor_type,
                        integer=True,
                    )
                )
            )
        weight_unit = weight_unit_of(project.node(conn.target).model)
        out.append(
            self._field(
                NumberField(
                    "synapse.weight",
                    "Weight",
                    weight_unit,
                    self._on(lambda p, v: edits.set_synapse(p, cid, weight=v)),
                    conn.synapse.weight,
                    step=0.1,
                    random=True,
                    slider=_range(synapse_ui("weight")),
                    expression=pair,
                )
            )
        )
        out.append(
            self._field(
                NumberField(
                    "synapse.delay",
                    "Delay",
                    "ms",
                    self._on(lambda p, v: edits.set_synapse(p, cid, delay=v)),
                    conn.synapse.delay,
                    step=0.1,
                    random=True,
                    slider=_range(synapse_ui("delay")),
                    expression=pair,
                )
            )
        )
        if "recorder" in (
            catalog.model(project.base_model(project.node(e).model)).kind
            for e in (conn.source, conn.target)
        ):
            return out  # a recorder's wiring has no synapse dynamics
        return out + synapse.param_fields(project, conn)

    # ------------------------------------------------------------------ applying
    def _duplicate(self, node_id: str) -> None:
        """A copy of the node with its parameters, selected (so it is edited next)."""
        project, new_id = edits.duplicate_node(self.session.project, node_id)
        self.session.apply(project)
        # the inspector rebuilds on the next tick, not inside its own button's click
        on_document(lambda: setattr(self.session, "selection", {"kind": "node", "id": new_id}))

    def _param_handler(self, node_id: str, name: str):
        """A node parameter's change handler: the value is applied together with the node's
        pending (refused) values in one edit; refused, it joins them."""

        def changed(key: str, value: Any) -> None:
            self.pending.apply(
                self.session,
                self.fields,
                node_id,
                name,
                value,
                lambda p, values: edits.set_node_params(p, node_id, values),
            )

        return changed

    def _on(self, make: Callable[[Project, Any], Project], rebuild: bool = False):
        """The change handler of a field: ``make(project, value)`` is the edit to apply."""
        return lambda key, value: self._apply(key, make, value, rebuild)

    def _apply(
        self, key: str, make: Callable[[Project, Any], Project], value: Any, rebuild: bool
    ) -> None:
        field = self.fields.get(key)
        try:
            self.session.apply(make(self.session.project, value))
        except Refused as exc:
            if field is not None:
                field.show_error(field_message(exc.problems, key, self.session.project))
            return
        except (KeyError, TypeError, ValueError) as exc:
            if field is not None:
                field.show_error(str(exc))
            return
        if rebuild:
            self.rebuild()


def with_nest_name(label: str, unit: str, name: str) -> str:
    """A field's label: the English label, its unit, and NEST's parameter name after a dot
    (``Reset potential (mV) · V_reset``), unless the label is the NEST name already."""
    text = f"{label} ({unit})" if unit else label
    return text if label == name else f"{text} · {name}"


def _range(meta: dict) -> tuple[float, float] | None:
    """The slider range of a parameter from assets/catalog_ui.json, if it has one."""
    if meta.get("slider") and meta.get("min") is not None and meta.get("max") is not None:
        return float(meta["min"]), float(meta["max"])
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
