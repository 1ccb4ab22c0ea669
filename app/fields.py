"""Input fields of the inspector: one labelled input per value, with its unit and an error line.

A field turns what the user typed into a project value (a number, a list, a random parameter,
a parameter expression such as ``1.0 + 5.0 * spatial.distance``, checked as it is typed with
the column of a problem) and hands it to ``on_change``; if the edit is refused the inspector
calls ``show_error`` and the field keeps what the user typed, while the project keeps the
last valid value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import panel as pn
from spikedesk.project_files import parameters
from spikedesk.project_files.project import RandomParameter, frozen_map

DISTRIBUTIONS = parameters.registry.RANDOM_OBJECT_DEFAULTS  # the one table: the registry's
CONSTANT = "value"
FIELD_WIDTH = 250
# NEST's "never" for stop times is the largest double; shown as an empty field with this hint
UNBOUNDED = 1.7976931348623157e308
UNBOUNDED_HINT = "∞ (no end)"
ERROR_CSS = """
:host { font-size: 12px; margin-top: -6px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
"""


def parse_number(text: str, integer: bool = False, empty: float | None = None) -> float | int:
    """What a person typed as a number: ``1.5``, ``1,5`` (decimal comma), ``-2e3``, ``inf``.
    Anything else raises ValueError with a sentence to show; an empty field is ``empty``."""
    raw = text.strip().replace("\u2212", "-")
    if not raw:
        if empty is None:
            raise ValueError("enter a number")
        return empty
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    if raw.lower() in ("inf", "+inf", "infinity", "∞"):
        if empty is not None:
            return empty
        raise ValueError("enter a finite number")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"not a number: {text.strip()!r}") from None
    if integer:
        if value != int(value):
            raise ValueError(f"not a whole number: {text.strip()!r}")
        return int(value)
    return value


def parse_indices(text: str) -> list[int]:
    """Neuron indices as typed: ``0, 3 7`` and inclusive ranges ``0-4`` (``0-2, 9`` is
    0, 1, 2, 9), in the order given; raises ValueError naming the part that is neither."""
    out: list[int] = []
    for part in text.replace(",", " ").replace(";", " ").split():
        first, dash, last = part.replace("\u2013", "-").partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise ValueError(f"not a neuron index or range: {part!r} (e.g. 0, 3 or 0-4)") from None
        if high < low:
            raise ValueError(f"the range {part!r} runs backwards (write {high}-{low})")
        out.extend(range(low, high + 1))
    return out


def indices_text(values) -> str:
    """Indices written back compactly: runs of three or more as ranges (``0-4, 7``)."""
    parts: list[str] = []
    values = list(values or ())
    start = 0
    for k in range(1, len(values) + 1):
        if k == len(values) or values[k] != values[k - 1] + 1:
            low, high = values[start], values[k - 1]
            if high - low >= 2:
                parts.append(f"{low}-{high}")
            else:
                parts.extend(str(v) for v in values[start:k])
            start = k
    return ", ".join(parts)


def number_text(value: Any) -> str:
    """A number (or an expression) as the field shows it; NEST's "never" as an empty field."""
    if isinstance(value, parameters.Expression):
        return value.text
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    if isinstance(value, float) and value >= UNBOUNDED:
        return ""
    return f"{value:.12g}" if isinstance(value, float) else str(value)


def expression_of(text: str, where: str, spatial: bool) -> tuple[Any, str]:
    """What was typed as a parameter expression: ``(Expression, "")``, or ``(None, message)``
    with the column of the first problem (the parameter language's own check)."""
    if re.fullmatch(r"\s*[A-Za-z_]\w*\s*", text):  # a word: a typo of a number
        return None, f"not a number: {text.strip()!r}"
    column, message = parameters.check(text, where=where, spatial=spatial)
    if column:
        return None, f"column {column}: {message}"
    return parameters.Expression(text.strip()), ""


def looks_numeric(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


class NumberBox:
    """A text box for one number (no spin arrows: what is typed is what is parsed, so a
    decimal comma and a typo are seen, not silently changed). ``on_number(value)`` gets each
    accepted entry, ``on_error(message)`` each rejected one ("" when the entry is fine).
    ``expression=(where, spatial)`` also takes parameter expressions (the parameter
    language's places: parameters.NODE or CONNECTION; spatial: positions may be used),
    checked while they are typed."""

    def __init__(
        self, label: str, value: Any, on_number: Callable[[Any], None],
        on_error: Callable[[str], None], *, integer: bool = False, width: int = FIELD_WIDTH,
        unbounded: bool = False, expression: tuple[str, bool] | None = None, **kwargs,
    ):  # fmt: skip
        self.integer = integer
        self.expression = expression
        self.empty = UNBOUNDED if unbounded else None
        given = kwargs.pop("placeholder", "")
        placeholder = UNBOUNDED_HINT if unbounded else given
        self.widget = pn.widgets.TextInput(
            label=label, value=number_text(value), width=width, placeholder=placeholder, **kwargs
        )
        self.on_number, self.on_error = on_number, on_error
        self.optional = False  # an empty box is an entry of None ("use the default")
        self._quiet = False
        self.widget.param.watch(self._typed, "value")
        if expression is not None:  # checked while typed; applied on Enter or leaving
            self.widget.param.watch(self._typing, "value_input")

    def _typing(self, event) -> None:
        text = event.new or ""
        if self._quiet or not text.strip() or looks_numeric(text):
            return
        self.on_error(expression_of(text, *self.expression)[1])

    def _typed(self, event) -> None:
        if self._quiet:
            return
        if self.optional and not event.new.strip():
            self.on_error("")
            self.on_number(None)
            return
        try:
            value = parse_number(event.new, self.integer, self.empty)
        except ValueError as exc:
            if self.expression is None or not event.new.strip():
                self.on_error(str(exc))
                return
            value, message = expression_of(event.new, *self.expression)
            if message:
                self.on_error(message)
                return
        self.on_error("")
        self.on_number(value)

    def show(self, value: Any) -> None:
        """Show ``value`` without reporting it as an entry."""
        self._quiet = True
        try:
            self.widget.value = number_text(value)
        finally:
            self._quiet = False


class Field(pn.viewable.Viewer):
    """A labelled input plus an error line (CSS class ``field-error``)."""

    def __init__(self, key: str, label: str, unit: str, on_change: Callable[[str, Any], None]):
        super().__init__()
        self.key = key
        self.title = f"{label} ({unit})" if unit else label
        self.on_change = on_change
        self.error = pn.pane.Str(
            "",
            visible=False,
            css_classes=["field-error"],
            styles={"color": "#b00020"},
            stylesheets=[ERROR_CSS],
            width=FIELD_WIDTH,
        )

    def emit(self, value: Any) -> None:
        self.show_error("")
        self.on_change(self.key, value)

    def show_error(self, message: str) -> None:
        self.error.object = message
        self.error.visible = bool(message)


class NumberField(Field):
    """A number, or (if ``random`` is allowed) a distribution with its arguments."""

    def __init__(
        self, key, label, unit, on_change, value, *, integer=False, step=None, random=False,
        slider=None, expression=None,
    ):  # fmt: skip
        """``slider=(min, max)`` adds a slider over that range under the number; the number
        still takes any value (validation, not the widget, decides what is allowed).
        ``expression=(where, spatial)``: the box also takes parameter expressions."""
        super().__init__(key, label, unit, on_change)
        self.integer = integer
        start = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if isinstance(value, parameters.Expression) and expression is not None:
            start = value
        number_width = FIELD_WIDTH - 100 if random else FIELD_WIDTH
        self.box = NumberBox(
            self.title, start, self._number_changed, self._typo, integer=integer,
            width=number_width, unbounded=isinstance(start, float) and start >= UNBOUNDED,
            expression=expression,
            placeholder="a number or an expression" if expression is not None else "",
        )  # fmt: skip
        self.number = self.box.widget
        self.last_number = start
        self.kind = pn.widgets.Select(
            label=f"{label}: kind",
            options=[CONSTANT, *DISTRIBUTIONS],
            width=95,
            visible=random,
            stylesheets=[":host label { visibility: hidden; }"],  # one visible label per field
        )
        self.args: dict[str, pn.widgets.FloatInput] = {}
        self.args_row = pn.Row(width=FIELD_WIDTH)
        if isinstance(value, RandomParameter):
            self.kind.value = value.distribution
            self._build_args(value.distribution, dict(value.args))
            self.number.visible = False
        elif isinstance(value, tuple):  # one value per neuron: shown, replaced on edit
            self.number.placeholder = f"{len(value)} values, one per neuron"
        self.kind.param.watch(lambda e: self._kind_changed(e.new), "value")
        self.slider = None
        if slider is not None and slider[0] < slider[1]:
            low, high = slider
            self.slider = pn.widgets.FloatSlider(
                start=low, end=high, step=step or (high - low) / 100,
                value=min(max(start, low), high) if isinstance(start, (int, float)) else low,
                show_value=False, width=FIELD_WIDTH - 20, margin=(0, 15, 5, 15),
                visible=self.number.visible,
            )  # fmt: skip
            self.slider.param.watch(lambda e: self._slid(e.new), "value_throttled")

    def _slid(self, value: float) -> None:
        """A slider release sets the number and applies it like typing would."""
        value = int(round(value)) if self.integer else float(value)
        self.box.show(value)
        self._number_changed(value)

    def _typo(self, message: str) -> None:
        if message:
            self.show_error(message)

    def _number_changed(self, value) -> None:
        self.last_number = value
        self.emit(value)
        if isinstance(value, parameters.Expression):
            return
        if self.slider is not None and self.slider.start <= value <= self.slider.end:
            self.slider.value = value  # only a user's release (value_throttled) emits

    def _kind_changed(self, kind: str) -> None:
        if self.slider is not None:
            self.slider.visible = kind == CONSTANT
        if kind == CONSTANT:
            self.args_row.objects, self.args = [], {}
            self.number.visible = True
            if self.last_number is not None:
                self.emit(self.last_number)
            return
        self.number.visible = False
        self._build_args(kind, {})
        self._emit_random()

    def _build_args(self, kind: str, values: dict) -> None:
        self.args = {
            name: pn.widgets.FloatInput(
                label=name,
                value=float(values.get(name, default)),
                width=FIELD_WIDTH // len(DISTRIBUTIONS[kind]) - 5,
            )
            for name, default in DISTRIBUTIONS[kind]
        }
        for widget in self.args.values():
            widget.param.watch(lambda e: self._emit_random(), "value")
        self.args_row.objects = list(self.args.values())

    def _emit_random(self) -> None:
        if any(w.value is None for w in self.args.values()):
            self.show_error("enter every argument")
            return
        args = {name: float(w.value) for name, w in self.args.items()}
        self.emit(RandomParameter(self.kind.value, frozen_map(args)))

    def __panel__(self):
        parts = [pn.Row(self.number, self.kind)]
        parts += [self.slider] if self.slider is not None else []
        return pn.Column(*parts, self.args_row, self.error, margin=0)


def parse_numbers(text: str) -> list[float]:
    """Numbers separated by commas, semicolons or spaces (each as ``parse_number`` reads it)."""
    parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    return [float(parse_number(p)) for p in parts]


def numbers_text(values) -> str:
    return ", ".join(_number_text(v) for v in values or ())


class ListField(Field):
    """Numbers separated by commas or spaces, e.g. spike times; a subclass reads and writes
    the text its own way (``parse``, ``to_text``)."""

    parse = staticmethod(parse_numbers)
    to_text = staticmethod(numbers_text)

    def __init__(self, key, label, unit, on_change, value, placeholder="e.g. 10, 20.5, 30"):
        super().__init__(key, label, unit, on_change)
        self.text = pn.widgets.TextInput(
            label=self.title, value=self.to_text(value), width=FIELD_WIDTH, placeholder=placeholder
        )
        self.text.param.watch(lambda e: self._changed(e.new), "value")

    def _changed(self, text: str) -> None:
        try:
            values = self.parse(text)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.emit(values)

    def __panel__(self):
        return pn.Column(self.text, self.error, margin=0)


class IndicesField(ListField):
    """Neuron indices of a node (0-based): numbers and ranges, ``0-4, 9``."""

    parse = staticmethod(parse_indices)
    to_text = staticmethod(indices_text)

    def __init__(self, key, label, on_change, value, placeholder="e.g. 0-4, 9 (0-based)"):
        super().__init__(key, label, "", on_change, value, placeholder)


class ChoiceField(Field):
    """One of fixed options (rule, model), several of them (record_from), or a checkbox."""

    def __init__(self, key, label, unit, on_change, value, options=None, *, many=False):
        super().__init__(key, label, unit, on_change)
        if options is None:
            self.widget = pn.widgets.Checkbox(
                label=self.title, value=bool(value), width=FIELD_WIDTH
            )
        elif many:
            self.widget = pn.widgets.MultiChoice(
                label=self.title, options=list(options), value=list(value or ()), width=FIELD_WIDTH
            )
        else:
            self.widget = pn.widgets.Select(
                label=self.title, options=list(options), value=value, width=FIELD_WIDTH
            )
        self.widget.param.watch(lambda e: self.emit(e.new), "value")

    def __panel__(self):
        return pn.Column(self.widget, self.error, margin=0)


class TextField(Field):
    """A line of text, or several (``multiline``), applied when the user leaves the field."""

    def __init__(self, key, label, unit, on_change, value, *, multiline=False):
        super().__init__(key, label, unit, on_change)
        if multiline:
            self.widget = pn.widgets.TextAreaInput(
                label=self.title, value=value, width=FIELD_WIDTH, height=140
            )
        else:
            self.widget = pn.widgets.TextInput(label=self.title, value=value, width=FIELD_WIDTH)
        self.widget.param.watch(lambda e: self.emit(e.new), "value")

    def __panel__(self):
        return pn.Column(self.widget, self.error, margin=0)


class NameField(Field):
    """A name typed and applied with a button (``action``), not when the field is left:
    ``Save as model``."""

    def __init__(self, key, label, on_change, action: str, *, placeholder: str = ""):
        super().__init__(key, label, "", on_change)
        self.widget = pn.widgets.TextInput(
            label=self.title, width=FIELD_WIDTH - 110, placeholder=placeholder
        )
        self.button = pn.widgets.Button(label=action, width=100, align="end")
        self.button.on_click(lambda _: self.emit(self.typed()))
        self.widget.param.watch(lambda _: self.emit(self.typed()), "enter_pressed")

    def typed(self) -> str:
        return (self.widget.value_input or self.widget.value or "").strip()

    def __panel__(self):
        return pn.Column(pn.Row(self.widget, self.button, margin=0), self.error, margin=0)


def _number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
