"""The turn worker's wire format: length-prefixed pickles, one frame per turn or answer, over
the worker's stdin and stdout (both ends are this program, started together)."""

from __future__ import annotations

import asyncio
import pickle
import struct
from typing import IO, Any

_HEADER = struct.Struct(">I")


def encode_frame(call_id: int, payload: object) -> bytes:
    body = pickle.dumps((call_id, payload), protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


async def read_frame_async(stream: asyncio.StreamReader) -> tuple[int, Any]:
    (size,) = _HEADER.unpack(await stream.readexactly(_HEADER.size))
    call_id, payload = pickle.loads(await stream.readexactly(size))
    return int(call_id), payload


def read_frame(stream: IO[bytes]) -> tuple[int, Any] | None:
    """The next frame, or None at the end of input (the parent closed the pipe)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    call_id, payload = pickle.loads(stream.read(size))
    return int(call_id), payload


def take_frames(unread: bytearray) -> list[tuple[int, Any]]:
    """Every complete frame at the start of ``unread``, removed from it; a partial frame stays
    for the next read."""
    frames: list[tuple[int, Any]] = []
    offset = 0
    while len(unread) - offset >= _HEADER.size:
        (size,) = _HEADER.unpack_from(unread, offset)
        end = offset + _HEADER.size + size
        if len(unread) < end:
            break
        call_id, payload = pickle.loads(memoryview(unread)[offset + _HEADER.size : end])
        frames.append((int(call_id), payload))
        offset = end
    del unread[:offset]
    return frames
