"""The model catalog: names, parameters, defaults, units and recordables of every model
the engine supports. ``catalog.json`` beside this file is the single source of truth;
the C++ engine declares which names it implements and a test checks both agree."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Kind = Literal["neuron", "stimulator", "recorder"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: Any
    unit: str
    type: str  # "float" | "int" | "bool" | "list[float]" | "list[str]"
    doc: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: Kind
    params: Mapping[str, ParamSpec]
    recordables: tuple[str, ...] = ()

    def defaults(self) -> dict[str, Any]:
        return {name: spec.default for name, spec in self.params.items()}


@cache
def _raw() -> dict:
    return json.loads(resources.files(__package__).joinpath("catalog.json").read_text())


@cache
def models() -> Mapping[str, ModelSpec]:
    out = {}
    for name, entry in _raw()["models"].items():
        params = {p: ParamSpec(p, **spec) for p, spec in entry["params"].items()}
        out[name] = ModelSpec(name, entry["kind"], params, tuple(entry.get("recordables", ())))
    return out


def model(name: str) -> ModelSpec:
    return models()[name]


@cache
def synapse_models() -> Mapping[str, Mapping[str, ParamSpec]]:
    return {
        name: {p: ParamSpec(p, **spec) for p, spec in entry["params"].items()}
        for name, entry in _raw()["synapses"].items()
    }


@cache
def rules() -> Mapping[str, Mapping[str, dict]]:
    """Connection rules and their own arguments (besides allow_autapses/allow_multapses)."""
    return _raw()["rules"]


@cache
def rule_options() -> Mapping[str, dict]:
    return _raw()["rule_options"]
