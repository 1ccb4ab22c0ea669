"""``spikedesk models [MODEL]``: the models spikedesk simulates, by family, and the synapse
models, or one model's parameters (NEST's names, defaults, units, constraints; for synapse
models which are common and which are state), recordables, weight unit, receptors and NEST's
description.

Exit status 0, or 1 for an unknown model name (with the names that come closest).
"""

from __future__ import annotations

import argparse
import difflib


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="a model name, e.g. aeif_cond_alpha")
    parser.add_argument(
        "--kind",
        choices=("neuron", "stimulator", "recorder", "other", "synapse"),
        help="list only this kind",
    )


def run(args: argparse.Namespace) -> int:
    from . import catalog

    models = catalog.models()
    if args.model is None:
        for family in catalog.families():
            names = [
                m
                for m, s in models.items()
                if s.family == family and (args.kind is None or s.kind == args.kind)
            ]
            if names:
                print(f"{family}:")
                for name in sorted(names):
                    print(f"  {name:34s} {models[name].label}")
        if args.kind in (None, "synapse"):
            print("Synapses:")
            for name in sorted(catalog.synapse_models()):
                print(f"  {name:34s} {catalog.synapse_label(name)}")
        return 0
    if args.model in catalog.synapse_models():
        print(describe_synapse(args.model))
        return 0
    spec = models.get(args.model)
    if spec is None:
        known = [*models, *catalog.synapse_models()]
        close = difflib.get_close_matches(args.model, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        from spikedesk.project_files.cli_output import fail

        return fail(f"{args.model}: unknown model{hint} (spikedesk models lists them all)")
    print(describe(spec))
    return 0


def describe(spec) -> str:
    """A plain-text page about one model."""
    lines = [f"{spec.name} ({spec.kind}, {spec.family}): {spec.label}"]
    summary = spec.nest_doc.get("summary")
    if summary:
        lines.append(summary)
    if spec.weight is not None:
        unit = f" [{spec.weight.unit}]" if spec.weight.unit else ""
        lines.append(f"weight: {spec.weight.meaning}{unit}")
    if spec.receptors:
        lines.append("receptor_type: " + ", ".join(f"{k} = {v}" for k, v in spec.receptors.items()))
    if spec.receptor_ports:
        lines.append(f"receptor_type: 1 .. len({spec.receptor_ports})")
    if spec.role:
        lines.append(f"role: {spec.role}")
    lines.append("")
    lines.append(f"{'parameter':22s} {'default':>14s} {'unit':8s} description")
    for name, p in spec.params.items():
        default = p.default if not isinstance(p.default, float) else f"{p.default:g}"
        lines.append(f"{name:22s} {str(default):>14s} {p.unit:8s} {p.doc}")
    if spec.constraints:
        lines.append("")
        lines.append(
            "constraints: " + "; ".join(f"{a} {op} {_rhs(b)}" for a, op, b in spec.constraints)
        )
    if spec.recordables:
        lines.append("recordables: " + ", ".join(spec.recordables))
    return "\n".join(lines)


def describe_synapse(name: str) -> str:
    """A plain-text page about one synapse model: its parameters, which NEST shares per model
    (common: set on a copy model, or per connection here) and which are state."""
    from . import catalog

    lines = [f"{name} (synapse): {catalog.synapse_label(name)}", ""]
    lines.append(f"{'parameter':22s} {'default':>14s} {'unit':8s} description")
    for pname, p in catalog.synapse_models()[name].items():
        default = p.default if not isinstance(p.default, float) else f"{p.default:g}"
        default = "(node id)" if p.type == "node" else default
        flags = [f for f, on in (("common", p.common), ("state", p.state)) if on]
        note = f" [{', '.join(flags)}]" if flags else ""
        lines.append(f"{pname:22s} {str(default):>14s} {p.unit:8s} {p.doc}{note}")
    constraints = catalog.synapse_constraints(name)
    if constraints:
        lines.append("")
        lines.append("constraints: " + "; ".join(f"{a} {op} {_rhs(b)}" for a, op, b in constraints))
    return "\n".join(lines)


def _rhs(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
