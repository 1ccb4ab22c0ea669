"""The meaning of an expression: a tree of parameters checked against the registry.

``build`` turns a syntax tree into ``Expr`` nodes (folding plain numbers as Python would, so
``2 * 3`` is 6.0 and ``math.exp(0)`` is 1.0); from one tree come the canonical text, the
PyNEST code, the engine's program (with NEST's own rewrites, e.g. ``3 - p`` is
``p * (-1) + 3``, so the engine draws in NEST's order), a NEST Parameter object (given the
``nest`` module), and the interval the values lie in (for validation).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

from . import grammar
from .grammar import ExpressionError
from .registry import (
    ATTRIBUTES,
    COMPARATORS,
    FUNCTIONS,
    RANDOM,
    REFLECTED,
    REQUIRED,
    Attribute,
    Function,
    suggest,
)


@dataclass(frozen=True)
class Const:
    value: float


@dataclass(frozen=True)
class Name:
    attribute: Attribute


@dataclass(frozen=True)
class Call:
    function: Function
    args: tuple  # in the function's order: Expr for parameters, float for numbers


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / and comparisons
    left: Any
    right: Any


@dataclass(frozen=True)
class Neg:
    operand: Any


@dataclass(frozen=True)
class Pow:
    base: Any
    exponent: float


Expr = Const | Name | Call | Binary | Neg | Pow

_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}


# ------------------------------------------------------------------------------ meaning


def build(node) -> Expr:
    """An ``Expr`` from a syntax tree (``grammar.parse_syntax``)."""
    if isinstance(node, grammar.Number):
        return Const(node.value)
    if isinstance(node, grammar.Name):
        path = _strip(node.path)
        if path in ATTRIBUTES:
            return Name(ATTRIBUTES[path])
        if path in FUNCTIONS:
            raise ExpressionError(f"{path} is a function: call it, {path}(...)", node.column)
        raise ExpressionError(f"unknown name {path}{suggest(path)}", node.column)
    if isinstance(node, grammar.Unary):
        operand = build(node.operand)
        if node.op == "+":
            return operand
        return Const(-operand.value) if isinstance(operand, Const) else Neg(operand)
    if isinstance(node, grammar.Binary):
        left, right = build(node.left), build(node.right)
        if node.op == "**":
            if not isinstance(right, Const):
                raise ExpressionError("the exponent of ** must be a number", node.column)
            if isinstance(left, Const):
                return Const(_fold(operator.pow, left.value, right.value, node.column))
            return Pow(left, right.value)
        if isinstance(left, Const) and isinstance(right, Const):
            if node.op in _COMPARE:
                return Const(float(_COMPARE[node.op](left.value, right.value)))
            return Const(_fold(_ARITH[node.op], left.value, right.value, node.column))
        return Binary(node.op, left, right)
    if isinstance(node, grammar.Call):
        return _call(node)
    raise TypeError(node)


def _strip(path: str) -> str:
    return path[len("nest.") :] if path.startswith("nest.") else path


def _fold(fn, a: float, b: float, column: int) -> float:
    try:
        out = fn(a, b)
    except ZeroDivisionError:
        raise ExpressionError("division by zero", column) from None
    except (OverflowError, ValueError):
        raise ExpressionError("the result is not a real number", column) from None
    if isinstance(out, complex):
        raise ExpressionError("the result is not a real number", column)
    return float(out)


def _call(node: grammar.Call) -> Expr:
    path = _strip(node.function.path)
    fn = FUNCTIONS.get(path)
    if fn is None:
        if path in ATTRIBUTES:
            raise ExpressionError(
                f"{path} is not a function (write it without '(...)')", node.column
            )
        raise ExpressionError(f"unknown function {path}{suggest(path)}", node.column)
    given: dict[str, tuple[object, int]] = {}
    if len(node.args) > len(fn.args):
        extra = node.args[len(fn.args)]
        raise ExpressionError(
            f"{path} takes {len(fn.args)} argument{'s' if len(fn.args) != 1 else ''}",
            _column(extra),
        )
    for arg, value in zip(fn.args, node.args, strict=False):
        given[arg.name] = (value, _column(value))
    known = {a.name for a in fn.args}
    for key, value, column in node.kwargs:
        if key not in known:
            raise ExpressionError(
                f"{path} has no argument {key!r} (it takes {', '.join(a.name for a in fn.args)})",
                column,
            )
        if key in given:
            raise ExpressionError(f"argument {key!r} of {path} given twice", column)
        given[key] = (value, _column(value) or column)
    args: list = []
    numbers: dict[str, float] = {}
    for arg in fn.args:
        if arg.name not in given:
            if arg.default is REQUIRED:
                raise ExpressionError(f"{path} needs the argument {arg.name!r}", node.column)
            value: object = float(arg.default)
            args.append(Const(value) if arg.kind == "parameter" else value)
            numbers[arg.name] = float(value)
            continue
        syntax, column = given[arg.name]
        expr = build(syntax)
        if arg.kind == "parameter":
            args.append(expr)
            continue
        if not isinstance(expr, Const):
            raise ExpressionError(f"{arg.name} of {path} must be a number", column)
        value = expr.value
        if not math.isfinite(value):
            raise ExpressionError(f"{arg.name} of {path} must be finite", column)
        if arg.kind == "integer" and value != int(value):
            raise ExpressionError(f"{arg.name} of {path} must be a whole number", column)
        if arg.check is not None and not arg.check(value):
            raise ExpressionError(
                f"{arg.name} of {path} must be {arg.rule}, got {_num(value)}", column
            )
        args.append(value)
        numbers[arg.name] = value
    if fn.check is not None:
        why = fn.check(numbers)
        if why:
            raise ExpressionError(f"{path}: {why}", node.column)
    call = Call(fn, tuple(args))
    return _fold_call(call, node.column)


def _fold_call(call: Call, column: int) -> Expr:
    """math.* of plain numbers are numbers (Python would compute them before NEST sees them)."""
    fn, args = call.function, call.args
    params = [a for a, spec in zip(args, fn.args, strict=True) if spec.kind == "parameter"]
    if not params or not all(isinstance(p, Const) for p in params):
        return call
    x = params[0].value
    try:
        if fn.op == "exp":
            return Const(math.exp(x))
        if fn.op == "sin":
            return Const(math.sin(x))
        if fn.op == "cos":
            return Const(math.cos(x))
        if fn.op == "min":
            return Const(min(x, args[1]))
        if fn.op == "max":
            return Const(max(x, args[1]))
        if fn.op == "redraw":
            if not args[1] <= x <= args[2]:
                raise ExpressionError("math.redraw of a number outside [min, max]", column)
            return Const(x)
        if fn.op == "cond":
            return args[1] if x != 0 else args[2]
    except OverflowError:
        raise ExpressionError("the result is too large", column) from None
    return call


def _column(node) -> int:
    return getattr(node, "column", 0)


def _num(v: float) -> str:
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


# ------------------------------------------------------------------------------ properties


def needs(expr: Expr) -> frozenset:
    """What the expression needs from where it is evaluated (registry.RANDOM, POSITION, PAIR)."""
    if isinstance(expr, Const):
        return frozenset()
    if isinstance(expr, Name):
        return expr.attribute.needs
    if isinstance(expr, Call):
        out = set(expr.function.needs)
        for a in expr.args:
            if not isinstance(a, float):
                out |= needs(a)
        return frozenset(out)
    if isinstance(expr, Binary):
        return needs(expr.left) | needs(expr.right)
    if isinstance(expr, Neg):
        return needs(expr.operand)
    return needs(expr.base)


def is_random(expr: Expr) -> bool:
    return RANDOM in needs(expr)


# ------------------------------------------------------------------------------ text

_PREC = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 3, "neg": 4, "**": 5, "atom": 6}


def _prec(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return _PREC["cmp"] if expr.op in COMPARATORS else _PREC[expr.op]
    if isinstance(expr, Neg):
        return _PREC["neg"]
    if isinstance(expr, Pow):
        return _PREC["**"]
    if isinstance(expr, Const) and (expr.value < 0 or math.copysign(1, expr.value) < 0):
        return _PREC["neg"]
    return _PREC["atom"]


def number_text(v: float) -> str:
    if math.isinf(v):
        return 'float("inf")' if v > 0 else '-float("inf")'
    return repr(float(v))


def text(expr: Expr, prefix: str = "") -> str:
    """Canonical source of the expression; ``prefix="nest."`` gives PyNEST code."""

    def wrap(e: Expr, need: int) -> str:
        s = text(e, prefix)
        return f"({s})" if _prec(e) < need else s

    if isinstance(expr, Const):
        return number_text(expr.value)
    if isinstance(expr, Name):
        return prefix + expr.attribute.name
    if isinstance(expr, Call):
        fn = expr.function
        parts = []
        for spec, a in zip(fn.args, expr.args, strict=True):
            if spec.kind == "parameter":
                value = text(a, prefix)
            elif spec.kind == "integer":
                value = str(int(a))
            else:
                value = number_text(a)
            # parameters positionally (NEST's signatures name them x, y, condition, ...)
            parts.append(value if spec.kind == "parameter" else f"{spec.name}={value}")
        return f"{prefix}{fn.name}({', '.join(parts)})"
    if isinstance(expr, Binary):
        p = _prec(expr)
        return f"{wrap(expr.left, p)} {expr.op} {wrap(expr.right, p + 1)}"
    if isinstance(expr, Neg):
        return f"-{wrap(expr.operand, _PREC['neg'])}"
    if isinstance(expr, Pow):
        return f"{wrap(expr.base, _PREC['atom'])} ** {number_text(expr.exponent)}"
    raise TypeError(expr)


# ------------------------------------------------------------------------------ engine


def _const(v: float) -> list:
    return ["const", [float(v)]]


def program(expr: Expr) -> list:
    """The engine's nested form ``[op, [numbers], *children]``, built the way PyNEST builds its
    Parameter objects from the same source (reflected operators of a number and a
    parameter), so the engine evaluates, and draws, in NEST's order."""
    if isinstance(expr, Const):
        return _const(expr.value)
    if isinstance(expr, Name):
        return [expr.attribute.op, [float(v) for v in expr.attribute.numbers]]
    if isinstance(expr, Call):
        fn = expr.function
        pairs = list(zip(expr.args, fn.args, strict=True))
        numbers = [float(a) for a, s in pairs if s.kind != "parameter"]
        children = [program(a) for a, s in pairs if s.kind == "parameter"]
        return [fn.op, numbers, *children]
    if isinstance(expr, Neg):
        return ["mul", [], program(expr.operand), _const(-1.0)]
    if isinstance(expr, Pow):
        return ["pow", [float(expr.exponent)], program(expr.base)]
    op, left, right = expr.op, expr.left, expr.right
    if op in COMPARATORS:
        if isinstance(left, Const):  # 3 < p is p > 3
            return ["cmp", [float(COMPARATORS[REFLECTED[op]])], program(right), program(left)]
        return ["cmp", [float(COMPARATORS[op])], program(left), program(right)]
    if isinstance(left, Const):
        if op == "+":  # Parameter.__radd__: p + n
            return ["add", [], program(right), program(left)]
        if op == "*":
            return ["mul", [], program(right), program(left)]
        if op == "-":  # __rsub__: p * (-1) + n
            return ["add", [], ["mul", [], program(right), _const(-1.0)], program(left)]
        # __rtruediv__: p ** -1 * n
        return ["mul", [], ["pow", [-1.0], program(right)], program(left)]
    name = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[op]
    return [name, [], program(left), program(right)]


