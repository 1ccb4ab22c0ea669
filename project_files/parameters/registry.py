"""The one registry of the parameter language's functions and names (NEST's, without ``nest.``).

Each entry says what its arguments are (a parameter, or a plain number), their defaults and
checks, what it needs from where it is evaluated (nothing, a node's position, a connection's
two positions), the engine's operation and a line of documentation. The meaning pass
(``tree.py``), validation, the engine lowering, the PyNEST export, the NEST backend and the
inspector all read it; nothing else lists these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

# What an expression needs from where it is evaluated.
RANDOM = "random"  # draws random numbers
POSITION = "position"  # the node's own position (node parameters of a spatial node)
PAIR = "pair"  # the source's and the target's positions (connections between spatial nodes)

REQUIRED = object()  # an argument without a default


@dataclass(frozen=True)
class Arg:
    name: str
    kind: str  # "parameter" (any expression) or "number" or "integer" (a plain value)
    default: object = REQUIRED
    check: Callable[[float], bool] | None = None
    rule: str = ""  # the check in words, for messages: "> 0"


@dataclass(frozen=True)
class Function:
    name: str  # "random.normal"
    op: str  # the engine's operation
    args: tuple[Arg, ...]
    needs: frozenset = frozenset()
    doc: str = ""
    check: Callable[[dict], str] | None = None  # checks across arguments: a message or ""


@dataclass(frozen=True)
class Attribute:
    """A name that is a parameter by itself: ``spatial.distance``, ``spatial.source_pos.x``."""

    name: str
    op: str
    numbers: tuple[float, ...]
    needs: frozenset
    doc: str


def _positive(v: float) -> bool:
    return v > 0


def _nonnegative(v: float) -> bool:
    return v >= 0


def _min_le_max(args: dict) -> str:
    return "" if args["min"] <= args["max"] else "min must be <= max"


def _rho(args: dict) -> str:
    return "" if -1 < args["rho"] < 1 else "rho must be in (-1, 1)"


_P = "parameter"
_N = "number"
_R = frozenset({RANDOM})

FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function(
            "random.uniform",
            "uniform",
            (Arg("min", _N, 0.0), Arg("max", _N, 1.0)),
            _R,
            "a uniform draw in [min, max)",
            _min_le_max,
        ),
        Function(
            "random.uniform_int",
            "uniform_int",
            (Arg("max", "integer", REQUIRED, lambda v: v >= 1, ">= 1"),),
            _R,
            "a uniform integer in 0 .. max-1",
        ),
        Function(
            "random.normal",
            "normal",
            (Arg("mean", _N, 0.0), Arg("std", _N, 1.0, _nonnegative, ">= 0")),
            _R,
            "a normal draw",
        ),
        Function(
            "random.lognormal",
            "lognormal",
            (Arg("mean", _N, 0.0), Arg("std", _N, 1.0, _nonnegative, ">= 0")),
            _R,
            "exp of a normal draw with this mean and std",
        ),
        Function(
            "random.exponential",
            "exponential",
            (Arg("beta", _N, 1.0, _positive, "> 0"),),
            _R,
            "an exponential draw with scale beta",
        ),
        Function(
            "spatial_distributions.exponential",
            "exp_dist",
            (Arg("x", _P), Arg("beta", _N, 1.0, _positive, "> 0")),
            doc="exp(-x / beta)",
        ),
        Function(
            "spatial_distributions.gaussian",
            "gaussian",
            (Arg("x", _P), Arg("mean", _N, 0.0), Arg("std", _N, 1.0, _positive, "> 0")),
            doc="exp(-(x - mean)**2 / (2 std**2))",
        ),
        Function(
            "spatial_distributions.gaussian2D",
            "gaussian2d",
            (
                Arg("x", _P),
                Arg("y", _P),
                Arg("mean_x", _N, 0.0),
                Arg("mean_y", _N, 0.0),
                Arg("std_x", _N, 1.0, _positive, "> 0"),
                Arg("std_y", _N, 1.0, _positive, "> 0"),
                Arg("rho", _N, 0.0),
            ),
            doc="a bivariate Gaussian of x and y with correlation rho (peak 1)",
            check=_rho,
        ),
        Function(
            "spatial_distributions.gamma",
            "gamma",
            (
                Arg("x", _P),
                Arg("kappa", _N, 1.0, _positive, "> 0"),
                Arg("theta", _N, 1.0, _positive, "> 0"),
            ),
            doc="x**(kappa-1) exp(-x/theta) / (theta**kappa Gamma(kappa))",
        ),
        Function(
            "spatial_distributions.gabor",
            "gabor",
            (
                Arg("x", _P),
                Arg("y", _P),
                Arg("theta", _N, 0.0),
                Arg("gamma", _N, 1.0, _positive, "> 0"),
                Arg("std", _N, 1.0, _positive, "> 0"),
                Arg("lam", _N, 1.0),
                Arg("psi", _N, 0.0),
            ),
            doc="a Gabor function of x and y (theta, psi in degrees)",
        ),
        Function("math.exp", "exp", (Arg("x", _P),), doc="e to the power x"),
        Function("math.sin", "sin", (Arg("x", _P),), doc="sine (radians)"),
        Function("math.cos", "cos", (Arg("x", _P),), doc="cosine (radians)"),
        Function(
            "math.min",
            "min",
            (Arg("x", _P), Arg("value", _N)),
            doc="the smaller of x and value (clips from above)",
        ),
        Function(
            "math.max",
            "max",
            (Arg("x", _P), Arg("value", _N)),
            doc="the larger of x and value (clips from below)",
        ),
        Function(
            "math.redraw",
            "redraw",
            (Arg("x", _P), Arg("min", _N), Arg("max", _N)),
            doc="x drawn again until it lies in [min, max] (at most 1000 times)",
            check=_min_le_max,
        ),
        Function(
            "logic.conditional",
            "cond",
            (Arg("condition", _P), Arg("if_true", _P), Arg("if_false", _P)),
            doc="if_true where condition holds (is not 0), else if_false",
        ),
    )
}

_AXES = ("x", "y", "z")
_PAIR = frozenset({PAIR})
_POS = frozenset({POSITION})


def _attributes() -> dict[str, Attribute]:
    out = [Attribute("spatial.distance", "distance", (0.0,), _PAIR, "distance source-target")]
    for i, axis in enumerate(_AXES):
        doc = f"|displacement along {axis}| source-target"
        out.append(Attribute(f"spatial.distance.{axis}", "distance", (i + 1.0,), _PAIR, doc))
        out.append(
            Attribute(f"spatial.dimension_distance.{axis}", "distance", (i + 1.0,), _PAIR, doc)
        )
        out.append(Attribute(f"spatial.pos.{axis}", "pos", (float(i), 0.0), _POS, f"node {axis}"))
        out.append(
            Attribute(
                f"spatial.source_pos.{axis}", "pos", (float(i), 1.0), _PAIR, f"source's {axis}"
            )
        )
        out.append(
            Attribute(
                f"spatial.target_pos.{axis}", "pos", (float(i), 2.0), _PAIR, f"target's {axis}"
            )
        )
    return {a.name: a for a in out}


ATTRIBUTES: dict[str, Attribute] = _attributes()

# NEST's comparator numbers (ComparingParameter) and their reflections.
COMPARATORS = {"<": 0, "<=": 1, "==": 2, "!=": 3, ">=": 4, ">": 5}
REFLECTED = {"<": ">", "<=": ">=", "==": "==", "!=": "!=", ">=": "<=", ">": "<"}

# The distributions of today's random objects ({"random": "normal", "mean": ..}) by name.
RANDOM_OBJECTS: dict[str, Function] = {
    name.split(".", 1)[1]: f for name, f in FUNCTIONS.items() if name.startswith("random.")
}


# Today's random objects' arguments and defaults, by distribution: the one table validation,
# the NEST translation, the NEST Desktop import and the app's random-value widget read.
RANDOM_OBJECT_ARGS: dict[str, tuple[str, ...]] = {
    name: tuple(a.name for a in f.args)
    for name, f in RANDOM_OBJECTS.items()
    if all(a.default is not REQUIRED for a in f.args)  # uniform_int has no random object
}
RANDOM_OBJECT_DEFAULTS: dict[str, tuple[tuple[str, float], ...]] = {
    name: tuple((a.name, float(a.default)) for a in RANDOM_OBJECTS[name].args)
    for name in RANDOM_OBJECT_ARGS
}


def names() -> list[str]:
    """Every function and name of the language (for completion and messages)."""
    return sorted([*FUNCTIONS, *ATTRIBUTES])


def suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, names(), n=1)
    return f"; did you mean {close[0]}?" if close else ""


INF = math.inf
