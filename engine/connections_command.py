"""``spikedesk connections``: build a project (no run) and save every connection's synapses
as NPZ: ``<connection id>/sources``, ``targets`` (gids), ``weights``, ``delays`` (ms), in
NEST's GetConnections order (source, target, creation), and ``<node id>/positions`` (an
(n, dims) array) of every spatial node. Under ``mpiexec -n R`` every rank
builds its share and rank 0 writes the merged tables, equal to the single-process ones."""

from __future__ import annotations

import argparse

from spikedesk.engine.run_command import bounded, connection_arrays, position_arrays


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="spikedesk project file (.json)")
    parser.add_argument("-o", "--out", required=True, help="write the synapses to this .npz")
    parser.add_argument(
        "--threads", type=bounded(int, 1, 256), help="OpenMP threads (default: the project's)"
    )
    parser.add_argument(
        "--seed", type=bounded(int, 1, 2**32 - 1), help="random seed (default: the project's)"
    )


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from spikedesk.engine import EngineError, connections
    from spikedesk.engine.mpi import environment
    from spikedesk.engine.run_command import _world
    from spikedesk.project_files import io
    from spikedesk.project_files.cli_output import fail
    from spikedesk.project_files.validate_command import read_error
    from spikedesk.project_files.validation import ProjectError

    try:
        comm = _world()
    except ImportError:
        if environment.launched_rank() == 0:
            fail(environment.mpi4py_missing_message(environment.launched_size()))
        return 1
    root = comm is None or comm.Get_rank() == 0
    try:
        project = io.load(args.project)
    except ProjectError as exc:
        return fail(exc) if root else 1
    except OSError as exc:
        return fail(read_error(args.project, exc)) if root else 1
    except UnicodeDecodeError:
        return fail(f"{args.project}: not a text file") if root else 1
    try:
        if comm is None:
            tables = connections(project, threads=args.threads, seed=args.seed)
        else:
            from spikedesk.engine.mpi.distributed import RankRun

            rank_run = RankRun(project, comm, threads=args.threads, seed=args.seed)
            tables = rank_run.connections()
    except EngineError as exc:
        return fail(f"{args.project}: {exc}") if root else 1
    if not root:
        return 0
    try:
        with open(args.out, "wb") as f:
            np.savez(f, **connection_arrays(tables), **position_arrays(project, args.seed))
    except OSError as exc:
        return fail(f"{args.out}: {exc.strerror or exc}")
    total = sum(len(t["sources"]) for t in tables.values())
    print(f"{project.name}: {len(tables)} connections, {total} synapses written to {args.out}")
    return 0
