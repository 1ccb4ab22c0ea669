"""The inspector's spatial parts: a neuron node's layer (grid or free positions, extent,
centre, edge wrap) and, for a connection between two spatial nodes, its mask (kind, keys,
anchor), use_on_source and a preview of the rule around one neuron (app/spatial_preview.py).

Every change is an edit of the project (``edits.set_layer``, ``edits.set_rule_param``), so
validation refuses a bad value beside its field and the project keeps the last good one.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import panel as pn
from spikedesk.app import edits
from spikedesk.app.fields import FIELD_WIDTH, ChoiceField, ListField, NumberField, TextField
from spikedesk.project_files import parameters, spatial
from spikedesk.project_files.project import Project
from spikedesk.project_files.spatial import MASKS, SPATIAL_RULES, VECTOR_KEYS, Layer

if TYPE_CHECKING:
    from spikedesk.app.inspector import Inspector

NONE = "none"
RANDOM_POSITIONS = "random.uniform(min=-0.5, max=0.5)"
# a new mask's keys: a small one around the driver
MASK_DEFAULTS = {
    "radius": 0.2, "inner_radius": 0.05, "outer_radius": 0.2, "major_axis": 0.4,
    "minor_axis": 0.2, "polar_axis": 0.2, "azimuth_angle": 0.0, "polar_angle": 0.0,
}  # fmt: skip
MASK_CORNERS = {"lower_left": -0.2, "upper_right": 0.2}


def is_spatial(project: Project, conn) -> bool:
    nodes = {n.id: n for n in project.nodes}
    return all(
        nodes.get(end) is not None and nodes[end].spatial is not None
        for end in (conn.source, conn.target)
    )


def new_layer(kind: str, size: int) -> Layer | None:
    """The layer a node gets when its kind is chosen: a near-square grid of about its size,
    or its neurons at random in the unit square."""
    if kind == "grid":
        columns = max(1, round(math.sqrt(size)))
        return Layer("grid", (columns, max(1, round(size / columns))), extent=(1.0, 1.0))
    if kind == "free":
        return Layer("free", pos=parameters.Expression(RANDOM_POSITIONS), extent=(1.0, 1.0))
    return None


def layer_fields(inspector: Inspector, project: Project, node) -> list:
    nid = node.id
    layer = node.spatial
    on = inspector._on
    field = inspector._field
    out: list = [
        field(
            ChoiceField(
                "spatial.kind",
                "Spatial layer (positions)",
                "",
                on(lambda p, v: edits.set_layer(p, nid, new_layer(v, node.size)), rebuild=True),
                layer.kind if layer is not None else NONE,
                [NONE, "grid", "free"],
            )
        )
    ]
    if layer is None:
        return out

    def change(**fields: Any):
        """An edit of the layer: each field's new value from what was entered."""
        return on(
            lambda p, v: edits.set_layer(
                p, nid, replace(layer, **{name: make(v) for name, make in fields.items()})
            ),
            rebuild=True,
        )

    if layer.kind == "grid":
        out.append(
            field(
                ListField(
                    "spatial.grid.shape", "Grid (columns, rows[, depth])", "",
                    change(shape=lambda v: tuple(int(x) for x in v)),
                    layer.shape, placeholder="e.g. 20, 20",
                )
            )
        )  # fmt: skip
        out.append(
            field(
                ListField(
                    "spatial.grid.center", "Centre", "", change(center=lambda v: tuple(v) or None),
                    layer.center or (0.0,) * layer.dimensions,
                )
            )
        )  # fmt: skip
    elif isinstance(layer.pos, parameters.Expression):
        out.append(
            field(
                TextField(
                    "spatial.free.pos", "Positions (drawn per neuron and axis)", "",
                    change(pos=lambda v: parameters.Expression(v.strip())),
                    layer.pos.text,
                )
            )
        )  # fmt: skip
        out.append(
            field(
                ChoiceField(
                    "spatial.free.num_dimensions", "Dimensions", "",
                    change(num_dimensions=int), layer.num_dimensions, [2, 3],
                )
            )
        )  # fmt: skip
    else:
        out.append(pn.pane.Str(f"{len(layer.pos)} listed positions", margin=(0, 10)))
    out.append(
        field(
            ListField(
                f"spatial.{layer.kind}.extent", "Extent", "",
                change(extent=lambda v: tuple(v) or None),
                layer.extent or (), placeholder="e.g. 1, 1 (empty: NEST's default)",
            )
        )
    )  # fmt: skip
    out.append(
        field(
            ChoiceField(
                f"spatial.{layer.kind}.edge_wrap", "edge wrap (periodic)", "",
                change(edge_wrap=bool), layer.edge_wrap,
            )
        )
    )  # fmt: skip
    return out


