"""``spikedesk validate FILE...``: check project files and list every problem.

Exit status 0 when every file is valid, 1 when any file has problems or cannot be read.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="spikedesk project JSON files")


def run(args: argparse.Namespace) -> int:
    from .io import load
    from .validation import ProjectError

    failed = False
    for name in args.files:
        try:
            load(name)
        except ProjectError as exc:
            failed = True
            print(exc)
        except FileNotFoundError:
            failed = True
            print(f"{name}: no such file")
        except IsADirectoryError:
            failed = True
            print(f"{name}: is a directory, not a project file")
        except UnicodeDecodeError as exc:
            failed = True
            print(f"{name}: not a text file (UTF-8 decoding failed at byte {exc.start})")
        except OSError as exc:
            failed = True
            print(f"{name}: cannot read: {exc.strerror}")
        else:
            print(f"{name}: OK")
    sys.stdout.flush()
    return 1 if failed else 0
