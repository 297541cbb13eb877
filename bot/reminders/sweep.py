"""The sweep that sends each nudge and notice exactly once, as rows in the reminder table.

Reminders are planned as rows when a decision is assigned (bot/reminders/working_time.py says when);
notices ride the same rows: the owner hearing they own a decision, the requester hearing the
outcome, the owner's evidence check-in. A sweep claims due rows with a conditional update, so
overlapping sweeps (threads, processes, replicas) send each row once; a claim that was never
marked sent (the process died) is taken again after a while. On PostgreSQL a sweep also holds
an advisory lock, so replicas take turns instead of racing for the same rows.

Several rows due for one person at once become one message (a digest); several nudges about
the same decision become the strongest of them. A person who cannot be reached (left the
workspace, blocked the bot) is reported to the reviewers instead of being retried forever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.storage.database import PER_SCHEMA, Database
from bot.storage.models import (
    Clarification,
    Decision,
    Person,
    Reminder,
    ReminderStatus,
    Request,
)

log = logging.getLogger(__name__)

CLAIM_EXPIRES = timedelta(minutes=10)
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
"""A failed send waits this long before the next try; after the last, it counts as
undeliverable and the reviewers hear of it."""
SWEEP_LOCK_ID = 746_289_114
SWEEP_LOCK = f"{SWEEP_LOCK_ID}, {PER_SCHEMA}"
"""The sweep lock's two keys: one lock per schema."""


class Kind(StrEnum):
    ASSIGNED = "assigned"
    BEFORE_DUE = "before_due"
    DUE_DAY = "due_day"
    SNOOZED = "snoozed"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    FOLLOW_UP = "follow_up"
    OUTCOME = "outcome"
    REVIEWED = "reviewed"
    """To the requester: every draft of their request was decided."""
    QUESTION = "question"
    """To the requester: a reviewer's clarifying question."""


_STRENGTH = {
    Kind.ASSIGNED: 0,
    Kind.BEFORE_DUE: 1,
    Kind.DUE_DAY: 2,
    Kind.SNOOZED: 2,
    Kind.OVERDUE: 3,
    Kind.ESCALATION: 4,
}
"""Nudges about an open decision, weakest first; the others are notices, always sent."""


def is_nudge(kind: str) -> bool:
    return kind in _STRENGTH


@dataclass(frozen=True)
class Nudge:
    """One due row, with what its message needs."""

    reminder_id: int
    kind: str
    decision_id: int
    """0 for a notice about a request that has no decision yet."""
    request_id: int
    reference: str
    next_decision: str
    due_at: datetime
    owner: str
    recipient: str
    recipient_platform: str
    recipient_user_id: str
    attempts: int = 0
    outcome: str | None = None
    note: str | None = None
    follow_up_evidence: str | None = None
    clarification_id: int | None = None
    question: str | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    follow_up_at: datetime | None = None


CHAT_PLATFORMS = ("slack", "teams")
"""Where a sweep writes to people in their chat. A terminal has no chat to write into, so what a
terminal requester should hear waits for their next ``triage-bot chat``, which tells them."""


class Undeliverable(Exception):
    """The recipient cannot be reached at all (left the workspace, blocked the bot, no chat
    with the bot yet); trying again would not help."""


class Sender(Protocol):
    """How one platform reaches people. ``deliver`` sends one message to one person (several
    nudges make a digest); ``escalate`` tells the reviewers, with the problem if delivery
    failed. Both raise Undeliverable for a person out of reach, anything else to retry."""

    def deliver(self, nudges: list[Nudge]) -> None: ...

    def escalate(self, nudge: Nudge, problem: str | None) -> None: ...


@dataclass
class SweepReport:
    sent: int = 0
    superseded: int = 0
    retrying: int = 0
    undeliverable: int = 0
    skipped: bool = False
    """Another process held the sweep lock; it is sweeping the same rows now."""


def _claimable(stale: datetime) -> Any:
    return (col(Reminder.status) == ReminderStatus.PENDING) | (
        (col(Reminder.status) == ReminderStatus.CLAIMED) & (col(Reminder.claimed_at) < stale)
    )


def _recipient_join() -> Any:
    return col(Person.id) == func.coalesce(col(Reminder.recipient_id), col(Decision.owner_id))


def _request_join() -> Any:
    return col(Request.id) == func.coalesce(col(Reminder.request_id), col(Decision.request_id))