# ------------------------------------------------------------------------------ NEST


def to_nest(expr: Expr, nest: Any) -> Any:
    """A NEST Parameter (or a float) built with the ``nest`` module's own functions and
    operators, for the NEST backend and the reference tools."""
    if isinstance(expr, Const):
        return float(expr.value)
    if isinstance(expr, Name):
        obj = nest
        for part in expr.attribute.name.split("."):
            obj = getattr(obj, part)
        return obj
    if isinstance(expr, Call):
        fn = expr.function
        obj = nest
        for part in fn.name.split("."):
            obj = getattr(obj, part)
        positional = []
        keywords = {}
        for spec, a in zip(fn.args, expr.args, strict=True):
            if spec.kind == "parameter":
                positional.append(to_nest(a, nest))
            else:
                keywords[spec.name] = int(a) if spec.kind == "integer" else float(a)
        return obj(*positional, **keywords)
    if isinstance(expr, Neg):
        return -to_nest(expr.operand, nest)
    if isinstance(expr, Pow):
        return to_nest(expr.base, nest) ** float(expr.exponent)
    fn = _COMPARE.get(expr.op) or _ARITH[expr.op]
    return fn(to_nest(expr.left, nest), to_nest(expr.right, nest))


# ------------------------------------------------------------------------------ intervals


