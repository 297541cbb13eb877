"""The reminder rows a decision plans and cancels, in its owner's working calendar.

Kept apart from the desk (desk.py), which decides when to plan: this knows how. Every row is
written in the caller's transaction, so a decision and its reminders are stored together.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.config import ReminderPolicy
from bot.decisions.evidence_date import named_date
from bot.reminders.sweep import Kind, is_nudge
from bot.reminders.working_time import WorkingCalendar, plan_reminders, zone_of
from bot.storage import service
from bot.storage.models import Decision, Person, Reminder, ReminderStatus, Request


def calendar_of(policy: ReminderPolicy, person: Person | None) -> WorkingCalendar:
    """A person's working days and hours, in their time zone or else the default one."""
    zone = zone_of(person.time_zone if person else None, policy.default_time_zone)
    return WorkingCalendar(policy, zone)


def plan_nudges(
    session: Session, decision: Decision, calendar: WorkingCalendar, due: date, *, after: datetime
) -> int:
    """The owner's reminders for a decision due on ``due``, those after ``after``; how many."""
    policy = calendar.policy
    planned = [
        (kind, moment)
        for kind, moment in plan_reminders(due=due, policy=policy, zone=calendar.zone)
        if moment > after
    ]
    if not planned:  # assigned when even the escalation day had passed: escalate next
        step = policy.overdue_every_working_days
        next_day = calendar.add_working_days(calendar.local_day(after), step)
        planned = [(Kind.ESCALATION.value, calendar.start_of(next_day))]
    for kind, moment in planned:
        add_reminder(session, decision, Kind(kind), moment)
    return len(planned)


def plan_follow_up(
    session: Session,
    decision: Decision,
    request: Request,
    policy: ReminderPolicy,
    now: datetime,
) -> date | None:
    """A check-in with the owner on the day the evidence answer named, if it named one."""
    question = policy.follow_up_question
    answer = service.latest_answers(session, request_id=request.id or 0).get(question)
    if answer is None or answer.skipped:
        return None
    calendar = calendar_of(policy, session.get(Person, decision.owner_id))
    day = named_date(answer.text, today=calendar.local_day(now))
    if day is None:
        return None
    moment = calendar.within_hours(max(calendar.start_of(calendar.on_or_after(day)), now))
    decision.follow_up_at = moment
    decision.follow_up_evidence = answer.text
    session.add(decision)
    add_reminder(session, decision, Kind.FOLLOW_UP, moment, recipient_id=decision.owner_id)
    return calendar.local_day(moment)


def add_reminder(
    session: Session,
    decision: Decision,
    kind: Kind,
    moment: datetime,
    *,
    recipient_id: int | None = None,
) -> None:
    """The next row for this decision; (decision, sequence) is unique, so two writers racing
    for the same number fail rather than both succeed."""
    last = session.exec(
        select(func.max(Reminder.sequence)).where(Reminder.decision_id == decision.id)
    ).one()
    session.add(
        Reminder(
            decision_id=decision.id or 0,
            sequence=(last or 0) + 1,
            kind=kind.value,
            due_at=moment,
            recipient_id=recipient_id,
        )
    )
    session.flush()


def cancel_nudges(session: Session, decision_id: int) -> None:
    """The owner's reminders still ahead (notices to other people stay)."""
    session.execute(
        update(Reminder)
        .where(
            col(Reminder.decision_id) == decision_id,
            col(Reminder.status).in_([ReminderStatus.PENDING, ReminderStatus.CLAIMED]),
            col(Reminder.kind).in_([k.value for k in Kind if is_nudge(k)]),
        )
        .values(status=ReminderStatus.CANCELLED)
    )
