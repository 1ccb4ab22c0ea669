"""``spikedesk serve``: the studio in the browser, every resource served locally (no CDN)."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        help="project file to open (copied into the store); default: the most recent "
        "project, or the Brunel example in a new store",
    )
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only); any other "
        "address needs --token",
    )
    parser.add_argument(
        "--token",
        help="a secret every browser must bring once (the printed link has it); required "
        "when --address is not a loopback address",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name browsers use for this server (behind a proxy, a DNS name); "
        "requests for any other Host are refused",
    )
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
    from spikedesk.app import guard
    from spikedesk.project_files.cli_output import fail

    if not guard.loopback(args.address) and not args.token:
        return fail(
            f"--address {args.address}: other machines could reach the app; "
            "give --token SECRET too (or serve on 127.0.0.1)"
        )
    if not 0 <= args.port <= 65535:
        return fail(f"--port {args.port}: must be between 0 and 65535")
    import panel as pn
    from spikedesk.app.store import ProjectStore, default_folder
    from spikedesk.project_files.validation import ProjectError

    try:
        store = ProjectStore(args.projects or default_folder())
        start = store.adopt(Path(args.project)) if args.project else None
    except ProjectError as exc:
        return fail(exc)
    except OSError as exc:
        return fail(f"{exc.filename or args.projects}: {exc.strerror or exc}")
    hosts = guard.allowed_hosts(args.address, args.port, tuple(args.allow_host))
    origin = f"{args.address}:{args.port}"
    link = f"http://{origin}/" + (f"?token={args.token}" if args.token else "")
    print(f"spikedesk: projects in {store.folder}, serving at {link}", flush=True)
    server = pn.serve(
        {"/": make_app(store, start)},
        port=args.port,
        address=args.address,
        show=False,
        start=False,
        websocket_origin=sorted(h for h in hosts if not h.startswith("[")),  # bokeh: no IPv6
        title="spikedesk",
    )
    guard.protect(server._tornado, hosts, args.token)
    if args.show:
        server.io_loop.add_callback(lambda: server.show(link.split(origin, 1)[1]))
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    return 0
