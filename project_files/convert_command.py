"""``spikedesk convert``: NEST Desktop project -> spikedesk project, or project -> PyNEST script.

A NEST Desktop file with several projects is written one file per project into the folder
``-o`` names (files named after the projects), or just the one ``--project`` picks (by name, or
by its number in the file, 1 for the first). What the import approximated is printed as notes.
Every file is written atomically: a failed conversion never leaves a partial or emptied file,
and nothing is written unless every project asked for imports.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

UNSAFE = re.compile(r"[^A-Za-z0-9 ._-]+")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", help="a NEST Desktop export, or a spikedesk project for --to pynest"
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="file to write; a folder for a NEST Desktop file holding several projects",
    )
    parser.add_argument(
        "--to", choices=("spikedesk", "pynest"), default="spikedesk", help="what to write"
    )
    parser.add_argument(
        "--project",
        metavar="NAME|NUMBER",
        help="only this project of a multi-project NEST Desktop file (its name, or 1 for the "
        "first)",
    )


def file_names(names: list[str]) -> list[str]:
    """One safe, distinct ``.json`` file name per project name."""
    out: list[str] = []
    for name in names:
        stem = UNSAFE.sub("_", name).strip(" ._") or "project"
        stem, candidate, k = stem[:80], stem[:80], 2
        while f"{candidate}.json".lower() in {o.lower() for o in out}:
            candidate, k = f"{stem} {k}", k + 1
        out.append(f"{candidate}.json")
    return out


def pick(found: list, wanted: str) -> list:
    """The projects ``--project`` names: by exact name, else by number (1 = first)."""
    by_name = [item for item in found if item.name == wanted]
    if by_name:
        return by_name[:1]
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(found):
        return [found[int(wanted) - 1]]
    return []


def _fail(message: str) -> int:
    print(f"spikedesk: error: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from . import io, pynest
    from .validation import ProjectError

    source, output = Path(args.input), Path(args.output)
    try:
        if args.to == "pynest":
            io.write_text_atomically(output, pynest.export(io.load(source)))
            print(f"wrote {output}")
            return 0
        from . import nest_desktop

        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _fail(f"{source}: not a JSON file: {exc}")
        found = nest_desktop.read(data, source=str(source))
        listing = "; ".join(f"{k}: {item.name!r}" for k, item in enumerate(found, 1))
        chosen = found
        if args.project is not None:
            chosen = pick(found, args.project)
            if not chosen:
                return _fail(f"{source}: no project {args.project!r}; it holds {listing}")
        problems = [p for item in chosen for p in item.problems]
        if problems:
            error = ProjectError(str(source), problems)
            hint = ""
            good = [item.name for item in found if item.project is not None]
            if len(chosen) > 1 and good:
                hint = "\n  these import: " + ", ".join(repr(n) for n in good) + " (--project)"
            return _fail(f"{error}{hint}")
        if len(chosen) == 1 and not output.is_dir():
            targets = [output]
        else:
            if output.suffix.lower() == ".json" or (output.exists() and not output.is_dir()):
                return _fail(
                    f"{output}: {source} holds {len(chosen)} projects ({listing}); give a "
                    "folder to write them all, or pick one with --project"
                )
            output.mkdir(parents=True, exist_ok=True)
            targets = [output / n for n in file_names([item.name for item in chosen])]
        for item in chosen:
            for note in item.notes:
                print(f"note: {note}")
        for item, target in zip(chosen, targets, strict=True):
            io.save(item.project, target)
            print(f"wrote {target}")
    except (OSError, ValueError, ProjectError) as exc:
        return _fail(str(exc))
    return 0
