"""The ``spikedesk`` command. Each subcommand lives in the module that owns its work;
that module exposes ``configure(parser)`` and ``run(args) -> int`` and keeps heavy imports
(Panel, the engine) inside ``run`` so ``spikedesk --help`` stays fast."""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "serve": ("spikedesk.app.serve_command", "start the web app"),
    "run": ("spikedesk.engine.run_command", "simulate a project headless"),
    "validate": ("spikedesk.project_files.validate_command", "check a project file"),
    "convert": ("spikedesk.project_files.convert_command", "import NEST Desktop / export PyNEST"),
    "models": ("spikedesk.project_files.models_command", "list the models, or show one"),
    "mpi-server": ("spikedesk.engine.mpi.server_command", "serve MPI runs over HTTP"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spikedesk", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
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
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
