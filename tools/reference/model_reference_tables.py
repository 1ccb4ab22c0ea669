"""Fill the parameter tables of docs/model-reference.md from project_files/catalog.json.

    .venv/bin/python tools/reference/model_reference_tables.py [--check]

Each model section holds ``<!-- params: MODEL -->`` ... ``<!-- end params -->``; the text in
between is replaced by a table of the catalog's parameters (name, default, unit, type,
meaning) and recordables. ``--check`` exits 1 if the document is out of date.
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


def table(name: str, entry: dict) -> str:
    lines = ["| parameter | default | unit | type | meaning |", "|---|---|---|---|---|"]
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


def render(text: str, models: dict) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(2)
        if name not in models:
            raise SystemExit(f"docs/model-reference.md: {name!r} is not in catalog.json")
        return match.group(1) + table(name, models[name]) + match.group(4)

    return BLOCK.sub(fill, text)


def main() -> int:
    models = json.loads(CATALOG.read_text())["models"]
    text = DOC.read_text()
    documented = {m.group(2) for m in BLOCK.finditer(text)}
    missing = sorted(set(models) - documented)
    if missing:
        print(f"docs/model-reference.md lacks sections for: {', '.join(missing)}")
        return 1
    new = render(text, models)
    if "--check" in sys.argv:
        if new != text:
            print("docs/model-reference.md tables are out of date; run this script")
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
