"""``spikedesk validate FILE...``: check project files and list every problem.

Exit status 0 when every file is valid, 1 when any file has problems or cannot be read.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="spikedesk project JSON files")


def run(args: argparse.Namespace) -> int:
    from spikedesk.project_files.cli_output import fail

    from .io import load
    from .validation import ProjectError

    failed = False
    for name in args.files:
        try:
            load(name)
        except ProjectError as exc:
            failed = True
            fail(exc)
        except OSError as exc:
            failed = True
            fail(read_error(name, exc))
        except UnicodeDecodeError as exc:
            failed = True
            fail(f"{name}: not a text file (UTF-8 decoding failed at byte {exc.start})")
        else:
            print(f"{name}: OK", flush=True)
    sys.stdout.flush()
    return 1 if failed else 0


def read_error(name: str, exc: OSError) -> str:
    """``<file>: <problem>`` for a file that cannot be read at all."""
    if isinstance(exc, FileNotFoundError):
        return f"{name}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{name}: is a directory, not a project file"
    return f"{name}: cannot read: {exc.strerror or exc}"
