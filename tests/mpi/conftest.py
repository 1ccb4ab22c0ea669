"""Distributed-run tests: skipped without the MPI extra; a real ``spikedesk mpi-server``
fixture with small limits so the refusal tests are cheap."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mpi_tools import LIMIT_FLAGS, MPIEXEC, Server, start_server, stop_server  # noqa: E402

if importlib.util.find_spec("mpi4py") is None or not MPIEXEC.exists():
    pytest.skip("needs the MPI extra: pip install '.[mpi]'", allow_module_level=True)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.mpi)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = start_server(*LIMIT_FLAGS)
    yield srv
    stop_server(srv)