def claim_due(
    database: Database, *, now: datetime, limit: int = 100, platforms: tuple[str, ...] = ()
) -> list[Nudge]:
    """Claim the rows due by ``now`` (for recipients on ``platforms``, if given). Each row is
    claimed by one sweep only: the update succeeds for whoever still finds it claimable."""
    stale = now - CLAIM_EXPIRES

    def due_with(status: ReminderStatus) -> Any:
        # one range read per status, so the (status, due_at) index serves each; an OR of the
        # two would walk every reminder ever due, sent ones included
        query = select(Reminder.id)
        if platforms:
            query = (
                query.outerjoin(Decision, col(Decision.id) == Reminder.decision_id)
                .join(Person, _recipient_join())
                .where(col(Person.platform).in_(platforms))
            )
        query = query.where(col(Reminder.status) == status.value, col(Reminder.due_at) <= now)
        if status is ReminderStatus.CLAIMED:
            query = query.where(col(Reminder.claimed_at) < stale)
        return query.order_by(col(Reminder.due_at)).limit(limit)

    with database.session(write=False) as session:
        candidates = [
            *session.exec(due_with(ReminderStatus.PENDING)).all(),
            *session.exec(due_with(ReminderStatus.CLAIMED)).all(),
        ][:limit]
    if not candidates:
        return []
    with database.session() as session:  # one conditional update: each row goes to one sweep
        claimed = list(
            session.execute(
                update(Reminder)
                .where(col(Reminder.id).in_(candidates), _claimable(stale))
                .values(status=ReminderStatus.CLAIMED, claimed_at=now)
                .returning(col(Reminder.id))
            ).scalars()
        )
    return _nudges(database, claimed)


def _nudges(database: Database, reminder_ids: list[int]) -> list[Nudge]:
    if not reminder_ids:
        return []
    with database.session(write=False) as session:
        rows = session.execute(  # five entities: past what sqlmodel's select types
            sa_select(Reminder, Decision, Request, Person, Clarification)
            .outerjoin(Decision, col(Decision.id) == Reminder.decision_id)
            .join(Request, _request_join())
            .join(Person, _recipient_join())
            .outerjoin(Clarification, col(Clarification.id) == Reminder.clarification_id)
            .where(col(Reminder.id).in_(reminder_ids))
            .order_by(col(Reminder.due_at))
        ).all()
        decisions = [d for _, d, _, _, _ in rows if d is not None]
        deciders = {d.decided_by for d in decisions if d.decided_by is not None}
        people_ids = {d.owner_id for d in decisions} | deciders
        owners = {
            person.id: person
            for person in session.exec(select(Person).where(col(Person.id).in_(people_ids))).all()
        }
    return [
        Nudge(
            reminder_id=reminder.id or 0,
            kind=reminder.kind,
            decision_id=(decision.id or 0) if decision else 0,
            request_id=request.id or 0,
            reference=request.reference,
            next_decision=decision.next_decision if decision else "",
            due_at=decision.due_at if decision else reminder.due_at,
            owner=_name(owners.get(decision.owner_id)) if decision else "",
            recipient=_name(person),
            recipient_platform=person.platform,
            recipient_user_id=person.platform_user_id,
            attempts=reminder.attempts,
            outcome=decision.outcome if decision else None,
            note=decision.note if decision else None,
            follow_up_evidence=decision.follow_up_evidence if decision else None,
            clarification_id=clarification.id if clarification else None,
            question=clarification.question if clarification else None,
            decided_by=_decider(owners, decision),
            decided_at=decision.decided_at if decision else None,
            follow_up_at=decision.follow_up_at if decision else None,
        )
        for reminder, decision, request, person, clarification in rows
    ]


def _decider(people: Mapping[int | None, Person], decision: Decision | None) -> str:
    if decision is None or decision.decided_by is None:
        return ""
    return _name(people.get(decision.decided_by))


def _name(person: Person | None) -> str:
    return (person.display_name or person.platform_user_id) if person else "someone"


def _set_status(
    database: Database,
    reminder_ids: list[int],
    status: ReminderStatus,
    now: datetime,
    **extra: object,
) -> None:
    if not reminder_ids:
        return
    with database.session() as session:
        session.execute(
            update(Reminder)
            .where(col(Reminder.id).in_(reminder_ids), col(Reminder.status) == "claimed")
            .values(status=status.value, sent_at=now, **extra)
        )


def mark_sent(database: Database, *, reminder_id: int, now: datetime) -> None:
    _set_status(database, [reminder_id], ReminderStatus.SENT, now)


def _retry_later(database: Database, nudges: list[Nudge], now: datetime, error: str) -> None:
    with database.session() as session:
        for nudge in nudges:
            wait = RETRY_AFTER[min(nudge.attempts, len(RETRY_AFTER) - 1)]
            session.execute(
                update(Reminder)
                .where(col(Reminder.id) == nudge.reminder_id, col(Reminder.status) == "claimed")
                .values(
                    status=ReminderStatus.PENDING,
                    claimed_at=None,
                    due_at=now + wait,
                    attempts=nudge.attempts + 1,
                    last_error=error[:2000],
                )
            )


