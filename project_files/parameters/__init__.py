"""NEST's parameter algebra as a small language of our own (PyNEST's syntax without ``nest.``).

    >>> e = parse("1.0 + 5.0 * spatial.distance", where=CONNECTION, spatial=True)
    >>> text(e), pynest_code(e)
    ('1.0 + 5.0 * spatial.distance', 'nest.math... ')  # doctest: +SKIP

``parse`` checks the text against the one function registry (``registry.py``) and the place it
is used (a node parameter, a connection's weight/delay/p; spatial or not), raising
``ExpressionError`` with the column of the first problem. The tree it returns gives the
canonical text, the PyNEST code, the engine's program (``program``), a NEST object
(``to_nest``) and an interval of its values (``interval``). Today's random objects map onto
the same tree (``from_random``), so the engine has one evaluator for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import grammar, registry, tree
from .grammar import ExpressionError
from .registry import ATTRIBUTES, FUNCTIONS, PAIR, POSITION, RANDOM
from .tree import (
    Call,
    Const,
    Expr,
    Interval,
    interval,
    is_random,
    needs,
    program,
    text,
    to_nest,
)
from .tree import build as _build

NODE = "node"  # a node parameter, evaluated per neuron
CONNECTION = "connection"  # weight, delay, p: evaluated per synapse or candidate pair

__all__ = [
    "CONNECTION",
    "NODE",
    "PAIR",
    "POSITION",
    "RANDOM",
    "ATTRIBUTES",
    "FUNCTIONS",
    "Expr",
    "Expression",
    "ExpressionError",
    "Interval",
    "from_random",
    "interval",
    "is_expression",
    "check",
    "is_random",
    "needs",
    "parse",
    "program",
    "pynest_code",
    "reference",
    "registry",
    "text",
    "to_nest",
]


@dataclass(frozen=True)
class Expression:
    """A parameter value written in the language, as the project holds it (the JSON form is
    the text itself; ``io`` makes one from a string where a float parameter is expected)."""

    text: str

    def tree(self, where: str | None = None, spatial: bool = False) -> Expr:
        return parse(self.text, where=where, spatial=spatial)

    def __str__(self) -> str:
        return self.text


def parse(source: str, *, where: str | None = None, spatial: bool = False) -> Expr:
    """The tree of ``source``. ``where`` (NODE or CONNECTION) checks that the names used fit
    the place: positions need ``spatial`` (the node, or both ends of the connection, are
    spatial), distances and source/target positions apply to connections only."""
    syntax = grammar.parse_syntax(source)
    if where is not None:
        _check_place(syntax, where, spatial)
    return _build(syntax)


def _check_place(node: Any, where: str, spatial: bool) -> None:
    if isinstance(node, grammar.Name):
        path = node.path[5:] if node.path.startswith("nest.") else node.path
        attr = ATTRIBUTES.get(path)
        if attr is None:
            return  # the meaning pass names it
        if where == NODE and PAIR in attr.needs:
            raise ExpressionError(
                f"{path} applies to connections (weight, delay, p), not to node parameters",
                node.column,
            )
        if where == CONNECTION and POSITION in attr.needs:
            axis = path.rsplit(".", 1)[1]
            raise ExpressionError(
                f"{path} is a node's own position; in a connection use "
                f"spatial.source_pos.{axis} or spatial.target_pos.{axis}",
                node.column,
            )
        if not spatial:
            what = "the node" if where == NODE else "both nodes of the connection"
            raise ExpressionError(
                f"{path} needs positions: give {what} a spatial layer", node.column
            )
        return
    for child in _children(node):
        _check_place(child, where, spatial)


def _children(node: Any) -> list:
    if isinstance(node, grammar.Call):
        return [*node.args, *(value for _, value, _ in node.kwargs)]
    if isinstance(node, grammar.Unary):
        return [node.operand]
    if isinstance(node, grammar.Binary):
        return [node.left, node.right]
    return []


def pynest_code(expr: Expr) -> str:
    """PyNEST source building the same parameter (``nest.``-prefixed names)."""
    return text(expr, "nest.")


def is_expression(value: object) -> bool:
    """A parameter value that is an expression (``Expression``, as ``io`` reads one)."""
    return isinstance(value, Expression)


def source_of(value: Any) -> str:
    return value.text if isinstance(value, Expression) else str(value)


def from_random(value: Any) -> Expr:
    """Today's random object as a tree: a ``RandomParameter`` or its JSON form
    ``{"random": "normal", "mean": .., "std": .., "low": .., "high": .., "bound": ..}``.
    Bounds: clip is ``math.min(math.max(x, low), high)``, redraw is
    ``math.redraw(x, min=low, max=high)`` (a missing bound is infinite)."""
    if isinstance(value, Mapping):
        dist = value["random"]
        args = {k: v for k, v in value.items() if k not in ("random", "low", "high", "bound")}
        low, high, bound = value.get("low"), value.get("high"), value.get("bound", "clip")
    else:
        dist, args = value.distribution, dict(value.args)
        low, high, bound = value.low, value.high, value.bound
    fn = registry.RANDOM_OBJECTS[dist]
    x: Expr = Call(
        fn,
        tuple(float(args.get(a.name, a.default)) for a in fn.args),
    )
    if low is None and high is None:
        return x
    inf = float("inf")
    lo = -inf if low is None else float(low)
    hi = inf if high is None else float(high)
    if bound == "redraw":
        return Call(FUNCTIONS["math.redraw"], (x, lo, hi))
    if low is not None:
        x = Call(FUNCTIONS["math.max"], (x, lo))
    if high is not None:
        x = Call(FUNCTIONS["math.min"], (x, hi))
    return x


def check(source: str, *, where: str | None = None, spatial: bool = False) -> tuple[int, str]:
    """For an editor validating as the user types: ``(0, "")`` when ``source`` is a valid
    expression for the place, else the 1-based column and the message of its first problem."""
    try:
        parse(source, where=where, spatial=spatial)
    except ExpressionError as exc:
        return exc.column, exc.message
    return 0, ""


def reference() -> list[dict]:
    """Every function and name with its signature and a line of documentation (completion and
    help in the inspector), from the registry."""
    out = []
    for fn in FUNCTIONS.values():
        args = []
        for a in fn.args:
            if a.default is registry.REQUIRED or a.kind == "parameter":
                args.append(a.name)
            else:
                args.append(f"{a.name}={tree.number_text(float(a.default))}")
        out.append({"name": fn.name, "signature": f"{fn.name}({', '.join(args)})", "doc": fn.doc})
    for attr in ATTRIBUTES.values():
        out.append({"name": attr.name, "signature": attr.name, "doc": attr.doc})
    return sorted(out, key=lambda item: item["name"])


def constant(expr: Expr) -> float | None:
    """The expression's value when it is a plain number, else None."""
    return expr.value if isinstance(expr, Const) else None
