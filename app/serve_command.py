"""``spikedesk serve``: the studio in the browser, every resource served locally (no CDN)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        help="project file to open (copied into the store); default: the most recent "
        "project, or the Brunel example in a new store",
    )
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--show", action="store_true", help="open a browser tab")
    parser.add_argument(
        "--projects",
        metavar="DIR",
        help="project store folder (default: ~/.local/share/spikedesk/projects)",
    )


def make_app(store, start: str | None = None, on_session=None):
    """A function Panel calls once per browser session: every session has its own page."""
    from spikedesk.app.page import build_page

    return lambda: build_page(store, start, on_session)


def run(args: argparse.Namespace) -> int:
    import panel as pn
    from spikedesk.app.store import ProjectStore, default_folder
    from spikedesk.project_files.validation import ProjectError

    try:
        store = ProjectStore(args.projects or default_folder())
        start = store.adopt(Path(args.project)) if args.project else None
    except (OSError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    origin = f"{args.address}:{args.port}"
    print(f"spikedesk: projects in {store.folder}, serving at http://{origin}")
    pn.serve(
        {"/": make_app(store, start)},
        port=args.port,
        address=args.address,
        show=args.show,
        websocket_origin=[origin, f"localhost:{args.port}"],
        title="spikedesk",
    )
    return 0
