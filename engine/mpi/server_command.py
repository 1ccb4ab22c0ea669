"""``spikedesk mpi-server``: serve distributed runs over HTTP (see ``server`` for the API).

A bearer token is required unless ``--insecure`` is given, and ``--insecure`` is refused on any
address that is not loopback: an open server would let anyone on the network use the
machine's cores. Without ``--token`` the token comes from ``SPIKEDESK_MPI_TOKEN`` or is made up
and printed once.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets

TOKEN_VARIABLE = "SPIKEDESK_MPI_TOKEN"


def configure(parser: argparse.ArgumentParser) -> None:
    from spikedesk.engine.mpi.jobs import Timeouts
    from spikedesk.engine.mpi.limits import Limits

    lim, tmo = Limits(), Timeouts()
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=int, default=8707, help="port, 0 for any free port (%(default)s)"
    )
    parser.add_argument(
        "--ranks", type=int, default=2, help="MPI ranks of a run that names none (%(default)s)"
    )
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument("--token", help=f"bearer token clients must send (or ${TOKEN_VARIABLE})")
    auth.add_argument("--insecure", action="store_true",
                      help="no token at all; only allowed on a loopback address")  # fmt: skip
    limits = parser.add_argument_group("limits per run")
    limits.add_argument("--max-ranks", type=int, default=lim.max_ranks, help="default %(default)s")
    limits.add_argument("--max-threads", type=int, default=lim.max_threads,
                        help="OpenMP threads per rank, more are clamped (%(default)s)")  # fmt: skip
    limits.add_argument(
        "--max-neurons", type=int, default=lim.max_neurons, help="default %(default)s"
    )
    limits.add_argument("--max-synapses", type=float, default=lim.max_synapses,
                        help="expected synapses (%(default).0f)")  # fmt: skip
    limits.add_argument("--max-duration", type=float, default=lim.max_duration,
                        help="simulated ms (%(default)s)")  # fmt: skip
    limits.add_argument("--max-body", type=int, default=lim.max_body,
                        help="bytes of project JSON (%(default)s)")  # fmt: skip
    limits.add_argument("--max-runs", type=int, default=lim.max_runs,
                        help="runs at the same time, more get 503 (%(default)s)")  # fmt: skip
    watch = parser.add_argument_group("failure detection (seconds)")
    watch.add_argument("--start-timeout", type=float, default=tmo.start,
                       help="launch until rank 0 connects (%(default)s)")  # fmt: skip
    watch.add_argument("--build-timeout", type=float, default=tmo.build,
                       help="until every rank has built its network (%(default)s)")  # fmt: skip
    watch.add_argument("--heartbeat-timeout", type=float, default=tmo.heartbeat,
                       help="silence before a launch counts as hung (%(default)s)")  # fmt: skip


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    import asyncio
    import importlib.util
    import logging

    from spikedesk.engine.mpi.environment import mpiexec_path
    from spikedesk.engine.mpi.jobs import Timeouts
    from spikedesk.engine.mpi.limits import Limits
    from spikedesk.engine.mpi.server import ServerConfig, serve
    from spikedesk.project_files.cli_output import fail

    if args.insecure and not is_loopback(args.address):
        fail(f"--insecure is refused on {args.address}: without a token anyone who can "
             "reach that address could run simulations; use a token or 127.0.0.1")  # fmt: skip
        return 2
    if not mpiexec_path().exists() or importlib.util.find_spec("mpi4py") is None:
        return fail(f"MPI is not installed ({mpiexec_path()} or mpi4py missing); "
                    "install it with: pip install 'spikedesk[mpi]'")  # fmt: skip
    if args.ranks < 1 or args.ranks > args.max_ranks:
        fail(f"--ranks {args.ranks}: must be between 1 and --max-ranks ({args.max_ranks})")
        return 2
    token = None
    if not args.insecure:
        token = args.token or os.environ.get(TOKEN_VARIABLE)
        if not token:
            token = secrets.token_urlsafe(24)
            print(f"token: {token}", flush=True)
    config = ServerConfig(
        token=token,
        ranks=args.ranks,
        limits=Limits(
            max_ranks=args.max_ranks,
            max_threads=args.max_threads,
            max_neurons=args.max_neurons,
            max_synapses=args.max_synapses,
            max_duration=args.max_duration,
            max_body=args.max_body,
            max_runs=args.max_runs,
        ),
        timeouts=Timeouts(args.start_timeout, args.build_timeout, args.heartbeat_timeout),
    )
    # one line per request (tornado.access) and every handler error, on stderr
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        asyncio.run(serve(config, args.address, args.port, announce=_announce(token)))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        return fail(f"--address {args.address} --port {args.port}: cannot listen: {exc}")
    return 0


def _announce(token: str | None):
    def announce(url: str) -> None:
        auth = "bearer token required" if token else "NO authentication (--insecure)"
        print(f"spikedesk mpi-server listening on {url} ({auth})", flush=True)

    return announce
