"""How every ``spikedesk`` command reports an error: one line ``spikedesk: error: <file or
flag>: <problem>`` on stderr (a project's problems follow, indented), exit status 1. It lives
here, at the bottom of the package graph, so every subcommand module can use it."""

from __future__ import annotations

import sys


def fail(message: object) -> int:
    """Print one error the way every command prints errors; return the exit status 1."""
    print(f"spikedesk: error: {message}", file=sys.stderr, flush=True)
    return 1
