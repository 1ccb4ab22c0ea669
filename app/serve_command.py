"""``spikedesk serve``: the studio in the browser, every resource served locally (no CDN)."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "project_files" / "examples"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", nargs="?", help="project to open (default: the Brunel example)")
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--show", action="store_true", help="open a browser tab")


def default_project_path() -> Path:
    from spikedesk.project_files import examples_dir

    return examples_dir() / "brunel.json"


def make_app(project_path: Path):
    """A function Panel calls once per browser session: every session has its own studio."""
    import panel as pn
    from spikedesk.app.studio import Studio
    from spikedesk.project_files import io

    def create():
        studio = Studio(io.load(project_path))
        template = pn.template.BootstrapTemplate(title="spikedesk", main=[studio])
        return template

    return create


def run(args: argparse.Namespace) -> int:
    import sys

    import panel as pn
    from spikedesk.project_files import io
    from spikedesk.project_files.validation import ProjectError

    path = Path(args.project) if args.project else default_project_path()
    try:
        io.load(path)
    except (OSError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    origin = f"{args.address}:{args.port}"
    print(f"spikedesk: serving {path} at http://{origin}")
    pn.serve(
        {"/": make_app(path)},
        port=args.port,
        address=args.address,
        show=args.show,
        websocket_origin=[origin, f"localhost:{args.port}"],
        title="spikedesk",
    )
    return 0