def _give_up(database: Database, nudges: list[Nudge], now: datetime, problem: str) -> None:
    """Out of reach: these rows, and the recipient's later nudges on the same decisions."""
    _set_status(
        database,
        [n.reminder_id for n in nudges],
        ReminderStatus.UNDELIVERABLE,
        now,
        last_error=problem[:2000],
    )
    decision_ids = {n.decision_id for n in nudges if is_nudge(n.kind)}
    if not decision_ids:
        return
    with database.session() as session:
        session.execute(
            update(Reminder)
            .where(
                col(Reminder.decision_id).in_(decision_ids),
                col(Reminder.recipient_id).is_(None),
                col(Reminder.status) == ReminderStatus.PENDING,
            )
            .values(status=ReminderStatus.UNDELIVERABLE, last_error=problem[:2000])
        )


def strongest_per_decision(nudges: list[Nudge]) -> tuple[list[Nudge], list[Nudge]]:
    """(what to send, what it makes redundant): one nudge per decision, the strongest."""
    best: dict[int, Nudge] = {}
    keep: list[Nudge] = []
    for nudge in nudges:
        if not is_nudge(nudge.kind):
            keep.append(nudge)
            continue
        current = best.get(nudge.decision_id)
        if current is None or _STRENGTH[Kind(nudge.kind)] >= _STRENGTH[Kind(current.kind)]:
            best[nudge.decision_id] = nudge
    keep.extend(best.values())
    kept = {n.reminder_id for n in keep}
    keep.sort(key=lambda n: (n.due_at, n.reminder_id))
    return keep, [n for n in nudges if n.reminder_id not in kept]


def sweep(
    database: Database,
    *,
    now: datetime,
    senders: Mapping[str, Sender],
    limit: int = 100,
) -> SweepReport:
    """One sweep: claim what is due for the platforms this process can reach, send one
    message per person, and mark each row sent, retrying or undeliverable."""
    report = SweepReport()
    with _sweep_lock(database) as acquired:
        if not acquired:
            report.skipped = True
            return report
        claimed = claim_due(database, now=now, limit=limit, platforms=tuple(senders))
        by_person: dict[tuple[str, str], list[Nudge]] = {}
        for nudge in claimed:
            key = (nudge.recipient_platform, nudge.recipient_user_id)
            by_person.setdefault(key, []).append(nudge)
        for (platform, _user), nudges in by_person.items():
            _send_one_person(database, senders[platform], nudges, now, report)
    return report


def _send_one_person(
    database: Database, sender: Sender, nudges: list[Nudge], now: datetime, report: SweepReport
) -> None:
    send, redundant = strongest_per_decision(nudges)
    try:
        sender.deliver(send)
    except Undeliverable as exc:
        problem = str(exc) or "cannot be reached"
        _give_up(database, send + redundant, now, problem)
        report.undeliverable += len(send) + len(redundant)
        for nudge in send:
            _escalate(sender, nudge, f"{nudge.recipient} {problem}")
        return
    except Exception as exc:  # rate limits after the client's retries, a network outage
        log.warning("could not reach %s (%r); trying again later", nudges[0].recipient, exc)
        last_try = [n for n in send if n.attempts + 1 >= len(RETRY_AFTER)]
        again = [n for n in send if n not in last_try]
        _retry_later(database, again + redundant, now, repr(exc))
        report.retrying += len(again) + len(redundant)
        if last_try:
            problem = f"could not be reached after {len(RETRY_AFTER)} tries"
            _give_up(database, last_try, now, problem)
            report.undeliverable += len(last_try)
            for nudge in last_try:
                _escalate(sender, nudge, f"{nudge.recipient} {problem}")
        return
    _set_status(database, [n.reminder_id for n in send], ReminderStatus.SENT, now)
    _set_status(database, [n.reminder_id for n in redundant], ReminderStatus.SUPERSEDED, now)
    report.sent += len(send)
    report.superseded += len(redundant)
    for nudge in send:
        if nudge.kind == Kind.ESCALATION:
            _escalate(sender, nudge, None)


def _escalate(sender: Sender, nudge: Nudge, problem: str | None) -> None:
    try:
        sender.escalate(nudge, problem)
    except Exception:
        log.exception("could not tell the reviewers about %s", nudge.reference)


@contextmanager
def _sweep_lock(database: Database) -> Iterator[bool]:
    """On PostgreSQL, one sweep at a time across processes; the claims alone keep every row
    exactly-once, the lock keeps replicas from doing the same work. A killed process's
    lock goes with its connection."""
    if not database.is_postgresql:
        yield True
        return
    with database.engine.connect() as connection:
        acquired = bool(
            connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({SWEEP_LOCK})").scalar()
        )
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({SWEEP_LOCK})")
                connection.commit()
