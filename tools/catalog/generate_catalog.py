"""Write project_files/catalog.json and assets/catalog_ui.json from NEST and our metadata.

    .venv/bin/python tools/catalog/generate_catalog.py [--out DIR]

Sources, and nothing else:

- ``nest.GetDefaults(model)`` of the installed nest-simulator (a development-time oracle, never
  a runtime dependency): defaults, recordables, receptor types, kind (``element_type``);
- NEST's model documentation: the ``BeginUserDocs ... EndUserDocs`` block of the model header
  that the nest wheel ships in ``nest/include/nest/<model>.h`` (the wheel has no help pages,
  ``nest.help()`` finds none); its short description, first description paragraph and
  parameter table are stored as plain text;
- ``tools/catalog/model_metadata.json`` (ours): family, label, id prefix, weight unit and
  meaning, receptor ports, device role and event fields, constraints (NEST's checks in
  ``Parameters_::set``), per-parameter unit, meaning, type and inspector widget;
- ``spikedesk.engine._core.models()``: which models and parameters the engine implements.
  Only those go into the catalog; the metadata describes more models than the engine has.
  Exceptions, while the engine catches up (issue 10): the node models listed in the metadata's
  ``awaiting_engine`` come from the metadata and NEST alone, and so do the synapse models
  (all of the metadata's ``synapses``); the parameters in ``neuron_params`` (tau_minus,
  tau_minus_triplet) go to every neuron model whose GetDefaults has them.
- NEST itself, probed: a synapse parameter is *common* (NEST's CommonSynapseProperties,
  shared by every connection of a model: ``_hom`` parameters, weight_recorder,
  volume_transmitter) when ``nest.Connect`` refuses it in a ``syn_spec`` ("can only be set
  via SetDefaults() or CopyModel()").

Both files are written key-sorted, so a rerun with the same NEST gives the same bytes; a test
runs this into a temp dir and compares. ``--out DIR`` writes ``DIR/project_files/catalog.json``
and ``DIR/assets/catalog_ui.json`` (default: this checkout).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
METADATA = Path(__file__).resolve().parent / "model_metadata.json"
MAX_DOUBLE = sys.float_info.max
OPS = (">", ">=", "<", "<=", "!=")
# per-parameter keys of the metadata that go into catalog.json (validation) or catalog_ui.json
CATALOG_KEYS = ("type", "unit", "doc", "order", "min_each", "max_each", "whole_each",
                "same_length_as", "may_be_empty", "multiple_of", "extra",
                "model_default", "state", "node_role", "required")  # fmt: skip
UI_KEYS = ("label", "unit", "widget", "min", "max", "step", "slider")


class CatalogError(Exception):
    """The metadata, NEST and the engine disagree; the message says what to fix."""


# ---------------------------------------------------------------------------- NEST's docs


def nest_doc(include: Path, model: str) -> dict[str, Any]:
    """Plain-text summary, description and parameter table of NEST's docs for ``model``."""
    path = include / f"{model}.h"
    if not path.is_file():
        raise CatalogError(f"no NEST documentation for {model} ({path} missing)")
    match = re.search(r"BeginUserDocs:([^\n]*)\n(.*?)EndUserDocs", path.read_text("utf-8"), re.S)
    if match is None:
        raise CatalogError(f"{path} has no BeginUserDocs block")
    keywords = [k.strip() for k in match.group(1).split(",") if k.strip()]
    parts = _sections(match.group(2))
    return {
        "keywords": keywords,
        "summary": _plain(parts.get("Short description", "")).strip(),
        "description": _first_paragraph(parts.get("Description", "")),
        "parameters": _tables(parts.get("Parameters", "")).strip("\n"),
        "source": f"NEST {_nest_version()} user documentation (nest/include/nest/{model}.h)",
    }


def _sections(body: str) -> dict[str, str]:
    """The ``+++``-underlined sections of a NEST doc block, by title."""
    out: dict[str, str] = {}
    title, lines = None, body.splitlines()
    buf: list[str] = []
    i = 0
    while i < len(lines):
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if lines[i].strip() and nxt and set(nxt) == {"+"}:
            if title:
                out[title] = "\n".join(buf)
            title, buf = lines[i].strip(), []
            i += 2
            continue
        buf.append(lines[i])
        i += 1
    if title:
        out[title] = "\n".join(buf)
    return out


