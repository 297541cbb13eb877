"""Decisions with owners, and the sweep that sends each reminder exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import AppConfig
from bot.engine import Engine
from bot.flows.decisions import DecisionDesk
from bot.messages import PersonRef
from bot.reminders import CLAIM_EXPIRES, Nudge, claim_due, sweep
from bot.storage.database import Database
from bot.storage.models import Reminder, Request
from tests.conftest import GOOD_ANSWERS
from tests.support.clock import FakeClock
from tests.support.transcript import Transcript

OWNER = PersonRef(platform="terminal", user_id="olu", display_name="Olu", time_zone="UTC")
LEAD = PersonRef(platform="terminal", user_id="lnd-lead", display_name="Lead")


@pytest.fixture
def desk(database: Database, app_config: AppConfig, clock: FakeClock) -> DecisionDesk:
    review = app_config.review.model_copy(update={"terminal_reviewers": ("lnd-lead",)})
    return DecisionDesk(
        database=database, config=app_config.model_copy(update={"review": review}), clock=clock
    )


def submitted(engine: Engine) -> int:
    chat = Transcript(engine, PersonRef(platform="terminal", user_id="ana"))
    chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
    return 1


def assign_one(engine: Engine, desk: DecisionDesk) -> None:
    """A submitted request whose decision is due on 4 December 2026."""
    submitted(engine)
    assert desk.assign(
        request_id=1,
        owner=OWNER,
        due=date(2026, 12, 4),
        next_decision="Decide",
        review_type="risk",
        by=LEAD,
    ).ok


def reminders(database: Database) -> list[Reminder]:
    with database.session() as session:
        return list(session.exec(select(Reminder).order_by(Reminder.sequence)).all())


def test_assigning_plans_reminders_and_recording_stops_them(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    request_id = submitted(engine)
    result = desk.assign(
        request_id=request_id,
        owner=OWNER,
        due=date(2026, 12, 4),
        next_decision="Fix the sync or train reps?",
        review_type="risk",
        by=LEAD,
    )
    assert result.ok, result.message
    assert [r.kind for r in reminders(database)] == [
        "before_due",
        "due_day",
        "overdue",
        "overdue",
        "escalation",
    ]
    with database.session() as session:
        assert session.get(Request, request_id).status == "awaiting_decision"  # type: ignore[union-attr]
    refused = desk.record(
        decision_id=1,
        outcome="fix_workflow",
        note=None,
        by=PersonRef(platform="terminal", user_id="bob"),
    )
    assert not refused.ok
    done = desk.record(decision_id=1, outcome="fix_workflow", note="IT patches the app", by=OWNER)
    assert done.ok
    assert {r.status for r in reminders(database)} == {"cancelled"}
    assert not desk.record(decision_id=1, outcome="no_action", note=None, by=OWNER).ok
    with database.session() as session:
        assert session.get(Request, request_id).status == "decided"  # type: ignore[union-attr]


def test_bad_assignments_are_explained(engine: Engine, desk: DecisionDesk) -> None:
    submitted(engine)
    assert (
        "Review type"
        in desk.assign(
            request_id=1,
            owner=OWNER,
            due=date(2026, 12, 4),
            next_decision="x",
            review_type="vibes",
            by=LEAD,
        ).message
    )
    assert (
        "no request"
        in desk.assign(
            request_id=99,
            owner=OWNER,
            due=date(2026, 12, 4),
            next_decision="x",
            review_type="risk",
            by=LEAD,
        ).message
    )


def test_each_reminder_is_sent_once_by_concurrent_sweeps(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_one(engine, desk)
    later = datetime(2027, 1, 31, tzinfo=UTC)  # everything is due
    sent: list[Nudge] = []
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    def sweeper() -> None:
        barrier.wait()

        def record(nudge: Nudge) -> None:
            with lock:
                sent.append(nudge)

        sweep(database, now=later, send=record)

    threads = [threading.Thread(target=sweeper) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(n.reminder_id for n in sent) == [1, 2, 3, 4, 5]
    assert {r.status for r in reminders(database)} == {"sent"}
    assert sweep(database, now=later + timedelta(days=1), send=sent.append) == 0


def test_a_claim_left_by_a_crash_is_taken_again_after_it_expires(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_one(engine, desk)
    first_due = reminders(database)[0].due_at
    crashed = claim_due(database, now=first_due)  # claimed, then the process died
    assert [n.kind for n in crashed] == ["before_due"]
    assert claim_due(database, now=first_due + timedelta(minutes=1)) == []
    retried = claim_due(database, now=first_due + CLAIM_EXPIRES + timedelta(seconds=1))
    assert [n.reminder_id for n in retried] == [crashed[0].reminder_id]
