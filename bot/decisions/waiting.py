"""'Waiting on me': decisions a person owns and drafts they can review, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.conversation import copy
from bot.messages import Outbound, PersonRef
from bot.reminders.nudges import decision_buttons
from bot.storage.database import Database
from bot.storage.models import Decision, DecisionStatus, Draft, DraftStatus, Request
from bot.storage.people import find_person


@dataclass(frozen=True)
class WaitingItem:
    reference: str
    request_id: int
    what: str
    since_or_due: datetime
    decision_id: int | None = None
    """Set for a decision (its buttons need it); None for a draft to review."""
    overdue: bool = False


def waiting_on(
    database: Database, person: PersonRef, *, reviewer: bool, now: datetime, limit: int = 20
) -> list[WaitingItem]:
    with database.session(write=False) as session:
        me = find_person(session, ref=person)
        return waiting_items(
            session, me.id if me else None, reviewer=reviewer, now=now, limit=limit
        )


def waiting_items(
    session: Session, person_id: int | None, *, reviewer: bool, now: datetime, limit: int = 20
) -> list[WaitingItem]:
    """Overdue decisions first (they sort by due date), then the rest, then drafts oldest
    first."""
    items: list[WaitingItem] = []
    if person_id is not None:
        owned = session.exec(
            select(Decision, Request)
            .join(Request, col(Request.id) == Decision.request_id)
            .where(Decision.owner_id == person_id, Decision.status == DecisionStatus.OPEN)
            .order_by(col(Decision.due_at))
            .limit(limit)
        ).all()
        items.extend(
            WaitingItem(
                reference=request.reference,
                request_id=request.id or 0,
                what=decision.next_decision,
                since_or_due=decision.due_at,
                decision_id=decision.id,
                overdue=decision.due_at < now,
            )
            for decision, request in owned
        )
    if reviewer:
        drafts = session.exec(
            select(Draft, Request)
            .join(Request, col(Request.id) == Draft.request_id)
            .where(Draft.status == DraftStatus.PENDING)
            .order_by(col(Draft.created_at))
            .limit(limit)
        ).all()
        items.extend(
            WaitingItem(
                reference=request.reference,
                request_id=request.id or 0,
                what=draft.kind.replace("_", " "),
                since_or_due=draft.created_at,
            )
            for draft, request in drafts
        )
    return items[:limit]


def waiting_line(item: WaitingItem) -> str:
    when = item.since_or_due.strftime("%Y-%m-%d")
    if item.decision_id is None:
        return copy.WAITING_DRAFT_LINE.format(reference=item.reference, kind=item.what, since=when)
    late = " (overdue)" if item.overdue else ""
    return copy.WAITING_DECISION_LINE.format(
        reference=item.reference, next_decision=item.what, due=when, late=late
    )


def waiting_messages(items: list[WaitingItem]) -> list[Outbound]:
    """For a chat: a line per item, each decision with its buttons."""
    if not items:
        return [Outbound(copy.WAITING_NOTHING)]
    return [
        Outbound(
            waiting_line(item),
            buttons=decision_buttons(item.decision_id) if item.decision_id else (),
        )
        for item in items
    ]
