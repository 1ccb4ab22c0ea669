"""The network editor canvas: a palette of models and an SVG drawing of the network.

The browser only proposes edits. Each gesture (drop a palette item, move a node, drag a
connection, click, Delete, Ctrl+Z/Ctrl+Y) becomes one action dict sent with
``model.send_msg``; :meth:`NetworkCanvas._handle_msg` checks its shape and hands it to the
``on_action`` callback. The owner of the project validates the action, updates ``nodes``,
``edges``, ``selection`` and, when it refuses something, ``message``; the canvas redraws.

Several nodes are selected together with Shift+click, Shift+drag a rectangle on the
background, or Ctrl+A (``group``: their ids, synced both ways); dragging one of them moves them
all, and Delete, Ctrl+D, Ctrl+C/V and the context menu act on all of them. A right click opens
the context menu: on a node Clone, Colour and Delete; on a connection Delete; on the
background a searchable list of models to add at that point.

Actions (all keys exactly as listed; coordinates are canvas coordinates, i.e. after the
pan/zoom transform, in the same units as node ``x``/``y``)::

    {"action": "add", "model": str, "x": float, "y": float}
    {"action": "move", "id": str, "x": float, "y": float}
    {"action": "connect", "source": str, "target": str}
    {"action": "select", "kind": "node" | "edge", "id": str}   # or {"action": "select"}
    {"action": "delete", "kind": "node" | "edge", "id": str}
    {"action": "duplicate", "kind": "node", "id": str}          # Ctrl+D, or Ctrl+C then Ctrl+V
    {"action": "duplicate_many", "ids": [str, ...]}             # the same for a group
    {"action": "move_many", "moves": [{"id": str, "x": float, "y": float}, ...]}
    {"action": "delete_many", "ids": [str, ...]}
    {"action": "color", "ids": [str, ...], "color": "#rrggbb" | ""}   # "" = the kind's colour
    {"action": "undo"}
    {"action": "redo"}
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import panel as pn
import param

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
# assets/ sits beside app/ in the source tree (and in editable installs)
_ASSET_DIRS = (_HERE.parent / "assets", _HERE / "assets", _HERE)


def _asset(name: str) -> Path:
    for folder in _ASSET_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {', '.join(map(str, _ASSET_DIRS))}")


DEFAULT_KINDS: dict[str, dict[str, str]] = {
    "neuron": {"color": "#1f77b4", "label": "Neurons", "shape": "circle"},
    "stimulator": {"color": "#2ca02c", "label": "Stimulators", "shape": "triangle"},
    "recorder": {"color": "#d62728", "label": "Recorders", "shape": "square"},
}


def _catalog_ui() -> dict:
    try:
        return json.loads(_asset("catalog_ui.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def kind_styles() -> dict[str, dict[str, str]]:
    """Colour, shape and label per node kind, from assets/catalog_ui.json."""
    kinds = _catalog_ui().get("kinds") or {}
    return {k: {**DEFAULT_KINDS.get(k, {}), **v} for k, v in (kinds or DEFAULT_KINDS).items()}


def palette_from_catalog() -> list[dict[str, str]]:
    """One palette entry per catalog model, grouped by the catalog's family (in its order:
    neuron families, then stimulators, then recorders), labelled from the catalog."""
    from spikedesk.project_files import catalog

    order = {"neuron": 0, "stimulator": 1, "recorder": 2}
    families = {name: i for i, name in enumerate(catalog.families())}
    entries = [
        {"model": name, "kind": spec.kind, "label": spec.label, "family": spec.family}
        for name, spec in catalog.models().items()
    ]
    return sorted(
        entries,
        key=lambda e: (
            order.get(e["kind"], 9),
            families.get(e["family"], len(families)),
            e["label"].lower(),
        ),
    )


CSS = """
:host { display: block; }
.sd-canvas {
  position: relative; display: flex; width: 100%; height: 100%; min-height: 240px;
  box-sizing: border-box; border: 1px solid #dee2e6; border-radius: 0.375rem;
  background: #fff; overflow: hidden; outline: none; user-select: none; -webkit-user-select: none;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 13px; color: #212529;
}
.sd-canvas:focus-visible {
  box-shadow: 0 0 0 0.2rem rgba(13, 110, 253, 0.25); border-color: #86b7fe;
}
.palette {
  flex: 0 0 196px; overflow-y: auto; background: #f8f9fa; border-right: 1px solid #dee2e6;
  padding: 8px 8px 12px; box-sizing: border-box;
}
.palette-search {
  width: 100%; box-sizing: border-box; margin: 0 0 8px; padding: 4px 8px; font: inherit;
  border: 1px solid #ced4da; border-radius: 0.3rem; background: #fff;
}
.palette-group + .palette-group { margin-top: 10px; }
.palette-title {
  display: block; width: 100%; text-align: left; border: 0; background: none; cursor: pointer;
  font-size: 11px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase;
  color: #6c757d; padding: 4px 4px 4px;
}
.palette-title::before { content: "▾ "; }
.palette-group.collapsed .palette-title::before { content: "▸ "; }
.palette-group.collapsed .palette-item { display: none; }
.palette-item[hidden], .palette-group[hidden] { display: none; }
.palette-list.searching .palette-group.collapsed .palette-item:not([hidden]) { display: flex; }
.palette-item {
  display: flex; align-items: center; gap: 8px; padding: 5px 6px; margin: 2px 0;
  border: 1px solid transparent; border-radius: 0.3rem; cursor: grab; touch-action: none;
}
.palette-item:hover {
  background: #fff; border-color: #dee2e6; box-shadow: 0 1px 2px rgba(0,0,0,.05);
}
.palette-item:active { cursor: grabbing; }
.palette-item .icon { flex: 0 0 auto; }
.palette-text { min-width: 0; }
.palette-label { line-height: 1.2; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.palette-model {
  font-family: SFMono-Regular, Menlo, Consolas, monospace; font-size: 10.5px; color: #6c757d;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.palette-empty { color: #6c757d; padding: 8px; }
.stage { position: relative; flex: 1 1 auto; min-width: 0; }
.surface { display: block; width: 100%; height: 100%; cursor: default; touch-action: none; }
.sd-canvas.panning .surface { cursor: grabbing; }
.sd-canvas.connecting .surface { cursor: crosshair; }
.sd-canvas.dropping .stage { box-shadow: inset 0 0 0 2px rgba(13, 110, 253, 0.35); }
.background { fill-opacity: 1; }
.grid-dot { fill: #ced4da; }
.node { cursor: pointer; }
.node .shape { stroke-width: 1.2; transition: filter 120ms; }
.node:hover .shape { filter: brightness(1.08) drop-shadow(0 1px 2px rgba(0,0,0,.25)); }
.node .halo {
  fill: none; stroke: #0d6efd; stroke-width: 2.2; vector-effect: non-scaling-stroke; display: none;
}
.node.selected .halo { display: inline; }
.node.selected .shape { stroke: #0d6efd !important; stroke-width: 2; }
.node.drop-target .shape { filter: drop-shadow(0 0 5px rgba(13, 110, 253, 0.8)); }
.node-label, .node-sub, .edge-label {
  text-anchor: middle; paint-order: stroke; stroke: rgba(255,255,255,0.9); stroke-width: 3px;
  stroke-linejoin: round; pointer-events: none;
}
.node-label { font-size: 12px; font-weight: 600; fill: #212529; }
.node-sub {
  font-size: 10.5px; fill: #6c757d; font-family: SFMono-Regular, Menlo, Consolas, monospace;
}
.handle {
  fill: #fff; stroke-width: 2; cursor: crosshair; opacity: 0.55; transition: opacity 120ms;
}
.node:hover .handle, .node.selected .handle, .handle:hover { opacity: 1; }
.handle:hover { fill: #e7f1ff; }
.edge { fill: none; stroke-width: 2; stroke-linecap: round; cursor: pointer; }
.edge.exc { stroke: #55606b; }
.edge.inh { stroke: #c2410c; }
.edge.dev { stroke: #8a949e; stroke-dasharray: 5 4; stroke-width: 1.6; }
.edge.selected { stroke: #0d6efd; stroke-width: 3; }
.edge-hit { fill: none; stroke: transparent; stroke-width: 14; cursor: pointer; }
.edge-group:hover .edge:not(.selected) { stroke-width: 2.8; }
.edge-label { font-size: 10.5px; fill: #495057; }
.rubber {
  fill: none; stroke: #0d6efd; stroke-width: 2; stroke-dasharray: 6 4; pointer-events: none;
}
.toolbar {
  position: absolute; top: 8px; right: 8px; display: flex; align-items: center; gap: 2px;
  background: rgba(255,255,255,0.92); border: 1px solid #dee2e6; border-radius: 0.375rem;
  padding: 2px; box-shadow: 0 1px 3px rgba(0,0,0,.08);
}
.toolbar button {
  font: inherit; font-size: 12px; line-height: 1; min-width: 28px; height: 26px; padding: 0 8px;
  border: 0; border-radius: 0.25rem; background: transparent; color: #212529; cursor: pointer;
}
.toolbar button:hover { background: #e9ecef; }
.toolbar button:focus-visible { outline: 2px solid #86b7fe; }
.zoom-label { min-width: 42px; text-align: center; font-size: 11.5px; color: #6c757d; }
.empty-hint {
  position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  color: #adb5bd; font-size: 14px; pointer-events: none;
}
.message {
  position: absolute; left: 50%; bottom: 16px; transform: translate(-50%, 8px);
  max-width: calc(100% - 48px); padding: 8px 14px; border-radius: 0.375rem;
  background: #212529; color: #fff; font-size: 13px; box-shadow: 0 4px 12px rgba(0,0,0,.18);
  opacity: 0; visibility: hidden; transition: opacity 160ms, transform 160ms, visibility 160ms;
  pointer-events: none; z-index: 5;
}
.message.visible { opacity: 0.95; visibility: visible; transform: translate(-50%, 0); }
.drag-ghost {
  position: absolute; left: 0; top: 0; display: none; align-items: center; gap: 6px;
  padding: 4px 8px; background: #fff; border: 1px solid #86b7fe; border-radius: 0.3rem;
  box-shadow: 0 4px 10px rgba(0,0,0,.15); pointer-events: none; z-index: 10; white-space: nowrap;
}
.drag-ghost.visible { display: flex; }
.band {
  fill: rgba(13, 110, 253, 0.08); stroke: #0d6efd; stroke-width: 1; stroke-dasharray: 4 3;
  pointer-events: none;
}
.context-menu {
  position: absolute; z-index: 20; min-width: 180px; max-width: 260px; padding: 4px 0;
  display: flex; flex-direction: column; overflow: hidden; box-sizing: border-box;
  background: #fff; border: 1px solid #ced4da; border-radius: 0.375rem;
  box-shadow: 0 6px 16px rgba(0,0,0,.18); font-size: 13px;
}
.context-menu[hidden] { display: none; }
.menu-title {
  padding: 4px 12px 6px; font-weight: 600; border-bottom: 1px solid #e9ecef; margin-bottom: 4px;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.menu-label {
  padding: 4px 12px 2px; font-size: 11px; font-weight: 600; letter-spacing: 0.04em;
  text-transform: uppercase; color: #6c757d;
}
.menu-item {
  display: block; width: 100%; text-align: left; border: 0; background: none; font: inherit;
  padding: 5px 12px; cursor: pointer; color: #212529;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.menu-item[hidden] { display: none; }
.menu-item:hover, .menu-item:focus-visible { background: #e7f1ff; outline: none; }
.menu-swatches { display: flex; flex-wrap: wrap; gap: 4px; padding: 2px 12px 6px; }
.swatch {
  width: 20px; height: 20px; border: 1px solid rgba(0,0,0,.25); border-radius: 50%;
  cursor: pointer; padding: 0;
}
.swatch:hover { transform: scale(1.15); }
.menu-search {
  display: block; width: calc(100% - 16px); margin: 2px 8px 4px; padding: 3px 6px; font: inherit;
  border: 1px solid #ced4da; border-radius: 0.25rem; box-sizing: border-box;
}
.menu-models { max-height: 260px; min-height: 60px; overflow-y: auto; flex: 1 1 auto; }
"""

ACTIONS = frozenset(
    {
        "add", "move", "connect", "select", "delete", "duplicate", "undo", "redo",
        "duplicate_many", "move_many", "delete_many", "color",
    }
)  # fmt: skip
MAX_GROUP = 10_000  # ids in one action
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
KINDS = ("node", "edge")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ids(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not 0 < len(value) <= MAX_GROUP:
        return None
    ids = [_text(v) for v in value]
    return None if None in ids else ids


def clean_action(msg: Any) -> dict | None:
    """The action in ``msg`` with only its documented keys, or None if it is malformed."""
    if not isinstance(msg, dict) or msg.get("action") not in ACTIONS:
        return None
    action = msg["action"]
    if action in ("undo", "redo"):
        return {"action": action}
    if action == "add":
        model, x, y = _text(msg.get("model")), _number(msg.get("x")), _number(msg.get("y"))
        return None if None in (model, x, y) else {"action": action, "model": model, "x": x, "y": y}
    if action == "move":
        id_, x, y = _text(msg.get("id")), _number(msg.get("x")), _number(msg.get("y"))
        return None if None in (id_, x, y) else {"action": action, "id": id_, "x": x, "y": y}
    if action == "connect":
        source, target = _text(msg.get("source")), _text(msg.get("target"))
        return (
            None
            if None in (source, target)
            else {"action": action, "source": source, "target": target}
        )
    if action in ("duplicate_many", "delete_many", "color"):
        ids = _ids(msg.get("ids"))
        if ids is None:
            return None
        if action != "color":
            return {"action": action, "ids": ids}
        color = msg.get("color")
        if not (color == "" or (isinstance(color, str) and COLOR.fullmatch(color))):
            return None
        return {"action": action, "ids": ids, "color": color}
    if action == "move_many":
        moves = msg.get("moves")
        if not isinstance(moves, list) or not 0 < len(moves) <= MAX_GROUP:
            return None
        out = []
        for move in moves:
            if not isinstance(move, dict):
                return None
            id_, x, y = _text(move.get("id")), _number(move.get("x")), _number(move.get("y"))
            if None in (id_, x, y):
                return None
            out.append({"id": id_, "x": x, "y": y})
        return {"action": action, "moves": out}
    kind, id_ = msg.get("kind"), _text(msg.get("id"))
    if action == "select" and kind is None and msg.get("id") is None:
        return {"action": "select"}
    if kind not in KINDS or id_ is None:
        return None
    return {"action": action, "kind": kind, "id": id_}


class NetworkCanvas(pn.custom.JSComponent):
    """The network editor: palette on the left, the network drawn in SVG on the right.

    Python owns the network; the browser sends actions (see the module docstring) to
    ``on_action(msg)``. Clicks also set ``selection`` here before ``on_action`` is called
    (to an existing node/edge, or ``{}``), so selection works without any callback;
    ``on_action`` may overwrite it.
    """

    nodes = param.List(
        default=[],
        doc="""
        [{"id", "kind": "neuron"|"stimulator"|"recorder", "model", "label", "size", "x", "y",
        "color": "#rrggbb" or None (kind colour)}]""",
    )
    edges = param.List(
        default=[],
        doc="""
        [{"id", "source", "target", "sign": 1 (excitatory) | -1 (inhibitory) | 0 (device
        link), "label"}]""",
    )
    palette = param.List(default=[], doc='[{"model", "kind", "label"}] offered for dragging')
    selection = param.Dict(default={}, doc='{} or {"kind": "node"|"edge", "id": str}')
    group = param.List(
        default=[], doc="ids of the nodes selected together (two or more), or [] (synced both ways)"
    )
    message = param.String(
        default="",
        doc="""
        Shown as a toast inside the canvas for about 4 s; the browser then resets it to ""
        so the same text can be shown again.""",
    )
    kinds = param.Dict(
        default=None,
        doc="""
        Colour/shape/label per node kind; defaults to the kinds of assets/catalog_ui.json.""",
    )

    _esm = _asset("canvas.js")
    _stylesheets = [CSS]

    def __init__(self, on_action: Callable[[dict], Any] | None = None, **params) -> None:
        params.setdefault("sizing_mode", "stretch_width")
        if params["sizing_mode"] in ("stretch_width", "fixed"):
            params.setdefault("height", 520)
        if params.get("kinds") is None:
            params["kinds"] = kind_styles()
        super().__init__(**params)
        self.on_action = on_action

    # ------------------------------------------------------------ browser -> Python
    def _handle_msg(self, msg: Any) -> None:
        action = clean_action(msg)
        if action is None:
            log.warning("NetworkCanvas ignored a malformed action: %r", msg)
            return
        if action["action"] == "select":
            self.selection = self._existing(action)
        if self.on_action is None:
            return
        try:
            self.on_action(action)
        except Exception:
            log.exception("NetworkCanvas on_action failed for %r", action)
            self.notify("Something went wrong while applying that change.")

    def _existing(self, action: dict) -> dict:
        kind, id_ = action.get("kind"), action.get("id")
        items = self.nodes if kind == "node" else self.edges if kind == "edge" else []
        if any(str(item.get("id")) == id_ for item in items):
            return {"kind": kind, "id": id_}
        return {}

    # ------------------------------------------------------------ Python -> browser
    def notify(self, text: str) -> None:
        """Show ``text`` as a toast, even if it equals the message currently shown."""
        self.message = ""
        self.message = text

    def select_group(self, ids: list[str]) -> None:
        """Select these nodes together (e.g. the copies of a copied group)."""
        self.group = list(ids) if len(ids) > 1 else []

    def fit(self) -> None:
        """Pan and zoom so every node is visible (e.g. after opening another project)."""
        self._send_msg({"command": "fit"})

    def reset_view(self) -> None:
        """Back to zoom 100 % with canvas (0, 0) at the top-left corner."""
        self._send_msg({"command": "reset_view"})
