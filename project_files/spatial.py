"""Spatial layers and masks, as ``nest.spatial.grid``/``free`` and NEST's mask dictionaries.

A node's ``"spatial"`` key gives its neurons positions (separate from the node's place on the
canvas, ``position``)::

    {"grid": {"shape": [20, 20], "extent": [1.0, 1.0], "center": [0.0, 0.0], "edge_wrap": false}}
    {"free": {"pos": [[x, y], ...] | "random.uniform(min=-0.5, max=0.5)",
              "num_dimensions": 2, "extent": [1.0, 1.0], "edge_wrap": false}}

A connection rule may take NEST's spatial keys: ``mask`` (one of ``MASKS``, plus ``anchor``),
``p`` as an expression (a kernel; also for fixed_indegree and fixed_outdegree) and
``use_on_source``. This module holds the layer type, reads and writes its JSON form, checks
layers and masks (messages name the key), and computes positions the way NEST does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from . import parameters

LAYER_KINDS = ("grid", "free")
GRID_KEYS = ("shape", "extent", "center", "edge_wrap")
FREE_KEYS = ("pos", "num_dimensions", "extent", "edge_wrap")
SPATIAL_RULES = ("pairwise_bernoulli", "fixed_indegree", "fixed_outdegree")

# NEST's masks: their dimensions, required and optional keys (lists have one number per
# dimension), as nest.spatial's create_mask takes them.
MASKS: Mapping[str, dict] = MappingProxyType(
    {
        "circular": {"dims": 2, "required": ("radius",), "optional": ()},
        "spherical": {"dims": 3, "required": ("radius",), "optional": ()},
        "rectangular": {
            "dims": 2,
            "required": ("lower_left", "upper_right"),
            "optional": ("azimuth_angle",),
        },
        "box": {
            "dims": 3,
            "required": ("lower_left", "upper_right"),
            "optional": ("azimuth_angle", "polar_angle"),
        },
        "doughnut": {"dims": 2, "required": ("inner_radius", "outer_radius"), "optional": ()},
        "elliptical": {
            "dims": 2,
            "required": ("major_axis", "minor_axis"),
            "optional": ("azimuth_angle",),
        },
        "ellipsoidal": {
            "dims": 3,
            "required": ("major_axis", "minor_axis", "polar_axis"),
            "optional": ("azimuth_angle", "polar_angle"),
        },
    }
)
VECTOR_KEYS = ("lower_left", "upper_right")


@dataclass(frozen=True)
class Layer:
    """Positions of a node's neurons: a grid (``shape`` columns x rows [x depth] over
    ``extent`` around ``center``) or free positions (a list, or an expression drawn per
    neuron and dimension). ``extent`` None: NEST's default (grid: 1 per dimension; free: the
    positions' bounding box, rounded up)."""

    kind: Literal["grid", "free"]
    shape: tuple[int, ...] = ()
    pos: tuple[tuple[float, ...], ...] | parameters.Expression = ()
    num_dimensions: int = 2
    extent: tuple[float, ...] | None = None
    center: tuple[float, ...] | None = None
    edge_wrap: bool = False

    @property
    def dimensions(self) -> int:
        if self.kind == "grid":
            return len(self.shape)
        if isinstance(self.pos, tuple) and self.pos:
            return len(self.pos[0])
        return self.num_dimensions

    @property
    def size(self) -> int | None:
        """The number of neurons the layer fixes (None: free positions drawn per neuron)."""
        if self.kind == "grid":
            return math.prod(self.shape)
        return len(self.pos) if isinstance(self.pos, tuple) else None


def layer_from_json(data: Mapping) -> Layer:
    """The ``Layer`` of a validated ``"spatial"`` value."""
    kind, body = next(iter(data.items()))
    extent = tuple(float(v) for v in body["extent"]) if "extent" in body else None
    wrap = bool(body.get("edge_wrap", False))
    if kind == "grid":
        center = tuple(float(v) for v in body["center"]) if "center" in body else None
        return Layer("grid", tuple(int(v) for v in body["shape"]), extent=extent,
                     center=center, edge_wrap=wrap)  # fmt: skip
    pos = body["pos"]
    if isinstance(pos, str):
        return Layer("free", pos=parameters.Expression(pos),
                     num_dimensions=int(body.get("num_dimensions", 2)), extent=extent,
                     edge_wrap=wrap)  # fmt: skip
    points = tuple(tuple(float(v) for v in p) for p in pos)
    return Layer("free", pos=points, num_dimensions=len(points[0]), extent=extent, edge_wrap=wrap)


