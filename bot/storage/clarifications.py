"""Questions reviewers put to requesters, and the answers, kept with the request."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.storage.models import Clarification, Reminder, Request
from bot.storage.service import record_audit


def ask(
    session: Session, *, request: Request, asked_by: int, question: str, now: datetime
) -> Clarification:
    assert request.id is not None
    clarification = Clarification(
        request_id=request.id, asked_by=asked_by, question=question, asked_at=now
    )
    session.add(clarification)
    session.flush()
    record_audit(
        session,
        actor_id=asked_by,
        request_id=request.id,
        action="clarification.asked",
        after={"clarification_id": clarification.id, "question": question},
        now=now,
    )
    return clarification


def answer(
    session: Session, *, clarification: Clarification, by: int, text: str, now: datetime
) -> None:
    clarification.answer = text
    clarification.answered_at = now
    session.add(clarification)
    record_audit(
        session,
        actor_id=by,
        request_id=clarification.request_id,
        action="clarification.answered",
        before={"question": clarification.question},
        after={"clarification_id": clarification.id, "answer": text},
        now=now,
    )


def of_request(session: Session, *, request_id: int) -> list[Clarification]:
    return list(
        session.exec(
            select(Clarification)
            .where(Clarification.request_id == request_id)
            .order_by(col(Clarification.id))
        ).all()
    )


def of_requests(session: Session, *, request_ids: list[int]) -> dict[int, list[Clarification]]:
    if not request_ids:
        return {}
    found: dict[int, list[Clarification]] = {}
    for row in session.exec(
        select(Clarification)
        .where(col(Clarification.request_id).in_(request_ids))
        .order_by(col(Clarification.id))
    ).all():
        found.setdefault(row.request_id, []).append(row)
    return found


def oldest_open_for(session: Session, *, requester_id: int) -> tuple[Clarification, Request] | None:
    """The first unanswered question on any of this person's requests: the one their next
    free message answers."""
    row = session.exec(
        select(Clarification, Request)
        .join(Request, col(Request.id) == Clarification.request_id)
        .where(Request.requester_id == requester_id, col(Clarification.answered_at).is_(None))
        .order_by(col(Clarification.id))
    ).first()
    return (row[0], row[1]) if row else None


def notify(
    session: Session,
    *,
    request_id: int,
    recipient_id: int,
    kind: str,
    now: datetime,
    clarification_id: int | None = None,
) -> None:
    """A notice to one person about a request with no decision: a row the reminder sweep
    claims and sends once, through whichever channel reaches them, retrying on failure."""
    session.add(
        Reminder(
            decision_id=None,
            request_id=request_id,
            clarification_id=clarification_id,
            sequence=0,
            kind=kind,
            due_at=now,
            recipient_id=recipient_id,
        )
    )
    session.flush()
