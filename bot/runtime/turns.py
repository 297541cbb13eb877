"""Where chat turns run: in threads beside the event loop, or in a turn worker process.

A turn is Python CPU work (the ORM, the flow). In a thread it shares the GIL with the event loop
that acknowledges Slack and Teams requests, so every acknowledgement and reply waits behind it
and the second core sits idle. ``ProcessTurns`` runs the engine in a child process
(``python -m bot.runtime.turn_worker``) instead: the loop only pickles one small object each way. On
SQLite the worker writes every turn, so turns never wait on each other across processes (the
server's own writes, decisions and verdicts, queue in SQLite's busy handler). Drafting after a
submit runs in the worker too, which tells the server when drafts exist so its channels can
announce them.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from pydantic import SecretStr

from bot.config import Settings
from bot.conversation.engine import Engine
from bot.messages import Inbound, TurnResult
from bot.runtime.frames import encode_frame, read_frame_async

log = logging.getLogger(__name__)

READY = -1
"""The call id of the worker's first frame: ("ready", None) or ("failed", message)."""
DRAFTED = -2
"""The call id of a frame the worker sends on its own: drafts exist for this request id."""
TURN_TIMEOUT_SECONDS = 60.0
"""A turn is database work; a worker silent this long is stuck, and is replaced."""
STOP_SECONDS = 60.0
"""How long a stopping worker may finish its turns and drafts (a model call included)."""
START_SECONDS = 60.0
RESTART_BACKOFF_SECONDS = 5.0
"""After a worker fails to start, turns fail at once for this long instead of each trying."""


class Turns(Protocol):
    kind: str
    """How turns run, for /healthz: "threads" or "worker process"."""

    async def start(self) -> None: ...

    def problem(self) -> str | None:
        """Why turns cannot run right now, or None."""
        ...

    async def handle(self, inbound: Inbound) -> TurnResult: ...

    async def close(self) -> None: ...


class TurnFailed(Exception):
    """A turn raised in the worker; the worker logged it under ``error_id``."""

    def __init__(self, error_id: str) -> None:
        super().__init__(f"the turn failed in the turn worker (error id {error_id})")
        self.error_id = error_id


class TurnWorkerUnavailable(Exception):
    """The worker could not start, or stopped with this turn unanswered. ``died``: it exited
    while the turn was in flight, so the turn may or may not have committed."""

    def __init__(self, reason: str, *, died: bool = False) -> None:
        super().__init__(reason)
        self.died = died


class ThreadTurns:
    """Turns in worker threads of this process (tests, the terminal, Socket Mode)."""

    kind = "threads"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(
            max_workers=engine.max_parallel_turns, thread_name_prefix="turn"
        )

    async def start(self) -> None:
        return None

    def problem(self) -> str | None:
        return None

    async def handle(self, inbound: Inbound) -> TurnResult:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self.engine.handle, inbound
        )

    async def close(self) -> None:
        self._pool.shutdown(wait=False)


