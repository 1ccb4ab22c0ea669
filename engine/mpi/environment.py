"""Is this process one rank of an ``mpiexec`` launch? Answered from the environment alone, so
that a plain ``spikedesk run`` never imports mpi4py (or needs it installed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

# Launchers announce the world size to every rank: MPICH/Hydra and Intel MPI (PMI_SIZE),
# Open MPI (OMPI_COMM_WORLD_SIZE), PMIx launchers (PMIX_SIZE), MVAPICH (MV2_COMM_WORLD_SIZE).
SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MV2_COMM_WORLD_SIZE")
RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "MV2_COMM_WORLD_RANK")


def _first_int(env: Mapping[str, str], names: tuple[str, ...]) -> int | None:
    for name in names:
        try:
            return int(env[name])
        except (KeyError, ValueError):
            continue
    return None


def launched_size(env: Mapping[str, str] | None = None) -> int:
    """The number of ranks the launcher announced; 1 when not launched by ``mpiexec``."""
    size = _first_int(os.environ if env is None else env, SIZE_VARIABLES)
    return size if size is not None and size > 0 else 1


def launched_rank(env: Mapping[str, str] | None = None) -> int:
    """This process's rank as the launcher announced it (0 when not launched)."""
    return _first_int(os.environ if env is None else env, RANK_VARIABLES) or 0


def mpiexec_path() -> Path:
    """The venv's own ``mpiexec`` (from the PyPI ``mpich`` wheel). A system Open MPI
    ``mpiexec`` with the venv's MPICH library makes ranks exit with code 16, so never rely on
    PATH."""
    return Path(sys.executable).parent / "mpiexec"


def mpi4py_missing_message(size: int) -> str:
    return (
        f"this run was launched with {size} MPI ranks but mpi4py cannot be imported; "
        "install the MPI extra: pip install 'spikedesk[mpi]'"
    )