def layer_to_json(layer: Layer) -> dict:
    body: dict[str, Any] = {}
    if layer.kind == "grid":
        body["shape"] = list(layer.shape)
        if layer.center is not None:
            body["center"] = list(layer.center)
    elif isinstance(layer.pos, parameters.Expression):
        body["pos"] = layer.pos.text
        body["num_dimensions"] = layer.num_dimensions
    else:
        body["pos"] = [list(p) for p in layer.pos]
    if layer.extent is not None:
        body["extent"] = list(layer.extent)
    if layer.edge_wrap:
        body["edge_wrap"] = True
    return {layer.kind: body}


def freeze(value: Any) -> Any:
    """A JSON value as read-only mappings and tuples (masks inside a frozen ``Rule``)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The JSON form of a frozen value."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def mask_on_targets(rule: str, use_on_source: bool) -> bool:
    """Whether a spatial rule's mask selects targets around each source (NEST 3.10, measured:
    pairwise_bernoulli by default and fixed_outdegree) rather than sources around each
    target (pairwise_bernoulli with use_on_source, fixed_indegree)."""
    return rule == "fixed_outdegree" or (rule == "pairwise_bernoulli" and not use_on_source)


def mask_widths(mask: Mapping) -> list[float] | None:
    """The widths of a checked mask's box per dimension (None for turned boxes, whose box
    the engine computes)."""
    kind = next(k for k in mask if k != "anchor")
    m, dims = mask[kind], MASKS[kind]["dims"]
    if kind in ("circular", "spherical"):
        return [2.0 * m["radius"]] * dims
    if kind == "doughnut":
        return [2.0 * m["outer_radius"]] * dims
    if kind in ("rectangular", "box"):
        if m.get("azimuth_angle", 0) or m.get("polar_angle", 0):
            return None
        return [b - a for a, b in zip(m["lower_left"], m["upper_right"], strict=True)]
    return [float(max(m["major_axis"], m.get("polar_axis", 0.0)))] * dims


def oversized(mask: Mapping, layer: Layer) -> str:
    """Why a mask cannot be used on a wrapped layer (wider than it, as NEST refuses), or ""."""
    if not layer.edge_wrap or (layer.extent is None and layer.kind == "free"):
        return ""
    extent = layer.extent or (1.0,) * layer.dimensions
    for d, (width, e) in enumerate(zip(mask_widths(mask) or [], extent, strict=False)):
        if width > e:
            axis = "xyz"[d]
            return (f"the mask is wider than the layer along {axis} ({width:g} > {e:g}) with "
                    "edge_wrap; NEST refuses such a mask too")  # fmt: skip
    return ""


def mask_volume(mask: Mapping) -> float:
    """The area (2D) or volume (3D) of a checked mask's bounding box, turned masks counted
    by their circumscribing box: an upper bound of the share of a layer a driver sees."""
    widths = mask_widths(mask)
    if widths is not None:
        return math.prod(widths)
    kind = next(k for k in mask if k != "anchor")  # a turned box: its diagonal on every axis
    m = mask[kind]
    sides = [b - a for a, b in zip(m["lower_left"], m["upper_right"], strict=True)]
    return math.hypot(*sides) ** len(sides)


# ------------------------------------------------------------------ positions


@dataclass(frozen=True)
class Placed:
    """A layer's neurons placed: ``positions[i]`` is neuron i's (x, y[, z]); ``lower_left``
    and ``extent`` bound the layer (periodic boundaries use ``extent``)."""

    positions: tuple[tuple[float, ...], ...]
    lower_left: tuple[float, ...]
    extent: tuple[float, ...]
    edge_wrap: bool

    @property
    def center(self) -> tuple[float, ...]:
        return tuple(lo + e / 2 for lo, e in zip(self.lower_left, self.extent, strict=True))


Draw = Callable[[parameters.Expression, int], list[float]]


def place(layer: Layer, size: int, draw: Draw | None = None) -> Placed:
    """Positions as NEST computes them. Grid: column-major (neuron i is column i // rows,
    row i % rows; for 3D ``(i // depth) % rows``), y decreasing from the top row ("matrix
    convention"), cell centres. Free: the given points or ``draw(expression, dimension)``
    (one value per neuron), the extent given or the bounding box rounded up in each
    dimension, centred on the bounding box. Raises ``ValueError`` naming the problem."""
    dims = layer.dimensions
    if layer.kind == "grid":
        extent = layer.extent or (1.0,) * dims
        center = layer.center or (0.0,) * dims
        lower_left = tuple(c - e / 2 for c, e in zip(center, extent, strict=True))
        points = []
        for i in range(math.prod(layer.shape)):
            grid = [0] * dims
            rest = i
            for d in range(dims - 1, 0, -1):
                grid[d] = rest % layer.shape[d]
                rest //= layer.shape[d]
            grid[0] = rest
            point = []
            for d in range(dims):
                step = extent[d] / layer.shape[d]
                if d == 1:  # rows from the top
                    point.append(lower_left[1] + extent[1] - step * (grid[1] + 0.5))
                else:
                    point.append(lower_left[d] + step * (grid[d] + 0.5))
            points.append(tuple(point))
        return Placed(tuple(points), lower_left, tuple(extent), layer.edge_wrap)
    if isinstance(layer.pos, parameters.Expression):
        if draw is None:
            raise ValueError("positions drawn from an expression need the engine")
        columns = [draw(layer.pos, d) for d in range(dims)]
        points = tuple(tuple(float(c[i]) for c in columns) for i in range(size))
    else:
        points = layer.pos
    lo = [min(p[d] for p in points) for d in range(dims)]
    hi = [max(p[d] for p in points) for d in range(dims)]
    center = [(a + b) / 2 for a, b in zip(lo, hi, strict=True)]
    if layer.extent is not None:
        extent = layer.extent
        for d in range(dims):
            if lo[d] < center[d] - extent[d] / 2 or hi[d] > center[d] + extent[d] / 2:
                raise ValueError(
                    f"a position lies outside the extent {list(extent)} (dimension {d}: "
                    f"positions from {lo[d]:g} to {hi[d]:g})"
                )
    else:
        if len(points) <= 1:
            raise ValueError("a free layer of one neuron needs an extent")
        extent = tuple(float(math.ceil(b - a)) for a, b in zip(lo, hi, strict=True))
        if any(e == 0 for e in extent):
            raise ValueError(
                "all positions lie on a line or a point: give the layer an extent"
            )
    lower_left = tuple(c - e / 2 for c, e in zip(center, extent, strict=True))
    return Placed(points, lower_left, tuple(extent), layer.edge_wrap)


# ------------------------------------------------------------------ checks

Add = Callable[[str, str], None]


def _number(value: Any) -> bool:
    """A finite JSON number (an integer too large for a float is not)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any float (JSON allows 1000 digits)
        return False


def _vector(add: Add, path: str, value: Any, dims: int | None, what: str) -> bool:
    if not isinstance(value, list) or not all(_number(v) for v in value):
        add(path, f"must be a list of numbers ({what}), got {value!r:.80}")
        return False
    if dims is not None and len(value) != dims:
        add(path, f"needs {dims} numbers (one per dimension), got {len(value)}")
        return False
    return True


def check_layer(add: Add, data: Any, path: str) -> Layer | None:
    """Check a node's ``"spatial"`` value; report problems through ``add(path, message)``;
    return its ``Layer`` when it is usable."""
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in LAYER_KINDS:
        add(path, 'must be {"grid": {...}} or {"free": {...}} (nest.spatial.grid / free), '
                  f"got {data!r:.80}")  # fmt: skip
        return None
    kind, body = next(iter(data.items()))
    here = f"{path}.{kind}"
    if not isinstance(body, dict):
        add(here, f"must be an object, got {body!r:.80}")
        return None
    allowed = GRID_KEYS if kind == "grid" else FREE_KEYS
    ok = True
    for key in body:
        if key not in allowed:
            add(f"{here}.{key}", f"unknown key of a {kind} layer; it takes {', '.join(allowed)}")
            ok = False
    if "edge_wrap" in body and not isinstance(body["edge_wrap"], bool):
        add(f"{here}.edge_wrap", f"must be true or false, got {body['edge_wrap']!r:.40}")
        ok = False
    dims = None
    if kind == "grid":
        shape = body.get("shape")
        if shape is None:
            add(here, 'a grid needs "shape": [columns, rows] or [columns, rows, depth]')
            return None
        if (
            not isinstance(shape, list)
            or len(shape) not in (2, 3)
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape)
        ):
            add(f"{here}.shape", f"must be 2 or 3 integers >= 1, got {shape!r:.80}")
            return None
        dims = len(shape)
        if math.prod(shape) > 2**31 - 1:
            add(f"{here}.shape", f"makes {math.prod(shape)} neurons, more than a node may have")
            ok = False
        if "center" in body:
            ok = _vector(add, f"{here}.center", body["center"], dims, "the centre") and ok
    else:
        pos = body.get("pos")
        if pos is None:
            add(here, 'a free layer needs "pos": a list of [x, y(, z)] or an expression')
            return None
        if isinstance(pos, str):
            nd = body.get("num_dimensions", 2)
            if nd not in (2, 3) or isinstance(nd, bool):
                add(f"{here}.num_dimensions", f"must be 2 or 3, got {nd!r:.40}")
                return None
            dims = nd
            try:
                parameters.parse(pos, where=parameters.NODE, spatial=False)
            except parameters.ExpressionError as exc:
                add(f"{here}.pos", f"{exc} of {pos!r:.80}")
                ok = False
        elif isinstance(pos, list) and pos:
            first = pos[0]
            if not isinstance(first, list) or len(first) not in (2, 3):
                add(f"{here}.pos[0]", f"must be [x, y] or [x, y, z], got {first!r:.80}")
                return None
            dims = len(first)
            for i, p in enumerate(pos):
                if not isinstance(p, list) or len(p) != dims or not all(map(_number, p)):
                    add(f"{here}.pos[{i}]", f"must be {dims} numbers like pos[0], got {p!r:.80}")
                    return None
            if "num_dimensions" in body and body["num_dimensions"] != dims:
                add(f"{here}.num_dimensions",
                    f"is {body['num_dimensions']!r:.20} but the positions have {dims}")  # fmt: skip
                ok = False
        else:
            add(f"{here}.pos", f"must be a non-empty list of positions or an expression, "
                               f"got {pos!r:.80}")  # fmt: skip
            return None
    if "extent" in body and _vector(add, f"{here}.extent", body["extent"], dims, "the size"):
        if not all(v > 0 for v in body["extent"]):
            add(f"{here}.extent", f"must be > 0 in every dimension, got {body['extent']}")
            ok = False
    elif "extent" in body:
        ok = False
    if not ok:
        return None
    layer = layer_from_json(data)
    if layer.kind == "free" and isinstance(layer.pos, tuple):
        try:
            place(layer, len(layer.pos))
        except ValueError as exc:
            add(f"{here}.pos", str(exc))
            return None
    return layer


def check_mask(add: Add, mask: Any, path: str, dims: int | None) -> bool:
    """Check a rule's ``mask`` (one mask kind and an optional ``anchor``) for layers of
    ``dims`` dimensions (None: unknown); report problems through ``add``."""
    kinds = [k for k in mask if k != "anchor"] if isinstance(mask, dict) else []
    if not isinstance(mask, dict) or len(kinds) != 1 or kinds[0] not in MASKS:
        known = ", ".join(MASKS)
        add(path, f"must be one mask {{kind: {{...}}}} (and an optional anchor); kinds: {known}; "
                  f"got {mask!r:.80}")  # fmt: skip
        return False
    kind = kinds[0]
    spec = MASKS[kind]
    here = f"{path}.{kind}"
    if dims is not None and spec["dims"] != dims:
        fits = ", ".join(k for k, s in MASKS.items() if s["dims"] == dims)
        add(path, f"a {kind} mask is {spec['dims']}D but the layers are {dims}D; "
                  f"{dims}D masks: {fits}")  # fmt: skip
        return False
    dims = spec["dims"]
    body = mask[kind]
    if not isinstance(body, dict):
        add(here, f"must be an object, got {body!r:.80}")
        return False
    ok = True
    for key in body:
        if key not in (*spec["required"], *spec["optional"]):
            takes = ", ".join((*spec["required"], *spec["optional"]))
            add(f"{here}.{key}", f"unknown key of a {kind} mask; it takes {takes}")
            ok = False
    for key in spec["required"]:
        if key not in body:
            add(here, f"a {kind} mask needs {key!r}")
            ok = False
    for key, value in body.items():
        if key in VECTOR_KEYS:
            ok = _vector(add, f"{here}.{key}", value, dims, "a corner") and ok
        elif not _number(value):
            add(f"{here}.{key}", f"must be a number, got {value!r:.40}")
            ok = False
    if "anchor" in mask:
        ok = _vector(add, f"{path}.anchor", mask["anchor"], dims, "the anchor") and ok
    if not ok:
        return False
    for key in ("radius", "outer_radius", "major_axis", "minor_axis", "polar_axis"):
        if key in body and not body[key] > 0:
            add(f"{here}.{key}", f"must be > 0, got {body[key]}")
            ok = False
    if "inner_radius" in body and not 0 <= body["inner_radius"] < body.get("outer_radius", 0):
        add(f"{here}.inner_radius",
            f"must be >= 0 and < outer_radius, got {body['inner_radius']}")  # fmt: skip
        ok = False
    if "major_axis" in body and "minor_axis" in body and body["major_axis"] < body["minor_axis"]:
        add(f"{here}.major_axis", "must be >= minor_axis (NEST's convention)")
        ok = False
    if "lower_left" in body and "upper_right" in body:
        if not all(a < b for a, b in zip(body["lower_left"], body["upper_right"], strict=True)):
            add(f"{here}.upper_right", "must be above and to the right of lower_left "
                                       "in every dimension")  # fmt: skip
            ok = False
    return ok
