"""Generate the model facts of docs/model-reference.md from project_files/catalog.json.

    .venv/bin/python tools/reference/model_reference_tables.py [--check]

Each model section holds ``<!-- params: MODEL -->`` ... ``<!-- end params -->``; the text in
between is replaced by the catalog's facts: family, NEST's short description, weight unit and
meaning, receptor types, device role, constraints, a table of parameters (name, default,
unit, type, meaning) and recordables. Catalog models without a hand-written section get a
generated one (NEST's description as the prose) between ``<!-- generated models -->`` and
``<!-- end generated models -->``, grouped by family, so every model is documented.
``--check`` exits 1 if the document is out of date.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "model-reference.md"
CATALOG = ROOT / "project_files" / "catalog.json"
BLOCK = re.compile(r"(<!-- params: (\w+) -->\n)(.*?)(<!-- end params -->)", re.S)
GENERATED = re.compile(r"(<!-- generated models -->\n)(.*?)(<!-- end generated models -->)", re.S)


def fmt_default(value) -> str:
    if isinstance(value, float):
        if value >= 1.7e308:
            return "+inf (max double)"
        if value <= -1.7e308:
            return "-inf (lowest double)"
        return f"{value:g}"
    if isinstance(value, list):
        return "[]" if not value else json.dumps(value)
    return json.dumps(value) if isinstance(value, str | bool) else str(value)


def facts(entry: dict) -> list[str]:
    """Family, NEST's summary, weight, receptors, role and constraints, one line each."""
    doc = entry.get("nest_doc", {})
    lines = [f"Family: {entry['family']}. NEST: *{doc.get('summary', '')}*."]
    weight = entry.get("weight")
    if weight is not None:
        lines.append(f"Weight onto it: {weight['unit'] or 'no unit'} ({weight['meaning']}).")
    receptors = entry.get("receptors") or {}
    if receptors:
        ports = ", ".join(f"`{k}` = {v}" for k, v in sorted(receptors.items(), key=lambda i: i[1]))
        lines.append(f"Receptor types: {ports}.")
    if entry.get("receptor_ports"):
        lines.append(f"Receptor ports: one per entry of `{entry['receptor_ports']}`.")
    if entry.get("role"):
        events = entry.get("events")
        extra = f"; events: {', '.join(f'`{e}`' for e in events)}" if events else ""
        lines.append(f"Role: {entry['role']}{extra}.")
    constraints = entry.get("constraints") or []
    if constraints:
        lines.append(
            "Constraints: " + ", ".join(f"`{a} {op} {b}`" for a, op, b in constraints) + "."
        )
    return [line + "  " if i < len(lines) - 1 else line for i, line in enumerate(lines)]


def table(name: str, entry: dict) -> str:
    lines = [*facts(entry), ""]
    lines += ["| parameter | default | unit | type | meaning |", "|---|---|---|---|---|"]
    for pname in sorted(entry["params"], key=str.lower):
        p = entry["params"][pname]
        unit = p.get("unit") or "-"
        lines.append(
            f"| `{pname}` | {fmt_default(p['default'])} | {unit} | {p['type']} | {p['doc']} |"
        )
    rec = entry.get("recordables")
    if rec:
        lines.append("")
        lines.append("Recordables: " + ", ".join(f"`{r}`" for r in rec) + ".")
    return "\n".join(lines) + "\n"


def generated_sections(models: dict, families: list[str], skip: set[str]) -> str:
    out = []
    families = [*families, *sorted({e["family"] for e in models.values()} - set(families))]
    for family in families:
        names = sorted(n for n, e in models.items() if e["family"] == family and n not in skip)
        if not names:
            continue
        out += [f"### {family}", ""]
        for name in names:
            entry = models[name]
            out += [f"#### {name}", "", entry.get("nest_doc", {}).get("description", ""), ""]
            out += [f"<!-- params: {name} -->", table(name, entry) + "<!-- end params -->", ""]
    return "\n".join(out)


def render(text: str, models: dict, families: list[str] | None = None) -> str:
    if GENERATED.search(text):
        outside = GENERATED.sub("", text)
        written = {m.group(2) for m in BLOCK.finditer(outside)}
        body = generated_sections(models, families or [], written)
        text = GENERATED.sub(lambda m: m.group(1) + body + m.group(3), text)

    def fill(match: re.Match) -> str:
        name = match.group(2)
        if name not in models:
            raise SystemExit(f"docs/model-reference.md: {name!r} is not in catalog.json")
        return match.group(1) + table(name, models[name]) + match.group(4)

    return BLOCK.sub(fill, text)


def main() -> int:
    data = json.loads(CATALOG.read_text())
    models = data["models"]
    text = DOC.read_text()
    new = render(text, models, data.get("families", []))
    documented = {m.group(2) for m in BLOCK.finditer(new)}
    missing = sorted(set(models) - documented)
    if missing:
        print(f"docs/model-reference.md lacks sections for: {', '.join(missing)}")
        return 1
    if "--check" in sys.argv:
        if new != text:
            print("docs/model-reference.md tables are out of date; run this script")
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
