"""Waiting on processes the tests kill, without sleeping."""

from __future__ import annotations

import os
import select


def wait_until_gone(pid: int, timeout: float = 10.0) -> None:
    """Until the process has exited: a pidfd becomes readable when its process ends."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        readable, _, _ = select.select([handle], [], [], timeout)
    finally:
        os.close(handle)
    assert readable, f"process {pid} still running after {timeout} s"
