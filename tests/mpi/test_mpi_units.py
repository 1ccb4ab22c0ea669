"""The pieces without processes: launcher detection, frames, limits, loopback check."""

from __future__ import annotations

import io as stdio

import numpy as np
import pytest
from networks import brunel
from spikedesk.engine.mpi import environment, frames, limits
from spikedesk.engine.mpi.server_command import is_loopback


def test_launcher_detection_reads_only_the_environment():
    assert environment.launched_size({}) == 1
    assert environment.launched_size({"PMI_SIZE": "4", "PMI_RANK": "3"}) == 4
    assert environment.launched_rank({"PMI_SIZE": "4", "PMI_RANK": "3"}) == 3
    assert environment.launched_size({"OMPI_COMM_WORLD_SIZE": "2"}) == 2
    assert environment.launched_size({"PMI_SIZE": "junk"}) == 1


def test_frames_round_trip_events_with_any_recorder_id():
    events = {
        "a/b c": {"senders": np.array([3, 1], np.int64), "times": np.array([0.5, 1.5])},
        "vm": {"V_m": np.array([], np.float64)},
    }
    names, payload = frames.encode_events(events)
    stream = stdio.BytesIO(frames.pack({"type": "chunk", "arrays": names}, payload) +
                           frames.pack({"type": "done"}))  # fmt: skip
    header, data = frames.read(stream)
    back = frames.decode_events(header["arrays"], data)
    for rid, fields in events.items():
        for name, values in fields.items():
            assert back[rid][name].dtype == values.dtype
            np.testing.assert_array_equal(back[rid][name], values)
    assert frames.read(stream)[0] == {"type": "done"}
    assert frames.read(stream) is None


def test_truncated_frames_are_errors():
    raw = frames.pack({"type": "done"}, b"12345")
    with pytest.raises(frames.FrameError):
        frames.read(stdio.BytesIO(raw[:-2]))
    with pytest.raises(frames.FrameError):
        frames.read(stdio.BytesIO(frames.PREFIX.pack(2, 0) + b"{]"))


def test_limits_name_every_exceeded_limit():
    lim = limits.Limits(max_ranks=2, max_neurons=100, max_synapses=10, max_duration=50.0)
    found = {e.limit for e in limits.check(brunel(100.0), 3, lim)}
    assert found == {"ranks", "neurons", "synapses", "duration"}
    assert limits.check(brunel(100.0), 2, limits.Limits()) == []


@pytest.mark.parametrize(
    "address,loopback",
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.5", False), ("", False), ("example.org", False)],
)  # fmt: skip
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback
