"""The parameter language: grammar, registry, canonical text, PyNEST code, engine programs."""

from __future__ import annotations

import math

import pytest
from spikedesk.project_files import parameters
from spikedesk.project_files.parameters import CONNECTION, NODE, ExpressionError, parse
from spikedesk.project_files.project import RandomParameter, frozen_map


def err(source: str, **kw) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(source, **kw)
    return info.value


@pytest.mark.parametrize(
    "source",
    [
        "1.0 + 5.0 * spatial.distance",
        "math.redraw(random.normal(mean=2.0, std=1.0), min=0.5, max=4.0)",
        "0.8 * spatial_distributions.gaussian(spatial.distance, std=0.15)",
        "logic.conditional(spatial.target_pos.x > 0.0, 2.0, 0.5)",
        "spatial_distributions.gaussian2D(spatial.distance.x, spatial.distance.y, std_x=0.2, "
        "std_y=0.3, rho=0.1)",
        "spatial_distributions.exponential(spatial.distance, beta=0.3)",
        "spatial_distributions.gamma(spatial.distance, kappa=2.0, theta=0.1)",
        "math.exp(-spatial.distance / 0.2) + math.sin(spatial.source_pos.y) ** 2.0",
        "random.uniform_int(max=5) + random.lognormal(mean=0.0, std=0.5)",
        "math.min(math.max(random.exponential(beta=2.0), 0.1), 8.0)",
        "(random.uniform(min=-1.0, max=1.0) - 2.0) * spatial.dimension_distance.z",
    ],
)
def test_issue_examples_parse_and_print_back(source):
    expr = parse(source)
    again = parse(parameters.text(expr))
    assert again == expr
    assert parameters.pynest_code(expr).count("nest.") >= 1


def test_pynest_code_prefixes_every_name():
    expr = parse("math.redraw(random.normal(mean=2.0, std=1.0), min=0.5, max=4.0)")
    assert parameters.pynest_code(expr) == (
        "nest.math.redraw(nest.random.normal(mean=2.0, std=1.0), min=0.5, max=4.0)"
    )
    assert parameters.text(parse("nest.spatial.distance * 2")) == "spatial.distance * 2.0"


def test_python_precedence_and_folding():
    assert parameters.constant(parse("2 + 3 * 4 ** 2")) == 50.0
    assert parameters.constant(parse("-2 ** 2")) == -4.0  # ** binds tighter than unary minus
    assert parameters.constant(parse("2 ** -1")) == 0.5
    assert parameters.constant(parse("math.exp(0) + math.max(1, 3)")) == 4.0
    assert parameters.constant(parse("(1 + 2) * 3")) == 9.0
    assert parameters.constant(parse("logic.conditional(1 < 2, 5, 6)")) == 5.0
    assert parameters.constant(parse(".5e1")) == 5.0


@pytest.mark.parametrize(
    ("source", "column", "words"),
    [
        ("1.0 + * 2", 7, "expected a number"),
        ("random.normall(mean=1.0)", 1, "did you mean random.normal"),
        ("random.normal(mean=1.0, sd=2.0)", 25, "no argument 'sd'"),
        ("random.normal(std=-1.0)", 19, "std of random.normal must be >= 0"),
        ("random.uniform(min=2, max=1)", 1, "min must be <= max"),
        ("2 ** spatial.distance", 3, "exponent of ** must be a number"),
        ("1 < spatial.distance < 2", 22, "cannot be chained"),
        ("math.min(spatial.distance, random.uniform())", 28, "value of math.min must be a number"),
        ("spatial.distance(1)", 1, "not a function"),
        ("random.normal", 1, "is a function"),
        ("1 / 0", 3, "division by zero"),
        ("(1 + 2", 7, "expected ')'"),
        ("1 $ 2", 3, "unexpected character '$'"),
        ("", 1, "is empty"),
        ("random.uniform_int(max=2.5)", 24, "whole number"),
        ("math.redraw(random.normal())", 1, "needs the argument 'min'"),
        ("random.normal(1.0, 2.0, 3.0)", 25, "takes 2 arguments"),
        ("random.normal(mean=1, mean=2)", 23, "given twice"),
    ],
)
def test_errors_name_the_column(source, column, words):
    e = err(source)
    assert e.column == column, str(e)
    assert words in e.message
    assert str(e).startswith(f"column {column}: ")


