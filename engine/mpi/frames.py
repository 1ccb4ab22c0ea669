"""The one wire format of distributed runs, used twice: worker rank 0 -> server (Unix socket)
and server -> HTTP client (chunked response body). Keeping both hops identical means the
server forwards chunk frames without decoding them.

A frame is ``>II`` (header length, payload length), a UTF-8 JSON header object with a
``"type"``, then the payload bytes. A ``chunk`` frame's payload is an uncompressed ``.npz``
whose arrays ``a0, a1, ...`` are the ``[recorder, field]`` pairs listed in the header's
``"arrays"`` (recorder ids may contain any character, so they are not used as npz keys).
Only NumPy's own array format is read (``allow_pickle=False``): frames carry data, never code.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Mapping
from typing import BinaryIO

import numpy as np

PREFIX = struct.Struct(">II")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 1 << 31

Events = dict[str, dict[str, np.ndarray]]


class FrameError(ValueError):
    """The byte stream is not a sequence of frames (truncated, oversized or not JSON)."""


def pack(header: Mapping, payload: bytes = b"") -> bytes:
    data = json.dumps(header, separators=(",", ":")).encode()
    return PREFIX.pack(len(data), len(payload)) + data + payload


def unpack_prefix(prefix: bytes) -> tuple[int, int]:
    if len(prefix) != PREFIX.size:
        raise FrameError("stream ended inside a frame prefix")
    header_len, payload_len = PREFIX.unpack(prefix)
    if header_len > MAX_HEADER or payload_len > MAX_PAYLOAD:
        raise FrameError(f"frame too large (header {header_len}, payload {payload_len} bytes)")
    return header_len, payload_len


def parse_header(data: bytes) -> dict:
    try:
        header = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FrameError(f"frame header is not JSON: {exc}") from None
    if not isinstance(header, dict) or "type" not in header:
        raise FrameError("frame header has no type")
    return header


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    parts, left = [], n
    while left:
        data = stream.read(left)
        if not data:
            break
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def read(stream: BinaryIO) -> tuple[dict, bytes] | None:
    """The next frame of a blocking stream; ``None`` at a clean end of stream."""
    prefix = _read_exactly(stream, PREFIX.size)
    if not prefix:
        return None
    header_len, payload_len = unpack_prefix(prefix)
    header_data = _read_exactly(stream, header_len)
    payload = _read_exactly(stream, payload_len)
    if len(header_data) != header_len or len(payload) != payload_len:
        raise FrameError("stream ended inside a frame")
    return parse_header(header_data), payload


def encode_events(events: Events) -> tuple[list[list[str]], bytes]:
    """``(arrays, npz bytes)`` for a chunk frame's header and payload."""
    names: list[list[str]] = []
    arrays: dict[str, np.ndarray] = {}
    for rid, fields in events.items():
        for field, values in fields.items():
            arrays[f"a{len(names)}"] = np.ascontiguousarray(values)
            names.append([rid, field])
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return names, buffer.getvalue()


def decode_events(names: list, payload: bytes) -> Events:
    events: Events = {}
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        for i, (rid, field) in enumerate(names):
            events.setdefault(rid, {})[field] = npz[f"a{i}"]
    return events


def chunk_frame(
    time: float, duration: float, wall: float, events: Events, node_ids: Mapping
) -> bytes:
    names, payload = encode_events(events)
    header = {
        "type": "chunk",
        "time": time,
        "duration": duration,
        "wall": wall,
        "node_ids": {k: list(v) for k, v in node_ids.items()},
        "arrays": names,
    }
    return pack(header, payload)