def rule_fields(inspector: Inspector, project: Project, conn) -> list:
    """Mask, use_on_source and the preview; nothing for a rule or nodes that are not spatial."""
    if conn.rule.rule not in SPATIAL_RULES or not is_spatial(project, conn):
        return []
    cid = conn.id
    on, field = inspector._on, inspector._field
    nodes = {n.id: n for n in project.nodes}
    dims = nodes[conn.source].spatial.dimensions
    kinds = [k for k, spec in MASKS.items() if spec["dims"] == dims]
    mask = spatial.thaw(conn.rule.params.get("mask")) if "mask" in conn.rule.params else None
    kind = next((k for k in (mask or {}) if k != "anchor"), NONE)

    def choose(p: Project, new_kind: str) -> Project:
        if new_kind == NONE:
            return edits.set_rule_param(p, cid, "mask", None)
        body = {k: MASK_DEFAULTS.get(k, 0.0) for k in MASKS[new_kind]["required"]}
        for corner, v in MASK_CORNERS.items():
            if corner in body:
                body[corner] = [v] * dims
        return edits.set_rule_param(p, cid, "mask", spatial.freeze({new_kind: body}))

    out: list = [
        field(ChoiceField("rule.mask", "Mask", "", on(choose, rebuild=True), kind, [NONE, *kinds]))
    ]
    if mask is not None:
        spec = MASKS[kind]
        for key in (*spec["required"], *spec["optional"]):
            value = mask[kind].get(key, MASK_DEFAULTS.get(key, 0.0))

            def set_key(p: Project, v: Any, key: str = key) -> Project:
                body = {**mask[kind], key: list(v) if key in VECTOR_KEYS else v}
                return edits.set_rule_param(p, cid, "mask", spatial.freeze({**mask, kind: body}))

            kind_of = ListField if key in VECTOR_KEYS else NumberField
            # (each change redraws the preview: the inspector is rebuilt)
            edit = on(set_key, rebuild=True)
            out.append(field(kind_of(f"rule.mask.{kind}.{key}", key, "", edit, value)))

        def set_anchor(p: Project, v: list) -> Project:
            new = {k: b for k, b in mask.items() if k != "anchor"}
            if v:
                new["anchor"] = list(v)
            return edits.set_rule_param(p, cid, "mask", spatial.freeze(new))

        out.append(
            field(
                ListField(
                    "rule.mask.anchor", "anchor (shift of the mask)", "",
                    on(set_anchor, rebuild=True),
                    mask.get("anchor", ()), placeholder="e.g. 0.1, 0 (empty: none)",
                )
            )
        )  # fmt: skip
    if conn.rule.rule == "pairwise_bernoulli":
        out.append(
            field(
                ChoiceField(
                    "rule.use_on_source", "use on source (mask on the sources)", "",
                    on(lambda p, v: edits.set_rule_param(p, cid, "use_on_source", v or None),
                       rebuild=True),
                    bool(conn.rule.params.get("use_on_source", False)),
                )
            )
        )  # fmt: skip
    out.append(preview_pane(project, cid))
    return out


def preview_pane(project: Project, conn_id: str):
    """The rule around the neuron nearest the layer's centre, or why there is none."""
    from spikedesk.app.spatial_preview import preview, preview_figure

    labels = {n.id: n.label or n.id for n in project.nodes}
    try:
        pv = preview(project, conn_id)
    except Exception as exc:  # an unfinished edit: say so, never break the inspector
        return pn.pane.Str(f"No preview: {exc}", width=FIELD_WIDTH, css_classes=["mask-preview"])
    fig = preview_figure(pv, labels, height=240)
    return pn.pane.Bokeh(fig, width=FIELD_WIDTH + 20, css_classes=["mask-preview"])