def _plain(text: str) -> str:
    """reStructuredText -> plain text: roles, literals, references and LaTeX markup removed."""

    def math(m: re.Match) -> str:
        s = re.sub(r"\\(?:text|mathrm|rm)\{([^}]*)\}", r"\1", m.group(1))
        s = re.sub(r"\\(infty)", "inf", s)
        s = re.sub(r"\\([A-Za-z]+)", r"\1", s)
        return s.replace("{", "").replace("}", "").replace(" ", "")

    text = re.sub(r":math:`([^`]*)`", math, text)
    text = re.sub(r":\w+:`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)
    text = re.sub(r"``([^`]*)``", r"\1", text)
    text = re.sub(r"`([^`<]*?)\s*<[^>]*>`_+", r"\1", text)
    text = re.sub(r"\[(\w+)\]_", r"[\1]", text)
    text = text.replace("**", "")
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\w[^*\n]*?)\*(?![\w*])", r"\1", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _first_paragraph(text: str, enough: int = 200) -> str:
    """The opening of NEST's description: paragraphs (and their bullet lists) up to the first
    sub-heading, formula or note, stopping once ``enough`` characters are collected."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in para.strip().splitlines()]
        if len(lines) > 1 and set(lines[1]) <= set(".-=~^") and not out:
            lines = lines[2:]  # a sub-heading before any text: read on under it
        if (
            not lines
            or lines[0].startswith(".. ")
            or (len(lines) > 1 and set(lines[1]) <= set(".-=~^"))
        ):
            if out:
                break
            continue
        items = [line[2:] if line.startswith(("* ", "- ")) else line for line in lines]
        out.append(" ".join(_plain(" ".join(items)).split()))
        if sum(map(len, out)) >= enough:
            break
    return " ".join(out)


def _tables(text: str) -> str:
    """The parameter section as plain text. Table lines (columns separated by runs of spaces)
    keep their columns: each piece of markup is replaced by its text padded to its width."""

    def padded(line: str) -> str:
        def same_width(m: re.Match) -> str:
            return _plain(m.group(0)).ljust(len(m.group(0)))

        markup = r":math:`[^`]*`|:\w+:`[^`]*`|``[^`]*``|\*\*[^*]*\*\*|\[\w+\]_"
        line = re.sub(markup, same_width, line)
        return line.rstrip()

    out = [padded(line) if "  " in line.strip() or re.fullmatch(r"[=\- ]+", line.strip() or "x")
           else _plain(line) for line in text.splitlines()]  # fmt: skip
    return "\n".join(out)


def _nest_version() -> str:
    import nest

    return getattr(nest, "__version__", "") or nest.build_info.get("version", "")


# ---------------------------------------------------------------------------- values


def json_value(value: Any) -> Any:
    """A NEST default as JSON: numpy scalars/arrays to Python, +-inf to +-max double (as the
    engine reads it back)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return math.copysign(MAX_DOUBLE, value)
    return value


def type_fits(declared: str, value: Any) -> bool:
    if declared == "bool":
        return isinstance(value, bool)
    if declared == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if declared == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if declared == "list[float]":
        return isinstance(value, list) and all(isinstance(v, (int, float)) for v in value)
    if declared == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def holds(left: Any, op: str, right: Any) -> bool:
    values = left if isinstance(left, list) else [left]
    return all(
        {">": v > right, ">=": v >= right, "<": v < right, "<=": v <= right, "!=": v != right}[op]
        for v in values
    )


# ---------------------------------------------------------------------------- building


# GetDefaults keys of a synapse model that are NEST's bookkeeping, not parameters
SYNAPSE_STATUS = ("element_type", "has_delay", "num_connections", "receptor_type",
                  "requires_symmetric", "sizeof", "synapse_model", "synapse_modelid")  # fmt: skip


