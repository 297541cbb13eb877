"""When decision owners are nudged, and the sweep that sends each nudge exactly once.

Nudges are planned as rows when a decision is assigned: some working days before the due day,
on the due day, then every few working days while overdue, the last one escalating. Each lands
at the start of the owner's working day in their own time zone (so a DST change moves it with
them) and never on a non-working day. The sweep claims due rows with a conditional update; a
claim that was never marked sent (the process died) is taken again after a while.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import update
from sqlmodel import col, select

from bot.config import ReminderPolicy
from bot.flows import copy
from bot.storage.database import Database
from bot.storage.models import Decision, Person, Reminder, ReminderStatus, Request

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLAIM_EXPIRES = timedelta(minutes=10)


def zone_of(name: str | None, default: str) -> ZoneInfo:
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def plan_reminders(
    *, due: date, policy: ReminderPolicy, zone: ZoneInfo
) -> list[tuple[str, datetime]]:
    """(kind, moment in UTC) for a decision due on ``due``, a day in the owner's calendar."""
    working = {_WEEKDAYS.index(day) for day in policy.working_days}

    def on_or_before(day: date) -> date:
        while day.weekday() not in working:
            day -= timedelta(days=1)
        return day

    def on_or_after(day: date) -> date:
        while day.weekday() not in working:
            day += timedelta(days=1)
        return day

    def add_working_days(day: date, count: int) -> date:
        while count:
            day += timedelta(days=1)
            count -= day.weekday() in working
        return day

    def at_start(day: date) -> datetime:
        return datetime.combine(day, policy.working_hours.start, tzinfo=zone).astimezone(UTC)

    planned: list[tuple[str, datetime]] = []
    for days in sorted(set(policy.before_due_days), reverse=True):
        if days:
            planned.append(("before_due", at_start(on_or_before(due - timedelta(days=days)))))
    if policy.on_due_day:
        planned.append(("due_day", at_start(on_or_after(due))))
    overdue_day = on_or_after(due)
    for number in range(1, policy.escalate_after_overdue + 1):
        overdue_day = add_working_days(overdue_day, policy.overdue_every_working_days)
        kind = "escalation" if number == policy.escalate_after_overdue else "overdue"
        planned.append((kind, at_start(overdue_day)))
    unique: dict[datetime, str] = {}
    for kind, moment in planned:
        unique.setdefault(moment, kind)
    return sorted(((kind, moment) for moment, kind in unique.items()), key=lambda p: p[1])


@dataclass(frozen=True)
class Nudge:
    reminder_id: int
    kind: str
    decision_id: int
    reference: str
    next_decision: str
    due_at: datetime
    owner: str
    owner_platform: str
    owner_user_id: str


def reminder_text(nudge: Nudge) -> str:
    """What the owner reads; the wording lives with the rest of the flow's copy."""
    template = {"overdue": copy.OVERDUE, "escalation": copy.ESCALATION}.get(
        nudge.kind, copy.REMINDER
    )
    return template.format(
        reference=nudge.reference,
        next_decision=nudge.next_decision,
        due=nudge.due_at.strftime("%Y-%m-%d"),
    )


def claim_due(
    database: Database, *, now: datetime, limit: int = 100, platforms: tuple[str, ...] = ()
) -> list[Nudge]:
    """Claim the reminders due by ``now`` (for owners on ``platforms``, if given). Each row is
    claimed by one sweep only: the update succeeds for whoever still finds it pending (or
    claimed long ago by a sweep that died)."""
    stale = now - CLAIM_EXPIRES
    with database.session(write=False) as session:
        query = select(Reminder.id)
        if platforms:
            query = (
                query.join(Decision, col(Decision.id) == Reminder.decision_id)
                .join(Person, col(Person.id) == Decision.owner_id)
                .where(col(Person.platform).in_(platforms))
            )
        candidates = session.exec(
            query.where(col(Reminder.due_at) <= now)
            .where(
                (col(Reminder.status) == ReminderStatus.PENDING.value)
                | (
                    (col(Reminder.status) == ReminderStatus.CLAIMED.value)
                    & (col(Reminder.claimed_at) < stale)
                )
            )
            .order_by(col(Reminder.due_at))
            .limit(limit)
        ).all()
    claimed: list[int] = []
    for reminder_id in candidates:
        with database.session() as session:
            won = session.execute(
                update(Reminder)
                .where(col(Reminder.id) == reminder_id)
                .where(
                    (col(Reminder.status) == ReminderStatus.PENDING.value)
                    | (
                        (col(Reminder.status) == ReminderStatus.CLAIMED.value)
                        & (col(Reminder.claimed_at) < stale)
                    )
                )
                .values(status=ReminderStatus.CLAIMED.value, claimed_at=now)
            ).rowcount
        if won == 1:
            claimed.append(reminder_id)
    return _nudges(database, claimed)


def _nudges(database: Database, reminder_ids: list[int]) -> list[Nudge]:
    if not reminder_ids:
        return []
    with database.session(write=False) as session:
        rows = session.exec(
            select(Reminder, Decision, Request, Person)
            .join(Decision, col(Decision.id) == Reminder.decision_id)
            .join(Request, col(Request.id) == Decision.request_id)
            .join(Person, col(Person.id) == Decision.owner_id)
            .where(col(Reminder.id).in_(reminder_ids))
            .order_by(col(Reminder.due_at))
        ).all()
    return [
        Nudge(
            reminder_id=reminder.id or 0,
            kind=reminder.kind,
            decision_id=decision.id or 0,
            reference=request.reference,
            next_decision=decision.next_decision,
            due_at=decision.due_at,
            owner=person.display_name or person.platform_user_id,
            owner_platform=person.platform,
            owner_user_id=person.platform_user_id,
        )
        for reminder, decision, request, person in rows
    ]


def mark_sent(database: Database, *, reminder_id: int, now: datetime) -> None:
    with database.session() as session:
        session.execute(
            update(Reminder)
            .where(col(Reminder.id) == reminder_id, col(Reminder.status) == "claimed")
            .values(status=ReminderStatus.SENT.value, sent_at=now)
        )


def sweep(
    database: Database,
    *,
    now: datetime,
    send: Callable[[Nudge], None],
    limit: int = 100,
    platforms: tuple[str, ...] = (),
) -> int:
    """One sweep: claim what is due, send it, mark it sent. A send that raises leaves the
    reminder claimed, so it is retried once the claim expires."""
    sent = 0
    for nudge in claim_due(database, now=now, limit=limit, platforms=platforms):
        send(nudge)
        mark_sent(database, reminder_id=nudge.reminder_id, now=now)
        sent += 1
    return sent
