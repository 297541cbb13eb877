"""The turn worker (``python -m bot.runtime.turn_worker``), started by ``ProcessTurns``.

It reads turns (length-prefixed pickles) on stdin and answers each on the original stdout by
call id; stdout itself is pointed at stderr so a stray print can never corrupt a frame. On
SQLite the turns that queued up while the last batch ran go in one transaction (the file has one
writer anyway, and a commit costs as much as a turn); on PostgreSQL, as many run at once as the
engine allows, in threads. Drafting after a submit runs here too (rule-based drafts between
batches, a model's in the background), and a DRAFTED frame tells the server when the drafts
exist. End of input means the server is stopping: finish, let drafts in progress finish, exit.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO

from bot.app import App, build_app
from bot.config import Settings
from bot.conversation.engine import BATCH_LIMIT
from bot.log_setup import configure_logging
from bot.messages import Inbound
from bot.runtime.frames import encode_frame, read_frame, take_frames
from bot.runtime.heap import freeze_startup_objects
from bot.runtime.turns import DRAFTED, READY

log = logging.getLogger("bot.runtime.turn_worker")


def main() -> int:
    # The server decides when the worker stops (end of input). It starts the worker in a
    # session of its own, out of reach of Ctrl-C in its terminal; a service manager's SIGTERM
    # to the whole group must not cut a turn short either.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    frames_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        settings = Settings()
        configure_logging(settings, interactive=False)
        drafted: list[Callable[[int], None]] = []  # set once there is a pipe to say it on
        app = build_app(
            settings,
            create_if_empty=False,
            on_drafted=lambda request_id: drafted[0](request_id),
            collect_submitted=True,
        )
    except Exception as exc:  # tell the server why, in words, then stop
        frames_out.write(encode_frame(READY, ("failed", f"{type(exc).__name__}: {exc}")))
        frames_out.flush()
        return 2
    freeze_startup_objects()
    frames_out.write(encode_frame(READY, ("ready", None)))
    frames_out.flush()
    try:
        serve(app, sys.stdin.buffer, frames_out, drafted)
    finally:
        app.close()
    return 0


def serve(
    app: App,
    frames_in: IO[bytes],
    frames_out: IO[bytes],
    drafted: list[Callable[[int], None]] | None = None,
) -> None:
    write_lock = threading.Lock()

    def send(call_id: int, payload: object, *, flush: bool = True) -> None:
        try:
            frame = encode_frame(call_id, payload)
        except Exception:  # an answer that cannot be pickled still gets an answer
            error_id = uuid.uuid4().hex[:8]
            log.error("error %s: answer %s could not be encoded", error_id, call_id, exc_info=True)
            frame = encode_frame(call_id, ("failed", error_id))
        with write_lock:
            frames_out.write(frame)  # buffered: the whole frame, or an error
            if flush:
                frames_out.flush()

    def answer(call_id: int, inbound: Inbound) -> None:
        started = time.perf_counter()
        try:
            outcome: tuple[object, ...] = (
                "ok",
                app.engine.handle(inbound),
                time.perf_counter() - started,
            )
        except Exception as exc:
            outcome = _failed(inbound, exc)
        send(call_id, outcome)

    def answer_batch(frames: list[tuple[int, Inbound]]) -> None:
        started = time.perf_counter()
        results = app.engine.handle_batch([inbound for _, inbound in frames])
        seconds = time.perf_counter() - started
        for (call_id, inbound), result in zip(frames, results, strict=True):
            outcome = (
                _failed(inbound, result)
                if isinstance(result, Exception)
                else ("ok", result, seconds)
            )
            send(call_id, outcome, flush=False)
        with write_lock:
            frames_out.flush()  # one write for the whole batch's answers

    if drafted is not None:  # drafts that exist are told to the server, which announces them
        drafted[:] = [lambda request_id: send(DRAFTED, request_id)]
    if app.engine.max_parallel_turns == 1:
        submitted = app.submitted  # set when drafting is the worker's own job between batches
        for frames in _batches(frames_in):
            answer_batch(frames)
            if submitted:
                for request_id in app.assistant.draft_many(submitted):
                    app.announce_drafts(request_id)
                submitted.clear()
        return
    with ThreadPoolExecutor(app.engine.max_parallel_turns, thread_name_prefix="turn") as pool:
        while (frame := read_frame(frames_in)) is not None:
            pool.submit(answer, *frame)


def _failed(inbound: Inbound, exc: Exception) -> tuple[str, str]:
    """The answer for a turn that raised: logged here in full, under an id the user is shown."""
    error_id = uuid.uuid4().hex[:8]
    log.error(
        "error %s in a turn for %s",
        error_id,
        inbound.person.user_id,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return ("failed", error_id)


def _batches(frames_in: IO[bytes]) -> Iterator[list[tuple[int, Inbound]]]:
    """Turns as they queue up: whatever has arrived while the last batch ran, up to the
    engine's limit, so under load one commit serves many turns and a lone turn never waits.
    Read straight from the pipe, in this thread: a reader thread would fight the turns for
    the GIL on every frame."""
    fd = frames_in.fileno()
    unread = bytearray()
    waiting: deque[tuple[int, Inbound]] = deque()
    is_open = True
    while is_open or waiting:
        if is_open and not waiting:
            is_open = _read_into(fd, unread)  # blocks until the server sends something
        while is_open and select.select([fd], [], [], 0)[0]:
            is_open = _read_into(fd, unread)
        waiting.extend(take_frames(unread))
        if waiting:
            yield [waiting.popleft() for _ in range(min(BATCH_LIMIT, len(waiting)))]


def _read_into(fd: int, unread: bytearray) -> bool:
    """False at end of input: the server closed the pipe."""
    chunk = os.read(fd, 1 << 16)
    unread += chunk
    return bool(chunk)


if __name__ == "__main__":
    sys.exit(main())