class _Worker:
    """One worker process and the turns it owes answers for."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: dict[int, asyncio.Future[tuple[Any, ...]]] = {}
        self.reader: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        """Running, asked of the kernel: the loop learns of an exit a moment later, and a turn
        sent in that moment would be lost. WNOWAIT leaves the exit for asyncio to collect."""
        if self.process.returncode is not None:
            return False
        try:
            exited = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # collected already
            return False
        return exited is None

    def fail_pending(self, reason: str, *, died: bool = False) -> None:
        lost, self.pending = self.pending, {}
        for answer in lost.values():
            if not answer.done():
                answer.set_exception(TurnWorkerUnavailable(reason, died=died))


class ProcessTurns:
    """Turns in a child process, over its stdin and stdout as length-prefixed pickles.

    Requests are pipelined: many turns may be in flight, the worker answers each by its call
    id. If the worker dies or stops answering, the turns it owed fail (the user is told, with
    an error id) and the next turn starts a new worker. The worker reads app.yaml when it
    starts, like the server; after an edit, restart both.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        on_drafted: Callable[[int], None] = lambda request_id: None,
        command: Sequence[str] | None = None,
        turn_timeout: float = TURN_TIMEOUT_SECONDS,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.on_drafted = on_drafted
        self.turn_timeout = turn_timeout
        self._command = list(command or [sys.executable, "-m", "bot.runtime.turn_worker"])
        self._worker: _Worker | None = None
        self._ids = itertools.count()
        self._starting = asyncio.Lock()
        self._closed = False
        self._failed_at: float | None = None
        self._failure = ""

    kind = "worker process"

    def problem(self) -> str | None:
        if self._closed:
            return "the server is stopping"
        return self._failure if self._failed_at is not None else None

    @property
    def worker_pid(self) -> int | None:
        worker = self._worker
        return worker.process.pid if worker is not None and worker.alive else None

    @property
    def in_flight(self) -> int:
        """Turns sent to the worker and not yet answered."""
        return len(self._worker.pending) if self._worker is not None else 0

    async def start(self) -> None:
        await self._current()

    async def handle(self, inbound: Inbound) -> TurnResult:
        """A turn in flight when the worker died runs again on a new one: a turn with a
        delivery id is recognised if it had committed (its replies are in the outbox), and
        otherwise it runs now, so the person never hears of a failure that did not happen."""
        try:
            return await self._handle_once(inbound)
        except TurnWorkerUnavailable as exc:
            if not exc.died or inbound.event_id is None or self._closed:
                raise
            log.warning("the turn worker died with a turn in flight; running it again")
            return await self._handle_once(inbound)

    async def _handle_once(self, inbound: Inbound) -> TurnResult:
        frame_for = functools.partial(encode_frame, payload=inbound)
        worker = await self._current()
        try:
            call_id, answer = await self._send(worker, frame_for)
        except (BrokenPipeError, ConnectionResetError):  # it died since the last turn
            log.warning("turn worker %s had stopped; starting a new one", worker.process.pid)
            worker = await self._current(replacing=worker)
            call_id, answer = await self._send(worker, frame_for)
        try:
            outcome = await asyncio.wait_for(asyncio.shield(answer), self.turn_timeout)
        except TimeoutError:
            worker.pending.pop(call_id, None)
            log.error(
                "turn worker %s gave no answer in %.0f s; replacing it",
                worker.process.pid,
                self.turn_timeout,
            )
            self._kill(worker, "the turn worker stopped answering")
            raise TurnWorkerUnavailable("the turn worker stopped answering") from None
        if outcome[0] == "failed":
            raise TurnFailed(outcome[1])
        _, result, seconds = outcome
        self.engine.observe(seconds)
        return result

    async def close(self) -> None:
        """No new turns; the worker finishes the ones it has (and its drafts), then exits."""
        self._closed = True
        async with self._starting:
            worker, self._worker = self._worker, None
        if worker is None:
            return
        if worker.process.stdin is not None:
            worker.process.stdin.close()  # end of input
        try:
            await asyncio.wait_for(worker.process.wait(), STOP_SECONDS)
        except TimeoutError:
            log.warning("turn worker %s did not stop in time; killing it", worker.process.pid)
            self._kill(worker, "the server stopped")
            await worker.process.wait()
        if worker.reader is not None:
            await worker.reader

    # -- inside ------------------------------------------------------------------------------

    async def _current(self, *, replacing: _Worker | None = None) -> _Worker:
        """The running worker, started if there is none (or if ``replacing`` is still it)."""
        if self._closed:
            raise TurnWorkerUnavailable("the server is stopping")
        worker = self._worker
        if worker is not None and worker.alive and worker is not replacing:
            return worker
        async with self._starting:
            if self._closed:
                raise TurnWorkerUnavailable("the server is stopping")
            worker = self._worker
            if worker is not None and worker.alive and worker is not replacing:
                return worker  # another turn started one meanwhile
            if worker is not None:
                self._kill(worker, "the turn worker stopped", died=True)
            self._worker = None
            if (
                self._failed_at is not None
                and time.monotonic() - self._failed_at < RESTART_BACKOFF_SECONDS
            ):
                raise TurnWorkerUnavailable(self._failure)
            try:
                worker = await self._spawn()
            except TurnWorkerUnavailable as exc:
                self._failed_at, self._failure = time.monotonic(), str(exc)
                raise
            self._failed_at = None
            self._worker = worker
            return worker

    async def _spawn(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            *self._command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=worker_environment(self.settings),
            limit=2**26,
            start_new_session=True,  # Ctrl-C in the server's terminal is the server's to handle
        )
        assert process.stdout is not None
        try:
            call_id, (state, detail) = await asyncio.wait_for(
                read_frame_async(process.stdout), START_SECONDS
            )
        except (TimeoutError, asyncio.IncompleteReadError, pickle.UnpicklingError, ValueError):
            if process.returncode is None:
                process.kill()
            await process.wait()
            raise TurnWorkerUnavailable(
                f"the turn worker did not start (exit code {process.returncode}); "
                "its log lines above say why"
            ) from None
        if call_id != READY or state != "ready":
            await process.wait()
            raise TurnWorkerUnavailable(f"the turn worker could not start: {detail}")
        worker = _Worker(process)
        worker.reader = asyncio.get_running_loop().create_task(self._read(worker))
        log.info("turn worker %s started", process.pid)
        return worker

    async def _send(
        self, worker: _Worker, frame_for: Callable[[int], bytes]
    ) -> tuple[int, asyncio.Future[tuple[Any, ...]]]:
        """Write one turn; the future gets its answer. BrokenPipeError: the worker is gone."""
        stdin = worker.process.stdin
        assert stdin is not None
        if stdin.is_closing():
            raise BrokenPipeError
        call_id = next(self._ids)
        answer: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        worker.pending[call_id] = answer
        try:
            stdin.write(frame_for(call_id))
            await stdin.drain()
        except BaseException:
            worker.pending.pop(call_id, None)
            raise
        return call_id, answer

    async def _read(self, worker: _Worker) -> None:
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                call_id, outcome = await read_frame_async(stdout)
                if call_id == DRAFTED:
                    self._announce(outcome)
                    continue
                answer = worker.pending.pop(call_id, None)
                if answer is not None and not answer.done():
                    answer.set_result(outcome)
        except asyncio.IncompleteReadError:
            pass  # end of output: the worker exited
        except Exception:  # a garbled frame: nothing after it can be trusted
            log.exception("unreadable answer from turn worker %s", worker.process.pid)
        if worker.alive:
            worker.process.kill()
        code = await worker.process.wait()
        if worker.pending:
            log.error(
                "turn worker %s stopped (exit code %s) with %d turns unanswered",
                worker.process.pid,
                code,
                len(worker.pending),
            )
        worker.fail_pending("the turn worker stopped", died=True)

    def _kill(self, worker: _Worker, reason: str, *, died: bool = False) -> None:
        if worker.alive:
            worker.process.kill()  # its reader sees the end of output and cleans up
        worker.fail_pending(reason, died=died)

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
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None:
            environment.pop(name.upper(), None)
        elif isinstance(value, bool):
            environment[name.upper()] = "true" if value else "false"
        else:
            environment[name.upper()] = str(value)
    return environment
