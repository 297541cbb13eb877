"""'Waiting on me': decisions a person owns and drafts they can review, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from bot.messages import PersonRef
from bot.storage import service
from bot.storage.database import Database
from bot.storage.models import Decision, DecisionStatus, Draft, DraftStatus, Request


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
    """Overdue decisions first, then the rest by due date, then drafts oldest first."""
    items: list[WaitingItem] = []
    with database.session(write=False) as session:
        me = service.find_person(session, ref=person)
        if me is not None:
            owned = session.exec(
                select(Decision, Request)
                .join(Request, col(Request.id) == Decision.request_id)
                .where(Decision.owner_id == me.id, Decision.status == DecisionStatus.OPEN.value)
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
                .where(Draft.status == DraftStatus.PENDING.value)
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