@dataclass(frozen=True)
class Interval:
    """Where the values lie: [lo, hi], with an open end where the end is never reached."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False

    def satisfies(self, op: str, limit: float) -> bool:
        if op == ">":
            return self.lo > limit or (self.lo == limit and self.lo_open)
        if op == ">=":
            return self.lo >= limit
        if op == "<":
            return self.hi < limit or (self.hi == limit and self.hi_open)
        if op == "<=":
            return self.hi <= limit
        return True


_ANY = Interval()


def interval(expr: Expr) -> Interval:
    """A conservative interval of the expression's values (never too narrow)."""
    if isinstance(expr, Const):
        return Interval(expr.value, expr.value)
    if isinstance(expr, Name):
        return Interval(0.0, math.inf) if expr.attribute.op == "distance" else _ANY
    if isinstance(expr, Neg):
        i = interval(expr.operand)
        return Interval(-i.hi, -i.lo, i.hi_open, i.lo_open)
    if isinstance(expr, Pow):
        i, e = interval(expr.base), expr.exponent
        if i.lo >= 0 and e > 0:
            return Interval(i.lo**e, i.hi**e if math.isfinite(i.hi) else math.inf)
        if i.lo > 0 and e < 0:
            hi = i.lo**e
            return Interval(i.hi**e if math.isfinite(i.hi) else 0.0, hi, not math.isfinite(i.hi))
        return _ANY
    if isinstance(expr, Binary):
        if expr.op in COMPARATORS:
            return Interval(0.0, 1.0)
        a, b = interval(expr.left), interval(expr.right)
        return _arith(expr.op, a, b)
    return _call_interval(expr)


