"""Decisions with owners, and the sweep that sends each reminder exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.assist.service import Assistant
from bot.config import AppConfig
from bot.conversation.engine import Engine
from bot.decisions.desk import DecisionDesk
from bot.decisions.waiting import waiting_on
from bot.messages import PersonRef
from bot.reminders.sweep import (
    CLAIM_EXPIRES,
    RETRY_AFTER,
    SWEEP_LOCK,
    Nudge,
    Undeliverable,
    claim_due,
    sweep,
)
from bot.storage.database import Database
from bot.storage.models import Decision, Reminder, Request
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
        "assigned",
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
    assert not refused.ok and "Only the owner" in refused.message
    done = desk.record(decision_id=1, outcome="fix_workflow", note="IT patches the app", by=OWNER)
    assert done.ok and "check in on the evidence on 2027-03-31" in done.message
    rows = reminders(database)
    assert {r.status for r in rows[:6]} == {"cancelled"}
    # the owner is asked in March whether the evidence moved; the requester, in the terminal,
    # hears the outcome at their next chat rather than from a sweep (tests/conversation)
    assert [(r.kind, r.status) for r in rows[6:]] == [("follow_up", "pending")]
    assert rows[6].due_at == datetime(2027, 3, 31, 9, tzinfo=UTC)
    again = desk.record(decision_id=1, outcome="no_action", note=None, by=OWNER)
    assert not again.ok and "already recorded (Fix the workflow)" in again.message
    with database.session() as session:
        assert session.get(Request, request_id).status == "decided"  # type: ignore[union-attr]


def test_only_reviewers_assign(engine: Engine, desk: DecisionDesk) -> None:
    submitted(engine)
    result = desk.assign(
        request_id=1,
        owner=OWNER,
        due=date(2026, 12, 4),
        next_decision="x",
        review_type="risk",
        by=PersonRef(platform="terminal", user_id="bob"),
    )
    assert not result.ok and "Only L&D reviewers" in result.message


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


class Recorder:
    """A sender that keeps what it was asked to send; it can be told to fail."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.delivered: list[list[Nudge]] = []
        self.escalated: list[tuple[Nudge, str | None]] = []
        self.failure = failure
        self.lock = threading.Lock()

    def deliver(self, nudges: list[Nudge]) -> None:
        if self.failure is not None:
            raise self.failure
        with self.lock:
            self.delivered.append(nudges)

    def escalate(self, nudge: Nudge, problem: str | None) -> None:
        self.escalated.append((nudge, problem))


def assign_to(engine: Engine, desk: DecisionDesk, owners: list[PersonRef]) -> None:
    """One submitted request per owner, each with a decision due on 4 December 2026."""
    for number, owner in enumerate(owners, start=1):
        chat = Transcript(engine, PersonRef(platform="terminal", user_id=f"requester{number}"))
        chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
        assert desk.assign(
            request_id=number,
            owner=owner,
            due=date(2026, 12, 4),
            next_decision=f"Decide {number}",
            review_type="risk",
            by=LEAD,
        ).ok


