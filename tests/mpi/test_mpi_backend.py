"""``MPIBackend`` streams the same chunks as ``EmbeddedBackend``: same times, same node ids and,
merged, bit-identical events, for any ranks x threads."""

from __future__ import annotations

import numpy as np
import pytest
from mpi_tools import TOKEN
from networks import brunel, every_rule
from spikedesk.engine import merge
from spikedesk.engine.backends import Backend, EmbeddedBackend, MPIBackend


@pytest.mark.parametrize(
    "make,ranks,threads",
    [(brunel, 1, 1), (brunel, 2, 1), (brunel, 4, 1), (brunel, 2, 2), (every_rule, 3, 1)],
    ids=["brunel-1x1", "brunel-2x1", "brunel-4x1", "brunel-2x2", "every_rule-3x1"],
)
def test_remote_chunks_equal_embedded_chunks(server, make, ranks, threads):
    project = make(threads=threads)
    backend: Backend = MPIBackend(server.url, token=TOKEN, ranks=ranks)
    remote = list(backend.run(project, chunk=40.0))
    local = list(EmbeddedBackend().run(project, chunk=40.0))
    assert [c.time for c in remote] == [c.time for c in local]
    assert remote[-1].duration == local[-1].duration == project.simulation.duration
    assert dict(remote[-1].node_ids) == dict(local[-1].node_ids)
    got, expected = merge([c.events for c in remote]), merge([c.events for c in local])
    assert got.keys() == expected.keys()
    for rid, fields in expected.items():
        assert got[rid].keys() == fields.keys()
        for name, values in fields.items():
            assert got[rid][name].dtype == values.dtype
            np.testing.assert_array_equal(got[rid][name], values, err_msg=f"{rid}.{name}")


def test_info_reports_limits_and_default_ranks(server):
    info = MPIBackend(server.url, token=TOKEN).info()
    assert info["ranks"] == 2 and info["limits"]["max_ranks"] == 4


def test_run_is_lazy_like_the_embedded_backend():
    from networks import brunel
    from spikedesk.engine.backends import MPIConnectionError

    stream = MPIBackend("http://127.0.0.1:9", token=TOKEN).run(brunel(10.0))  # nothing sent yet
    with pytest.raises(MPIConnectionError):
        next(stream)
