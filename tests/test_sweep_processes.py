"""Exactly-once across processes on PostgreSQL: two sweepers racing, and one killed mid-sweep."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config import AppConfig
from bot.conversation.engine import Engine
from bot.decisions.desk import DecisionDesk
from bot.messages import PersonRef
from bot.reminders.sweep import CLAIM_EXPIRES, SWEEP_LOCK, sweep
from bot.storage.database import Database
from tests.decisions.test_desk import LEAD, Recorder, assign_to
from tests.support.cli import PROJECT_ROOT
from tests.support.clock import FakeClock

pytestmark = pytest.mark.postgres

CLAIMER = """
import json, sys
from datetime import datetime
from bot.reminders.sweep import claim_due
from bot.storage.database import Database
database = Database(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
claimed = []
while batch := claim_due(database, now=now, limit=3):
    claimed += [n.reminder_id for n in batch]
print(json.dumps(claimed))
"""

DIES_AFTER_CLAIMING = """
import os, sys
from datetime import datetime
from bot.reminders.sweep import sweep
from bot.storage.database import Database

class DiesOnSend:
    def deliver(self, nudges):
        os._exit(9)  # killed after the claim, before anything was sent
    def escalate(self, nudge, problem):
        os._exit(9)

database, now = Database(sys.argv[1]), datetime.fromisoformat(sys.argv[2])
sweep(database, now=now, senders={"terminal": DiesOnSend()})
"""


@pytest.fixture
def postgres(database: Database) -> Iterator[Database]:
    if not database.is_postgresql:
        pytest.skip("this is about processes sharing one PostgreSQL database")
    yield database


@pytest.fixture
def desk(postgres: Database, app_config: AppConfig, clock: FakeClock) -> DecisionDesk:
    review = app_config.review.model_copy(update={"terminal_reviewers": (LEAD.user_id,)})
    config = app_config.model_copy(update={"review": review})
    return DecisionDesk(database=postgres, config=config, clock=clock)


def _child(script: str, database: Database, now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, database.url, now],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_sweeping_processes_claim_each_reminder_once(
    engine: Engine, desk: DecisionDesk, postgres: Database, clock: FakeClock
) -> None:
    owners = [PersonRef(platform="terminal", user_id=f"owner{n}") for n in range(12)]
    assign_to(engine, desk, owners)  # twelve "you own it" notices, all due now
    children = [_child(CLAIMER, postgres, clock().isoformat()) for _ in range(2)]
    claimed = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        claimed.append(json.loads(out))
    first, second = map(set, claimed)
    assert not first & second
    assert len(first | second) == 12 and len(claimed[0]) + len(claimed[1]) == 12


def test_a_sweeper_killed_after_claiming_leaves_the_reminders_to_the_next(
    engine: Engine, desk: DecisionDesk, postgres: Database, clock: FakeClock
) -> None:
    owners = [PersonRef(platform="terminal", user_id=f"owner{n}") for n in range(3)]
    assign_to(engine, desk, owners)
    child = _child(DIES_AFTER_CLAIMING, postgres, clock().isoformat())
    child.communicate(timeout=60)
    assert child.returncode == 9
    _wait_for_the_dead_sweepers_lock(postgres)
    survivor = Recorder()
    assert sweep(postgres, now=clock(), senders={"terminal": survivor}).sent == 0  # still claimed
    later = clock() + CLAIM_EXPIRES + timedelta(seconds=1)
    assert sweep(postgres, now=later, senders={"terminal": survivor}).sent == 3
    assert sorted(n.recipient_user_id for b in survivor.delivered for n in b) == [
        o.user_id for o in owners
    ]


def _wait_for_the_dead_sweepers_lock(database: Database) -> None:
    """PostgreSQL frees a killed session's advisory lock once its backend sees the socket
    close; a blocking acquire (bounded by a statement timeout) waits for exactly that."""
    with database.engine.connect() as connection:
        connection.exec_driver_sql("SET statement_timeout = '10s'")
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({SWEEP_LOCK})")
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({SWEEP_LOCK})")
        connection.commit()