def test_each_reminder_is_sent_once_by_concurrent_sweeps(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    owners = [PersonRef(platform="terminal", user_id=f"owner{n}") for n in range(6)]
    assign_to(engine, desk, owners)
    sender = Recorder()
    barrier = threading.Barrier(3)

    def sweeper() -> None:
        barrier.wait()
        sweep(database, now=clock(), senders={"terminal": sender})

    threads = [threading.Thread(target=sweeper) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = [n for batch in sender.delivered for n in batch]
    assert sorted(n.recipient_user_id for n in sent) == sorted(o.user_id for o in owners)
    assert {n.kind for n in sent} == {"assigned"}
    assert sweep(database, now=clock(), senders={"terminal": sender}).sent == 0


def test_a_claim_left_by_a_crash_is_taken_again_after_it_expires(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_one(engine, desk)
    first_due = reminders(database)[0].due_at
    crashed = claim_due(database, now=first_due)  # claimed, then the process died
    assert [n.kind for n in crashed] == ["assigned"]
    assert claim_due(database, now=first_due + timedelta(minutes=1)) == []
    retried = claim_due(database, now=first_due + CLAIM_EXPIRES + timedelta(seconds=1))
    assert [n.reminder_id for n in retried] == [crashed[0].reminder_id]


def test_due_together_means_one_message_with_the_strongest_nudge(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_one(engine, desk)
    sender = Recorder()
    report = sweep(database, now=datetime(2027, 1, 31, tzinfo=UTC), senders={"terminal": sender})
    assert [[n.kind for n in batch] for batch in sender.delivered] == [["escalation"]]
    assert (report.sent, report.superseded) == (1, 5)
    assert [problem for _, problem in sender.escalated] == [None]  # reviewers hear of it


def test_several_decisions_due_at_once_make_one_digest(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_to(engine, desk, [OWNER, OWNER])
    sender = Recorder()
    sweep(database, now=datetime(2026, 12, 2, 9, tzinfo=UTC), senders={"terminal": sender})
    assert len(sender.delivered) == 1
    assert [(n.reference, n.kind) for n in sender.delivered[0]] == [
        ("TR-0001", "before_due"),
        ("TR-0002", "before_due"),
    ]


def test_an_owner_out_of_reach_is_reported_not_retried_forever(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_one(engine, desk)
    gone = Recorder(failure=Undeliverable("left the workspace"))
    report = sweep(database, now=datetime(2026, 11, 23, 10, tzinfo=UTC), senders={"terminal": gone})
    assert report.undeliverable == 1
    assert {r.status for r in reminders(database)} == {"undeliverable"}
    [(nudge, problem)] = gone.escalated
    assert nudge.reference == "TR-0001" and problem == "Olu left the workspace"
    assert (
        sweep(database, now=datetime(2027, 2, 1, tzinfo=UTC), senders={"terminal": gone}).sent == 0
    )


def test_a_failed_send_is_retried_then_reported(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    assign_one(engine, desk)
    flaky = Recorder(failure=RuntimeError("429 Too Many Requests"))
    now = clock()
    assert sweep(database, now=now, senders={"terminal": flaky}).retrying == 1
    row = reminders(database)[0]
    assert (row.status, row.attempts, row.due_at) == ("pending", 1, now + RETRY_AFTER[0])
    assert "429" in (row.last_error or "")
    for _retry in range(1, len(RETRY_AFTER)):
        now = reminders(database)[0].due_at
        sweep(database, now=now, senders={"terminal": flaky})
    assert reminders(database)[0].status == "undeliverable"
    assert "after 3 tries" in (flaky.escalated[0][1] or "")
    flaky.failure = None
    assert sweep(database, now=now, senders={"terminal": flaky}).sent == 0


def test_snoozing_skips_what_falls_inside_and_nudges_once_at_the_end(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    assign_one(engine, desk)
    clock.now = datetime(2026, 12, 4, 9, 5, tzinfo=UTC)  # Friday, the due day
    result = desk.snooze(decision_id=1, choice="week", by=OWNER)
    assert result.ok and "Mon 07 Dec, 09:00" in result.message
    rows = {r.sequence: (r.kind, r.status, r.due_at) for r in reminders(database)}
    assert rows[3][:2] == ("due_day", "cancelled")  # not sent yet, and inside the snooze
    assert rows[4][:2] == ("overdue", "pending")  # Tuesday 8th comes after it
    assert rows[7] == ("overdue", "pending", datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert not desk.snooze(
        decision_id=1, choice="hour", by=PersonRef(platform="terminal", user_id="bob")
    ).ok
    assert not desk.snooze(decision_id=1, choice="forever", by=OWNER).ok


def test_an_hour_late_in_the_day_waits_for_the_next_working_morning(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    assign_one(engine, desk)
    clock.now = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)  # Friday afternoon
    assert desk.snooze(decision_id=1, choice="hour", by=OWNER).ok
    assert reminders(database)[-1].due_at == datetime(2026, 12, 7, 9, tzinfo=UTC)  # Monday


def test_reassigning_tells_the_new_owner_and_plans_in_their_calendar(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    assign_one(engine, desk)
    paris = PersonRef(
        platform="terminal", user_id="amelie", display_name="Amélie", time_zone="Europe/Paris"
    )
    clock.now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    stranger = PersonRef(platform="terminal", user_id="bob")
    assert not desk.reassign(decision_id=1, owner=paris, by=stranger).ok
    result = desk.reassign(decision_id=1, owner=paris, by=OWNER)
    assert result.ok and "now belongs to Amélie, due 2026-12-04" in result.message
    pending = [r for r in reminders(database) if r.status == "pending"]
    assert pending[0].kind == "assigned" and pending[0].recipient_id is not None
    assert [(r.kind, r.due_at) for r in pending[1:3]] == [
        ("due_day", datetime(2026, 12, 4, 8, tzinfo=UTC)),  # nine in Paris
        ("overdue", datetime(2026, 12, 8, 8, tzinfo=UTC)),
    ]
    sender = Recorder()
    sweep(database, now=clock(), senders={"terminal": sender})
    assert [(n.recipient_user_id, n.kind) for n in sender.delivered[0]] == [("amelie", "assigned")]
    assert not desk.record(decision_id=1, outcome="other", note=None, by=OWNER).ok


def test_the_evidence_check_in_is_asked_and_its_answer_kept(
    engine: Engine, desk: DecisionDesk, database: Database
) -> None:
    assign_one(engine, desk)
    assert desk.record(decision_id=1, outcome="fix_workflow", note=None, by=OWNER).ok
    sender = Recorder()
    sweep(database, now=datetime(2027, 3, 31, 9, tzinfo=UTC), senders={"terminal": sender})
    kinds = [(n.recipient_user_id, n.kind) for batch in sender.delivered for n in batch]
    assert kinds == [("olu", "follow_up")]  # the terminal requester hears at their next chat
    follow_up = next(n for b in sender.delivered for n in b if n.kind == "follow_up")
    assert follow_up.follow_up_evidence == GOOD_ANSWERS[4]
    stranger = PersonRef(platform="terminal", user_id="bob")
    assert not desk.answer_follow_up(decision_id=1, answer="moved", note=None, by=stranger).ok
    assert desk.answer_follow_up(decision_id=1, answer="moved", note="3 a week", by=OWNER).ok
    again = desk.answer_follow_up(decision_id=1, answer="no", note=None, by=OWNER)
    assert not again.ok and "already answered (Yes, it moved)" in again.message
    with database.session() as session:
        decision = session.get(Decision, 1)
        assert decision is not None
        assert (decision.follow_up_answer, decision.follow_up_note) == ("moved", "3 a week")


def test_waiting_on_me_puts_the_overdue_first(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    assign_to(engine, desk, [OWNER])
    assert desk.assign(
        request_id=_second_request(engine),
        owner=OWNER,
        due=date(2026, 11, 20),
        next_decision="Late one",
        review_type="risk",
        by=LEAD,
    ).ok
    items = waiting_on(database, OWNER, reviewer=False, now=clock())
    assert [(i.reference, i.overdue) for i in items] == [("TR-0002", True), ("TR-0001", False)]
    third = Transcript(engine, PersonRef(platform="terminal", user_id="third"))
    third.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
    assert Assistant(database=database, config=desk.config, llm=None, clock=clock).draft_for(3)
    lead_items = waiting_on(database, LEAD, reviewer=True, now=clock())
    assert lead_items and all(i.decision_id is None for i in lead_items)  # drafts to review


def _second_request(engine: Engine) -> int:
    chat = Transcript(engine, PersonRef(platform="terminal", user_id="second"))
    chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
    return 2


@pytest.mark.postgres
def test_a_sweep_on_postgresql_waits_its_turn_behind_another(
    engine: Engine, desk: DecisionDesk, database: Database, clock: FakeClock
) -> None:
    if not database.is_postgresql:
        pytest.skip("the sweep lock is PostgreSQL's advisory lock")
    assign_one(engine, desk)
    with database.engine.connect() as other:
        other.exec_driver_sql(f"SELECT pg_advisory_lock({SWEEP_LOCK})")
        report = sweep(database, now=clock(), senders={"terminal": Recorder()})
        assert report.skipped and report.sent == 0
        other.exec_driver_sql(f"SELECT pg_advisory_unlock({SWEEP_LOCK})")
        other.commit()
    assert sweep(database, now=clock(), senders={"terminal": Recorder()}).sent == 1


def test_waiting_in_the_chat_lists_my_decisions_with_their_buttons(
    engine: Engine, desk: DecisionDesk
) -> None:
    owner_chat = Transcript(engine, OWNER)
    owner_chat.start()
    owner_chat.send("waiting").expect("Nothing is waiting on you.")
    assign_one(engine, desk)
    owner_chat.send("Waiting").expect("TR-0001 · Decide · due 2026-12-04")
    assert "decision-reminder-record" in [b.action_id for b in owner_chat.replies[0].buttons]