def build(
    meta: dict, engine: dict, defaults_of, include: Path, common_of=None
) -> tuple[dict, dict]:
    """(catalog.json, catalog_ui.json) as dicts. ``defaults_of(model)`` is nest.GetDefaults,
    ``common_of(model, params)`` the names of ``params`` NEST shares per model (None: none)."""
    models, ui_models = {}, {}
    nodes = {n: i for n, i in engine.items() if i["kind"] != "synapse"}
    for name in meta.get("awaiting_engine", ()):
        if name not in nodes:  # described here and by NEST; the engine does not have it yet
            entry = meta["models"][name]
            nodes[name] = {"kind": defaults_of(name)["element_type"],
                           "params": sorted(entry["params"]), "recordables": []}  # fmt: skip
    shared = meta.get("neuron_params", {}).get("params", {})
    for name in sorted(nodes):
        info = nodes[name]
        entry = meta["models"].get(name)
        if entry is None:
            raise CatalogError(f"the engine implements {name} but model_metadata.json lacks it")
        nest_defaults = defaults_of(name)
        kind = nest_defaults["element_type"]
        if info["kind"] != kind:
            raise CatalogError(f"{name}: the engine says {info['kind']}, NEST says {kind}")
        params, ui_params = {}, {}
        names = list(info["params"])
        if kind == "neuron":
            names += [p for p in shared if p in nest_defaults and p not in names]
        for pname in names:
            pmeta = entry["params"].get(pname) or (shared.get(pname) if kind == "neuron" else None)
            if pmeta is None:
                raise CatalogError(f"{name}.{pname}: add it to model_metadata.json")
            if pmeta.get("extra"):
                default = pmeta["default"]  # ours, NEST has no such parameter
            elif pname not in nest_defaults:
                raise CatalogError(f"{name}.{pname} is not a NEST parameter; mark it extra")
            else:
                default = json_value(nest_defaults[pname])
            if not type_fits(pmeta["type"], default):
                raise CatalogError(f"{name}.{pname}: NEST's {default!r} is no {pmeta['type']}")
            if pmeta["type"] == "float" and isinstance(default, int):
                default = float(default)
            params[pname] = {"default": default} | {k: pmeta[k] for k in CATALOG_KEYS if k in pmeta}
            ui_params[pname] = {k: pmeta.get(k) for k in UI_KEYS}
        recordables = list(info["recordables"])
        missing = [r for r in recordables if r not in nest_defaults.get("recordables", ())]
        if entry.get("receptor_ports"):  # NEST's I_syn_k grow with the receptor list
            missing = [r for r in missing if not re.fullmatch(r"I_syn_\d+", r)]
        if missing:
            raise CatalogError(f"{name}: NEST cannot record {', '.join(missing)}")
        constraints = _constraints(name, entry.get("constraints", []), params)
        out: dict[str, Any] = {
            "kind": kind,
            "family": entry["family"],
            "label": entry["label"],
            "id_prefix": entry["id_prefix"],
            "params": params,
            "constraints": constraints,
            "nest_doc": nest_doc(include, entry.get("nest_doc_from", name)),
        }
        out["recordables"] = recordables
        if kind == "neuron":
            receptors = {k: int(v) for k, v in nest_defaults.get("receptor_types", {}).items()}
            if receptors != entry.get("receptors", {}):
                raise CatalogError(f"{name}: NEST's receptor_types are {receptors}")
            out["weight"] = entry["weight"]
            out["receptors"] = receptors
            if "receptor_ports" in entry:
                out["receptor_ports"] = entry["receptor_ports"]
            if "role" in entry:  # a neuron that is a spike source (spike_train_injector)
                out["role"] = entry["role"]
        else:
            out["role"] = entry["role"]
            if "events" in entry:
                out["events"] = entry["events"]
        models[name] = out
        ui_models[name] = {"label": entry["label"], "family": entry["family"], "params": ui_params}

    synapses, ui_synapses = {}, {}
    for name, entry in meta["synapses"].items():
        synapses[name], ui_synapses[name] = _synapse(name, entry, engine, defaults_of, include,
                                                     common_of)  # fmt: skip

    families = [f for f in meta["families"] if any(m["family"] == f for m in models.values())]
    unknown = {m["family"] for m in models.values()} - set(meta["families"])
    if unknown:
        raise CatalogError(f"families not listed in model_metadata.json: {sorted(unknown)}")
    catalog = {
        "generated": "by tools/catalog/generate_catalog.py from NEST "
        f"{_nest_version()} and tools/catalog/model_metadata.json; do not edit by hand",
        "families": families,
        "models": models,
        "rule_options": meta["rule_options"],
        "rules": meta["rules"],
        "spatial_rule_options": meta["spatial_rule_options"],
        "synapses": synapses,
    }
    ui = {
        "generated": catalog["generated"],
        "families": families,
        "kinds": meta["kinds"],
        "models": ui_models,
        "synapses": ui_synapses,
    }
    return catalog, ui


