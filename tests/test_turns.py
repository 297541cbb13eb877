"""The turn worker process seen from the server: turns owed by a dead worker fail, one new
worker takes over however many turns arrive at once, and a stopped server refuses turns."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import Settings
from bot.messages import Inbound, PersonRef, TurnResult
from bot.runtime.frames import encode_frame, take_frames
from bot.runtime.turns import ProcessTurns, TurnWorkerUnavailable
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.processes import wait_until_gone


@pytest.fixture
def app(tmp_path: Path) -> App:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'turns.db'}",
        triage_config=PROJECT_ROOT / "app.yaml",
    )
    return build_app(settings)


def person(n: int) -> PersonRef:
    return PersonRef(platform="slack", user_id=f"U{n}", workspace_id="T1")


async def in_flight_when_the_worker_dies(
    app: App, tmp_path: Path, inbounds: list[Inbound]
) -> tuple[ProcessTurns, int, sqlite3.Connection, list[asyncio.Task[TurnResult]]]:
    """Turns sent to a worker that waits for the write lock, then the worker killed."""
    turns = ProcessTurns(app.engine, app.settings)
    await turns.start()
    first = turns.worker_pid
    assert first is not None
    blocker = sqlite3.connect(tmp_path / "turns.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the worker's turns wait for the write lock
    owed = [asyncio.create_task(turns.handle(inbound)) for inbound in inbounds]
    while turns.in_flight < len(inbounds):
        await asyncio.sleep(0)
    os.kill(first, signal.SIGKILL)
    return turns, first, blocker, owed


def test_turns_a_dead_worker_owed_fail_and_the_next_turn_gets_a_new_worker(
    app: App, tmp_path: Path
) -> None:
    async def scenario() -> None:
        turns, first, blocker, owed = await in_flight_when_the_worker_dies(
            app, tmp_path, [Inbound.say(person(n), "hi") for n in range(3)]
        )
        outcomes = await asyncio.gather(*owed, return_exceptions=True)
        assert all(isinstance(o, TurnWorkerUnavailable) for o in outcomes), outcomes
        blocker.rollback()
        blocker.close()
        result = await turns.handle(Inbound.say(person(9), "hi"))
        assert "What task is failing?" in " ".join(m.text for m in result.messages)
        assert turns.worker_pid not in (None, first)
        await turns.close()

    asyncio.run(scenario())


def test_turns_with_a_delivery_id_run_again_when_the_worker_dies_under_them(
    app: App, tmp_path: Path
) -> None:
    """Nobody is told of a failure that did not happen: the turns run on the next worker, and
    a turn that had committed would be recognised by its id instead of running twice."""

    async def scenario() -> None:
        turns, first, blocker, owed = await in_flight_when_the_worker_dies(
            app, tmp_path, [Inbound.say(person(n), "hi", event_id=f"Ev{n}") for n in range(3)]
        )
        wait_until_gone(first)
        blocker.rollback()
        blocker.close()
        results = await asyncio.gather(*owed)
        assert all("What task is failing?" in r.messages[-1].text for r in results)
        assert turns.worker_pid not in (None, first)
        again = await turns.handle(Inbound.say(person(0), "hi", event_id="Ev0"))
        assert again.duplicate
        await turns.close()

    asyncio.run(scenario())


def test_many_turns_after_a_worker_died_share_one_new_worker(app: App) -> None:
    async def scenario() -> None:
        turns = ProcessTurns(app.engine, app.settings)
        await turns.start()
        first = turns.worker_pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        wait_until_gone(first)
        results = await asyncio.gather(
            *(turns.handle(Inbound.say(person(n), "hi")) for n in range(5))
        )
        assert all(r.messages for r in results)
        assert turns.worker_pid not in (None, first)
        assert _turn_workers() == [turns.worker_pid], "no orphaned worker"
        more = await turns.handle(Inbound.say(person(0), GOOD_ANSWERS[0]))
        assert more.asking == "performer"
        await turns.close()
        assert _turn_workers() == []

    asyncio.run(scenario())


def test_a_stopped_server_refuses_turns_instead_of_starting_a_worker(app: App) -> None:
    async def scenario() -> None:
        turns = ProcessTurns(app.engine, app.settings)
        await turns.start()
        await turns.close()
        with pytest.raises(TurnWorkerUnavailable, match="stopping"):
            await turns.handle(Inbound.say(person(1), "hi"))
        assert _turn_workers() == []

    asyncio.run(scenario())


def _turn_workers() -> list[int]:
    """This process's live children running bot.runtime.turn_worker."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that ended while we looked
            continue
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
                state = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()[0]
            except FileNotFoundError:
                continue
            if b"bot.runtime.turn_worker" in command and state != "Z":
                found.append(int(child))
    return found


def test_frames_split_across_reads_come_out_whole_and_in_order() -> None:
    sent = [(n, Inbound.say(person(n), "x" * n * 1000)) for n in range(1, 4)]
    stream = b"".join(encode_frame(call_id, inbound) for call_id, inbound in sent)
    unread = bytearray()
    received = []
    for start in range(0, len(stream), 3):  # reads that end mid-header and mid-body
        unread += stream[start : start + 3]
        received.extend(take_frames(unread))
    assert received == sent
    assert unread == bytearray()
