"""The ``spikedesk`` command. Each subcommand lives in the module that owns its work;
that module exposes ``configure(parser)`` and ``run(args) -> int`` and keeps heavy imports
(Panel, the engine) inside ``run`` so ``spikedesk --help`` stays fast."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from spikedesk.project_files.cli_output import fail

SUBCOMMANDS = {
    "serve": ("spikedesk.app.serve_command", "start the web app"),
    "run": ("spikedesk.engine.run_command", "simulate a project headless"),
    "connections": ("spikedesk.engine.connections_command", "build a project, save its synapses"),
    "validate": ("spikedesk.project_files.validate_command", "check a project file"),
    "convert": ("spikedesk.project_files.convert_command", "import NEST Desktop / export PyNEST"),
    "models": ("spikedesk.project_files.models_command", "list the models, or show one"),
    "mpi-server": ("spikedesk.engine.mpi.server_command", "serve MPI runs over HTTP"),
}


HELP = """\
spikedesk is a studio for spiking neural networks: build a network in the browser, simulate
it with the built-in engine and watch the spikes arrive. Every network is a project file
(JSON) that runs the same in the app and on the command line.

examples:
  spikedesk serve                      open the studio in the browser (http://127.0.0.1:5006)
  spikedesk run brunel.json --out ev.npz   simulate a project headless, save its events
  spikedesk connections p.json -o c.npz    build a project, save every connection's synapses
  spikedesk validate *.json            list every problem of some project files
  spikedesk convert nd.json -o p.json  import a NEST Desktop project
  spikedesk models iaf_psc_alpha       a model's parameters, units and defaults

`spikedesk COMMAND --help` describes one command. Errors are printed as
"spikedesk: error: <file or flag>: <problem>" and the exit status is 1 (2 for a bad flag).
"""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("spikedesk")
    except PackageNotFoundError:
        return "unknown"


class Parser(argparse.ArgumentParser):
    """argparse with spikedesk's error line; the usage comes after it, not before."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"spikedesk: error: {message}\n")
        sys.stderr.write(f"usage: {self.format_usage().removeprefix('usage: ')}")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="spikedesk",
        description=__doc__.splitlines()[0],
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"spikedesk {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)  # fmt: skip
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (module_name + ".").startswith(exc.name + "."):
                raise  # only a missing subcommand module (or its package) is skipped
            continue  # a subcommand whose module is not built yet is simply not offered
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return fail("interrupted")


if __name__ == "__main__":
    sys.exit(main())