def _arith(op: str, a: Interval, b: Interval) -> Interval:
    if op == "+":
        return Interval(a.lo + b.lo, a.hi + b.hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)
    if op == "-":
        return Interval(a.lo - b.hi, a.hi - b.lo, a.lo_open or b.hi_open, a.hi_open or b.lo_open)
    if op == "*":
        if a.lo >= 0 and b.lo >= 0:
            return Interval(
                a.lo * b.lo,
                _mul(a.hi, b.hi),
                (a.lo_open and b.lo > 0) or (b.lo_open and a.lo > 0) or (a.lo_open and b.lo_open),
            )
        products = [_mul(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        if any(math.isnan(p) for p in products):
            return _ANY
        return Interval(min(products), max(products))
    if b.lo > 0 and a.lo >= 0:  # "/"
        return Interval(a.lo / b.hi if math.isfinite(b.hi) else 0.0, a.hi / b.lo)
    return _ANY


def _mul(x: float, y: float) -> float:
    if (x == 0 and math.isinf(y)) or (y == 0 and math.isinf(x)):
        return 0.0
    return x * y


def _call_interval(expr: Call) -> Interval:
    op, a = expr.function.op, expr.args
    if op == "uniform":
        return Interval(a[0], a[1], False, a[0] < a[1])
    if op == "uniform_int":
        return Interval(0.0, a[0] - 1)
    if op == "normal":
        return Interval(a[0], a[0]) if a[1] == 0 else _ANY
    if op == "lognormal":
        return Interval(0.0, math.inf, True)
    if op == "exponential":
        return Interval(0.0, math.inf)
    if op in ("exp_dist", "gaussian", "gaussian2d"):
        return Interval(0.0, 1.0)
    if op == "gabor":
        return Interval(0.0, 1.0)
    if op == "gamma":
        return Interval(0.0, math.inf)
    if op == "exp":
        i = interval(a[0])
        hi = math.exp(i.hi) if i.hi < 700 else math.inf
        return Interval(math.exp(i.lo) if i.lo > -700 else 0.0, hi, True)
    if op in ("sin", "cos"):
        return Interval(-1.0, 1.0)
    if op == "min":
        i = interval(a[0])
        return Interval(min(i.lo, a[1]), min(i.hi, a[1]), i.lo_open and i.lo < a[1])
    if op == "max":
        i = interval(a[0])
        return Interval(max(i.lo, a[1]), max(i.hi, a[1]), False, i.hi_open and i.hi > a[1])
    if op == "redraw":
        i = interval(a[0])
        return Interval(max(i.lo, a[1]), min(i.hi, a[2]))
    if op == "cond":
        t, f = interval(a[1]), interval(a[2])
        return Interval(min(t.lo, f.lo), max(t.hi, f.hi))
    return _ANY