def test_never_evaluates_python():
    for hostile in ("__import__('os')", "open('x')", "().__class__", "lambda: 1", "[1, 2]"):
        with pytest.raises(ExpressionError):
            parse(hostile)


def test_deep_nesting_is_refused_not_crashing():
    assert "nested deeper" in err("(" * 500 + "1" + ")" * 500).message
    assert "nested deeper" in err("-" * 500 + "1").message
    assert "longer than" in err("1+" * 3000 + "1").message


def test_places():
    assert "connections" in err("spatial.distance", where=NODE, spatial=True).message
    e = err("2 * spatial.pos.x", where=CONNECTION, spatial=True)
    assert e.column == 5 and "spatial.source_pos.x or spatial.target_pos.x" in e.message
    e = err("1 + spatial.distance", where=CONNECTION)
    assert e.column == 5 and "spatial layer" in e.message
    assert parse("spatial.pos.x", where=NODE, spatial=True)
    assert parse("random.normal(mean=1.0)", where=NODE)


def test_needs():
    assert parameters.needs(parse("random.normal()")) == {parameters.RANDOM}
    assert parameters.needs(parse("spatial.distance + random.uniform()")) == {
        parameters.RANDOM,
        parameters.PAIR,
    }
    assert parameters.needs(parse("spatial.pos.z")) == {parameters.POSITION}


def test_programs_follow_pynest_construction():
    """number (op) parameter is built as PyNEST's reflected operators build it."""
    p = ["distance", [0.0]]
    c = lambda v: ["const", [v]]  # noqa: E731
    assert parameters.program(parse("3 - spatial.distance")) == [
        "add", [], ["mul", [], p, c(-1.0)], c(3.0)
    ]  # fmt: skip
    assert parameters.program(parse("3 / spatial.distance")) == [
        "mul", [], ["pow", [-1.0], p], c(3.0)
    ]  # fmt: skip
    assert parameters.program(parse("2 + spatial.distance")) == ["add", [], p, c(2.0)]
    assert parameters.program(parse("-spatial.distance")) == ["mul", [], p, c(-1.0)]
    assert parameters.program(parse("0.5 < spatial.distance")) == ["cmp", [5.0], p, c(0.5)]
    assert parameters.program(parse("spatial.distance <= 0.5")) == ["cmp", [1.0], p, c(0.5)]
    assert parameters.program(parse("random.normal(mean=1, std=2) * spatial.distance")) == [
        "mul", [], ["normal", [1.0, 2.0]], p
    ]  # fmt: skip
    assert parameters.program(parse("spatial.target_pos.y")) == ["pos", [1.0, 2.0]]
    assert parameters.program(parse("spatial.distance.z")) == ["distance", [3.0]]


def test_random_objects_map_onto_the_tree():
    rp = RandomParameter("normal", frozen_map({"mean": 1.0, "std": 0.5}), low=0.1, bound="redraw")
    tree = parameters.from_random(rp)
    assert parameters.pynest_code(tree) == (
        'nest.math.redraw(nest.random.normal(mean=1.0, std=0.5), min=0.1, max=float("inf"))'
    )
    assert parameters.program(tree) == ["redraw", [0.1, math.inf], ["normal", [1.0, 0.5]]]
    clip = parameters.from_random({"random": "uniform", "min": 0, "max": 2, "low": 0.5, "high": 1})
    assert parameters.text(clip) == (
        "math.min(math.max(random.uniform(min=0.0, max=2.0), value=0.5), value=1.0)"
    )
    assert parameters.program(parameters.from_random({"random": "exponential", "beta": 2})) == [
        "exponential", [2.0]
    ]  # fmt: skip


def test_intervals_for_validation():
    span = parameters.interval(parse("1.0 + 5.0 * spatial.distance"))
    assert span.satisfies(">=", 1.0) and not span.satisfies(">", 1.0)
    assert parameters.interval(parse("random.lognormal()")).satisfies(">", 0)
    assert not parameters.interval(parse("random.normal(mean=5.0)")).satisfies(">", 0)
    assert parameters.interval(parse("math.max(random.normal(), 0.2)")).satisfies(">", 0)
    assert parameters.interval(parse("math.redraw(random.normal(), min=1, max=2)")).satisfies(
        ">=", 1
    )
    assert (
        parameters.interval(parse("0.8 * spatial_distributions.gaussian(spatial.distance)")).hi
        == 0.8
    )


