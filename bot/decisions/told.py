"""Telling a requester the decision on their request when no sweep can: in the terminal.

Slack and Teams requesters are told by a notice row that the reminder sweep sends (desk.py). A
terminal has no chat to write into, so the triage flow tells them when they next open it, in the
same words (bot/reminders/nudges.outcome_text), and an audit event marks them told, as
"request.review_told" does for reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.reminders.nudges import outcome_text
from bot.reminders.sweep import Kind
from bot.storage import service
from bot.storage.models import AuditEvent, Decision, DecisionStatus, Person, Reminder, Request

DECISION_TOLD = "request.decision_told"


@dataclass(frozen=True)
class ToldDecision:
    request_id: int
    text: str


def tell_decisions(session: Session, *, requester_id: int, now: datetime) -> list[ToldDecision]:
    """Decisions on the person's requests they have not heard of, oldest first, marked told."""
    noticed = select(Reminder.decision_id).where(
        Reminder.kind == Kind.OUTCOME.value, col(Reminder.decision_id).is_not(None)
    )
    told = select(AuditEvent.request_id).where(
        AuditEvent.action == DECISION_TOLD, col(AuditEvent.request_id).is_not(None)
    )
    rows = session.exec(
        select(Decision, Request)
        .join(Request, col(Request.id) == Decision.request_id)
        .where(
            Request.requester_id == requester_id,
            Decision.status == DecisionStatus.DECIDED,
            col(Decision.id).not_in(noticed),
            col(Request.id).not_in(told),
        )
        .order_by(col(Decision.decided_at))
    ).all()
    if not rows:
        return []
    ids = {d.owner_id for d, _ in rows} | {d.decided_by for d, _ in rows if d.decided_by}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    result = []
    for decision, request in rows:
        assert request.id is not None
        owner = _name(people.get(decision.owner_id))
        text = outcome_text(
            reference=request.reference,
            decided=decision.next_decision,
            outcome=decision.outcome,
            note=decision.note,
            by=_name(people.get(decision.decided_by)) if decision.decided_by else owner,
            at=decision.decided_at or now,
            owner=owner,
            follow_up_at=decision.follow_up_at,
        )
        service.record_audit(
            session, actor_id=None, request_id=request.id, action=DECISION_TOLD, now=now
        )
        result.append(ToldDecision(request.id, text))
    return result


def _name(person: Person | None) -> str:
    return (person.display_name or person.platform_user_id) if person else "someone"
