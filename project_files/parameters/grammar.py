"""The parameter language's grammar: PyNEST's expression syntax without ``nest.``.

A hand-written tokenizer and precedence-climbing parser (never ``eval``) for numbers, dotted
names, calls with positional and keyword arguments, ``+ - * / **``, unary ``+ -``, parentheses
and one comparison (``< <= == != >= >``), with Python's precedences. The result is a syntax
tree whose every node knows its column (1-based), so the meaning pass (``tree.py``) can point
at the exact place of a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 4000  # characters of one expression
MAX_DEPTH = 64  # nesting of parentheses, calls and operators


class ExpressionError(ValueError):
    """A problem in an expression; ``column`` is 1-based (0: the expression as a whole)."""

    def __init__(self, message: str, column: int = 0):
        self.message = message
        self.column = column
        super().__init__(f"column {column}: {message}" if column else message)


# ------------------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "op", "end"
    text: str
    column: int


_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\n]+)
      | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
      | (?P<op>\*\*|<=|>=|==|!=|[-+*/(),=<>.])""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"is longer than {MAX_LENGTH} characters")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = m.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, m.group(), pos + 1))
        pos = m.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# ------------------------------------------------------------------------------ syntax tree


@dataclass(frozen=True)
class Number:
    value: float
    text: str
    column: int


@dataclass(frozen=True)
class Name:
    """A dotted name such as ``spatial.distance.x`` (``column`` is where it starts)."""

    path: str
    column: int


@dataclass(frozen=True)
class Call:
    function: Name
    args: tuple  # syntax nodes
    kwargs: tuple  # (name, syntax node, column)
    column: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: object
    column: int


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ** < <= == != >= >
    left: object
    right: object
    column: int  # of the operator


COMPARISONS = ("<", "<=", "==", "!=", ">=", ">")


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def expect(self, text: str, what: str) -> Token:
        if self.tok.text != text or self.tok.kind != "op":
            raise ExpressionError(
                f"expected {what}, found {self.describe(self.tok)}", self.tok.column
            )
        return self.take()

    @staticmethod
    def describe(t: Token) -> str:
        return "the end" if t.kind == "end" else repr(t.text)

    def nest(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"is nested deeper than {MAX_DEPTH} levels", column)

    def parse(self):
        if self.tok.kind == "end":
            raise ExpressionError("is empty", 1)
        node = self.comparison()
        if self.tok.kind != "end":
            raise ExpressionError(f"unexpected {self.describe(self.tok)}", self.tok.column)
        return node

    def comparison(self):
        left = self.arith()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.take()
            right = self.arith()
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise ExpressionError(
                    "comparisons cannot be chained; use logic.conditional", self.tok.column
                )
            return Binary(op.text, left, right, op.column)
        return left

    def arith(self):
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.take()
            node = Binary(op.text, node, self.term(), op.column)
        return node

    def term(self):
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self.take()
            node = Binary(op.text, node, self.unary(), op.column)
        return node

    def unary(self):
        if self.tok.kind == "op" and self.tok.text in ("-", "+"):
            op = self.take()
            self.nest(op.column)
            node = Unary(op.text, self.unary(), op.column)
            self.depth -= 1
            return node
        return self.power()

    def power(self):
        base = self.primary()
        if self.tok.kind == "op" and self.tok.text == "**":
            op = self.take()
            self.nest(op.column)
            node = Binary("**", base, self.unary(), op.column)  # right-assoc, like Python
            self.depth -= 1
            return node
        return base

    def primary(self):
        t = self.tok
        if t.kind == "number":
            self.take()
            return Number(float(t.text), t.text, t.column)
        if t.kind == "name":
            name = self.dotted()
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(name)
            return name
        if t.kind == "op" and t.text == "(":
            self.take()
            self.nest(t.column)
            node = self.comparison()
            self.depth -= 1
            self.expect(")", "')'")
            return node
        raise ExpressionError(
            f"expected a number, a name or '(', found {self.describe(t)}", t.column
        )

    def dotted(self) -> Name:
        first = self.take()
        parts = [first.text]
        while self.tok.kind == "op" and self.tok.text == ".":
            self.take()
            if self.tok.kind != "name":
                raise ExpressionError(
                    f"expected a name after '.', found {self.describe(self.tok)}", self.tok.column
                )
            parts.append(self.take().text)
        return Name(".".join(parts), first.column)

    def call(self, function: Name) -> Call:
        open_ = self.expect("(", "'('")
        self.nest(open_.column)
        args: list = []
        kwargs: list = []
        while not (self.tok.kind == "op" and self.tok.text == ")"):
            if self.tok.kind == "name" and self.tokens[self.i + 1].text == "=":
                key = self.take()
                self.take()
                if any(k == key.text for k, _, _ in kwargs):
                    raise ExpressionError(f"argument {key.text!r} given twice", key.column)
                kwargs.append((key.text, self.comparison(), key.column))
            else:
                if kwargs:
                    raise ExpressionError(
                        "a positional argument cannot follow a keyword argument", self.tok.column
                    )
                args.append(self.comparison())
            if self.tok.kind == "op" and self.tok.text == ",":
                self.take()
                continue
            if not (self.tok.kind == "op" and self.tok.text == ")"):
                raise ExpressionError(
                    f"expected ',' or ')', found {self.describe(self.tok)}", self.tok.column
                )
        self.take()
        self.depth -= 1
        return Call(function, tuple(args), tuple(kwargs), function.column)


def parse_syntax(text: str):
    """The syntax tree of ``text``; raises ExpressionError with the column of a problem."""
    if not isinstance(text, str):
        raise ExpressionError(f"must be a string, got {type(text).__name__}")
    return _Parser(text).parse()