def test_registry_is_the_one_list():
    """Every function is documented and maps to an engine op the C++ side knows."""
    from spikedesk.engine import _core

    net = _core.Network(0.1, 1, 1)
    for name, fn in parameters.FUNCTIONS.items():
        assert fn.doc, name
        numbers = [
            1.0 if a.default is parameters.registry.REQUIRED else float(a.default)
            for a in fn.args
            if a.kind != "parameter"
        ]
        children = [["const", [0.5]] for a in fn.args if a.kind == "parameter"]
        if fn.op in ("redraw",):
            numbers = [0.0, 1.0]
        net.draw([fn.op, numbers, *children], 1, 1, 1)  # the engine accepts the shape
    for name, attr in parameters.ATTRIBUTES.items():
        assert attr.doc, name


class _Sym:
    """A stand-in for NEST's Parameter objects: records how they are combined."""

    def __init__(self, s):
        self.s = s

    def __call__(self, *args, **kw):
        parts = [_s(a) for a in args] + [f"{k}={_s(v)}" for k, v in kw.items()]
        return _Sym(f"{self.s}({', '.join(parts)})")

    def __getattr__(self, name):
        return _Sym(f"{self.s}.{name}")

    def _bin(op, reflected=False):  # noqa: N805
        def f(self, other):
            a, b = (other, self) if reflected else (self, other)
            return _Sym(f"({_s(a)} {op} {_s(b)})")

        return f

    __add__, __radd__ = _bin("+"), _bin("+", True)
    __sub__, __rsub__ = _bin("-"), _bin("-", True)
    __mul__, __rmul__ = _bin("*"), _bin("*", True)
    __truediv__, __rtruediv__ = _bin("/"), _bin("/", True)
    __pow__, __lt__, __gt__ = _bin("**"), _bin("<"), _bin(">")

    def __neg__(self):
        return _Sym(f"(-{self.s})")


def _s(v):
    return v.s if isinstance(v, _Sym) else repr(v)


def test_to_nest_calls_the_nest_module():
    nest = _Sym("nest")
    got = parameters.to_nest(
        parse("logic.conditional(spatial.target_pos.x > 0, 2.0, 0.5) * random.normal(std=2)"), nest
    )
    assert got.s == (
        "(nest.logic.conditional((nest.spatial.target_pos.x > 0.0), 2.0, 0.5) * "
        "nest.random.normal(mean=0.0, std=2.0))"
    )
    assert parameters.to_nest(parse("3 - spatial.distance"), nest).s == (
        "(3.0 - nest.spatial.distance)"
    )
    assert parameters.to_nest(parse("random.uniform_int(max=3)"), nest).s == (
        "nest.random.uniform_int(max=3)"
    )
    assert parameters.to_nest(parse("2 * 3"), nest) == 6.0


def test_editor_check_and_reference():
    assert parameters.check("1 + random.normal()") == (0, "")
    assert parameters.check("1 + ", where=NODE) == (
        5,
        "expected a number, a name or '(', found the end",
    )
    ref = {item["name"]: item for item in parameters.reference()}
    assert ref["random.normal"]["signature"] == "random.normal(mean=0.0, std=1.0)"
    assert ref["math.redraw"]["signature"] == "math.redraw(x, min, max)"
    assert ref["spatial.distance"]["doc"]
    assert set(ref) == set(parameters.registry.names())


def test_random_object_tables_come_from_the_registry():
    from spikedesk.project_files import nest_translation, validation

    assert parameters.registry.RANDOM_OBJECT_ARGS == {
        "uniform": ("min", "max"),
        "normal": ("mean", "std"),
        "lognormal": ("mean", "std"),
        "exponential": ("beta",),
    }
    assert validation.DISTRIBUTIONS is parameters.registry.RANDOM_OBJECT_ARGS
    assert nest_translation.RANDOM_ARGS is parameters.registry.RANDOM_OBJECT_ARGS


def test_expressions_stand_where_values_are_drawn():
    from spikedesk.project_files.validation import takes_expression

    assert takes_expression("nodes[0].params.V_m")
    assert takes_expression("connections[2].synapse.weight")
    assert takes_expression("connections[2].synapse.delay")
    assert not takes_expression("connections[2].synapse.params.tau_plus")
    assert not takes_expression("copy_models.fast.params.tau_m")
