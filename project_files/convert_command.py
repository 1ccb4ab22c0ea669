"""``spikedesk convert``: NEST Desktop project -> spikedesk project, or project -> PyNEST script.

The output is written atomically: a failed conversion never leaves a partial or emptied file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", help="a NEST Desktop export, or a spikedesk project for --to pynest"
    )
    parser.add_argument("-o", "--output", required=True, help="file to write")
    parser.add_argument(
        "--to", choices=("spikedesk", "pynest"), default="spikedesk", help="what to write"
    )
    parser.add_argument("--project", help="which project of a multi-project NEST Desktop file")


def write_text_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    from . import io, pynest
    from .validation import ProjectError

    source, output = Path(args.input), Path(args.output)
    try:
        if args.to == "pynest":
            write_text_atomically(output, pynest.export(io.load(source)))
        else:
            from . import nest_desktop

            data = json.loads(source.read_text(encoding="utf-8"))
            projects = nest_desktop.import_data(data, source=str(source))
            if args.project is not None:
                projects = [p for p in projects if p.name == args.project]
            if len(projects) != 1:
                names = ", ".join(repr(p.name) for p in nest_desktop.import_data(data, str(source)))
                print(f"error: {source} holds {names}; pick one with --project", file=sys.stderr)
                return 1
            io.save(projects[0], output)
    except (OSError, ValueError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {output}")
    return 0
