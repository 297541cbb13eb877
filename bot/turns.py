"""Where chat turns run: in threads beside the event loop, or in a turn worker process.

A turn is Python CPU work (the ORM, the flow). In a thread it shares the GIL with the event loop
that acknowledges Slack and Teams requests, so every acknowledgement and reply waits behind it
and the second core sits idle. ``ProcessTurns`` runs the engine in a child process
(``python -m bot.turn_worker``) instead: the loop only pickles one small object each way, and
on SQLite the worker is the single writer the file wants. Drafting after a submit runs in the
worker too, which tells the parent when drafts exist so its channels can announce them.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import os
import pickle
import struct
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, Protocol

from bot.config import Settings
from bot.engine import Engine
from bot.messages import Inbound, TurnResult

log = logging.getLogger(__name__)

READY = -1
"""The call id of the worker's first frame: ("ready", None) or ("failed", message)."""
DRAFTED = -2
"""The call id of a frame the worker sends on its own: drafts exist for this request id."""
_HEADER = struct.Struct(">I")
_STOP_SECONDS = 10.0


class Turns(Protocol):
    async def start(self) -> None: ...

    async def handle(self, inbound: Inbound) -> TurnResult: ...

    async def close(self) -> None: ...


class TurnFailed(Exception):
    """A turn raised in the worker; the worker logged it under ``error_id``."""

    def __init__(self, error_id: str) -> None:
        super().__init__(f"the turn failed in the turn worker (error id {error_id})")
        self.error_id = error_id


class TurnWorkerUnavailable(Exception):
    """The worker could not start, or stopped with this turn unanswered."""


class ThreadTurns:
    """Turns in worker threads of this process (tests, the terminal, Socket Mode)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(
            max_workers=engine.max_parallel_turns, thread_name_prefix="turn"
        )

    async def start(self) -> None:
        return None

    async def handle(self, inbound: Inbound) -> TurnResult:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self.engine.handle, inbound
        )

    async def close(self) -> None:
        self._pool.shutdown(wait=False)


class ProcessTurns:
    """Turns in a child process, over its stdin and stdout as length-prefixed pickles.

    Requests are pipelined: many turns may be in flight, the worker answers each by its call
    id. If the worker dies, the turns in flight fail (the user is told, with an error id) and
    the next turn starts a new worker.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        on_drafted: Callable[[int], None] = lambda request_id: None,
        command: Sequence[str] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.on_drafted = on_drafted
        self._command = list(command or [sys.executable, "-m", "bot.turn_worker"])
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[tuple[Any, ...]]] = {}
        self._ids = itertools.count()
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        async with self._starting:
            if self._process is not None and self._process.returncode is None:
                return
            process = await asyncio.create_subprocess_exec(
                *self._command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=worker_environment(self.settings),
                limit=2**26,
            )
            assert process.stdout is not None
            try:
                call_id, (state, detail) = await read_frame_async(process.stdout)
            except (asyncio.IncompleteReadError, pickle.UnpicklingError):
                await process.wait()
                raise TurnWorkerUnavailable(
                    f"the turn worker exited at start (exit code {process.returncode}); "
                    "its log lines above say why"
                ) from None
            if call_id != READY or state != "ready":
                await process.wait()
                raise TurnWorkerUnavailable(f"the turn worker could not start: {detail}")
            self._process = process
            self._reader = asyncio.get_running_loop().create_task(self._read(process))
            log.info("turn worker %s started", process.pid)

    @property
    def worker_pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    async def handle(self, inbound: Inbound) -> TurnResult:
        frame_for = functools.partial(encode_frame, payload=inbound)
        try:
            answer = await self._send(frame_for)
        except (BrokenPipeError, ConnectionResetError):  # it died since the last turn
            log.warning("the turn worker had stopped; starting a new one for this turn")
            self._process = None
            answer = await self._send(frame_for)
        outcome = await answer
        if outcome[0] == "failed":
            raise TurnFailed(outcome[1])
        _, result, seconds = outcome
        self.engine.observe(seconds)
        return result

    async def _send(self, frame_for: Callable[[int], bytes]) -> asyncio.Future[tuple[Any, ...]]:
        """Write one turn to the worker (starting one if needed); the future gets its answer."""
        if self._process is None or self._process.returncode is not None:
            await self.start()
        process = self._process
        assert process is not None and process.stdin is not None
        call_id = next(self._ids)
        answer: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = answer
        try:
            process.stdin.write(frame_for(call_id))
            await process.stdin.drain()
        except BaseException:
            self._pending.pop(call_id, None)
            raise
        return answer

    async def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # end of input: the worker finishes what it has and exits
        try:
            await asyncio.wait_for(process.wait(), _STOP_SECONDS)
        except TimeoutError:
            log.warning("turn worker %s did not stop in time; killing it", process.pid)
            process.kill()
            await process.wait()
        if self._reader is not None:
            await self._reader

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                call_id, outcome = await read_frame_async(process.stdout)
                if call_id == DRAFTED:
                    self._announce(outcome)
                    continue
                answer = self._pending.pop(call_id, None)
                if answer is not None and not answer.done():
                    answer.set_result(outcome)
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError):
            pass
        code = await process.wait()
        if self._pending:
            log.error(
                "turn worker %s stopped (exit code %s) with %d turns unanswered; "
                "the next turn starts a new worker",
                process.pid,
                code,
                len(self._pending),
            )
        lost, self._pending = self._pending, {}
        for answer in lost.values():
            if not answer.done():
                answer.set_exception(TurnWorkerUnavailable("the turn worker stopped"))
        if self._process is process:
            self._process = None

    def _announce(self, request_id: int) -> None:
        try:
            self.on_drafted(request_id)
        except Exception:
            log.exception("announcing the drafts of request %s failed", request_id)


def worker_environment(settings: Settings) -> dict[str, str]:
    """This process's environment with its settings spelled out, so the worker reads the same
    settings even when they were built in code rather than from the environment."""
    environment = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is None:
            environment.pop(name.upper(), None)
        elif isinstance(value, bool):
            environment[name.upper()] = "true" if value else "false"
        else:
            environment[name.upper()] = str(value)
    return environment


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