def _synapse(name: str, entry: dict, engine: dict, defaults_of, include: Path, common_of):
    """A synapse model's catalog and UI entries: every parameter NEST has (defaults from
    GetDefaults; weight_recorder/volume_transmitter name nodes: default null), which are
    common, which are state (initial values), and NEST's docs."""
    nest_defaults = defaults_of(name)
    if nest_defaults.get("element_type") != "synapse":
        raise CatalogError(f"{name} is no NEST synapse model")
    theirs = set(nest_defaults) - set(SYNAPSE_STATUS)
    missing = sorted(theirs - set(entry["params"]))
    if missing:
        raise CatalogError(f"{name}: add NEST's parameters {missing} to model_metadata.json")
    unknown = sorted(set(entry["params"]) - theirs)
    if unknown:
        raise CatalogError(f"{name}: {unknown} are not NEST parameters of it")
    info = engine.get(name)
    if info is not None:
        lacking = sorted(set(info["params"]) - set(entry["params"]))
        if lacking:
            raise CatalogError(f"{name}.{lacking[0]}: the engine has it; add it to the metadata")
    common = set(common_of(name, sorted(entry["params"]))) if common_of else set()
    params = {}
    for pname, pmeta in sorted(entry["params"].items()):
        if pmeta["type"] == "node":
            default = None
        else:
            default = json_value(nest_defaults[pname])
            if not type_fits(pmeta["type"], default):
                raise CatalogError(f"{name}.{pname}: NEST's {default!r} is no {pmeta['type']}")
            if pmeta["type"] == "float":
                default = float(default)
        params[pname] = {"default": default} | {k: pmeta[k] for k in CATALOG_KEYS if k in pmeta}
        if pname in common:
            params[pname]["common"] = True
    out = {
        "label": entry["label"],
        "params": params,
        "constraints": _constraints(name, entry.get("constraints", []), params),
    }
    if (include / f"{name}.h").is_file():
        out["nest_doc"] = nest_doc(include, name)
    ui = {
        "label": entry["label"],
        "params": {
            p: {k: m.get(k) for k in UI_KEYS}
            | ({"common": True} if p in common else {})
            | ({"state": True} if m.get("state") else {})
            for p, m in sorted(entry["params"].items())
        },
    }
    return out, ui


# synapse models that connect only to some neuron models (NEST refuses iaf_psc_alpha)
PROBE_NEURON = {"clopath_synapse": "aeif_psc_delta_clopath", "gap_junction": "hh_psc_alpha_gap"}


def nest_common(nest, name: str, params: list[str]) -> list[str]:
    """The parameters of synapse model ``name`` that NEST refuses per connection: each is
    tried alone in the syn_spec of a Connect between two neurons."""
    defaults = nest.GetDefaults(name)
    out = []
    for pname in params:
        if pname == "delay":
            continue  # per connection in every model
        nest.ResetKernel()
        symmetric = bool(defaults.get("requires_symmetric"))  # gap junctions
        pair = nest.Create(PROBE_NEURON.get(name, "iaf_psc_alpha"), 2)
        conn_spec = {"rule": "one_to_one", "make_symmetric": True} if symmetric else None
        value = defaults[pname]
        if pname in ("weight_recorder", "volume_transmitter"):
            value = nest.Create(pname)
        elif "volume_transmitter" in defaults:  # a dopamine synapse needs its transmitter
            nest.SetDefaults(name, {"volume_transmitter": nest.Create("volume_transmitter")})
        try:
            nest.Connect(
                pair[0], pair[1], conn_spec, syn_spec={"synapse_model": name, pname: value}
            )
        except Exception as exc:
            if "SetDefaults" not in str(exc):
                raise CatalogError(f"{name}.{pname}: NEST refused it: {exc}") from None
            out.append(pname)
    nest.ResetKernel()
    return sorted(out)


def _constraints(name: str, listed: list, params: dict) -> list:
    """The model's constraints on the parameters it has, each checked against the defaults."""
    out = []
    for left, op, right in listed:
        if op not in OPS:
            raise CatalogError(f"{name}: unknown operator {op!r} in [{left}, {op}, {right}]")
        relation = isinstance(right, str) and right != "resolution"
        if left not in params or (relation and right not in params):
            continue  # a constraint on a parameter the engine does not (yet) take
        default = params[left]["default"]
        bound = params[right]["default"] if relation else right
        if right != "resolution" and default != [] and not holds(default, op, bound):
            raise CatalogError(f"{name}: NEST's defaults break [{left}, {op}, {right}]")
        out.append([left, op, right])
    return out


def write(catalog: dict, ui: dict, out: Path) -> list[Path]:
    paths = [out / "project_files" / "catalog.json", out / "assets" / "catalog_ui.json"]
    for path, data, indent in ((paths[0], catalog, 1), (paths[1], ui, 2)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=indent, sort_keys=True) + "\n", encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="folder to write into")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest
    from spikedesk.engine import _core

    include = Path(nest.__file__).resolve().parent / "include" / "nest"
    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    try:
        catalog, ui = build(
            meta, _core.models(), nest.GetDefaults, include, partial(nest_common, nest)
        )
    except CatalogError as exc:
        print(f"generate_catalog: {exc}", file=sys.stderr)
        return 1
    for path in write(catalog, ui, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
