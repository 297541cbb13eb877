"""Keyword-only database functions. They flush but never commit: the caller owns the transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.storage.models import (
    Answer,
    AuditEvent,
    Draft,
    DraftStatus,
    Person,
    Request,
    RequestStatus,
)

# Answers and audit events are only ever appended, so the per-turn path writes and reads them
# as plain rows (Core) and leaves the ORM's unit of work, and its per-object cost, to the rows
# a turn changes: the person, the conversation and the request.
_ANSWER = Answer.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]
_DRAFT = Draft.__table__  # type: ignore[attr-defined]
_INSERT_ANSWER = insert(_ANSWER)
_INSERT_AUDIT = insert(_AUDIT)
_INSERT_DRAFTS = insert(_DRAFT).returning(_DRAFT.c.id, sort_by_parameter_order=True)


@dataclass(frozen=True, slots=True)
class CurrentAnswer:
    """The current version of one answer, as flows, cards and exports read it."""

    request_id: int
    question_id: str
    text: str
    skipped: bool
    version: int


def create_request(
    session: Session, *, requester: Person, platform: str, title: str | None, now: datetime
) -> Request:
    assert requester.id is not None
    request = Request(
        requester_id=requester.id, platform=platform, title=title, created_at=now, updated_at=now
    )
    session.add(request)
    session.flush()
    record_audit(
        session,
        actor_id=requester.id,
        request_id=request.id,
        action="request.created",
        after={"status": request.status, "title": title},
        now=now,
    )
    return request


def get_request(session: Session, *, request_id: int) -> Request | None:
    return session.get(Request, request_id)


_ANSWERS_OF_REQUEST = (
    core_select(
        _ANSWER.c.request_id,
        _ANSWER.c.question_id,
        _ANSWER.c.text,
        _ANSWER.c.skipped,
        _ANSWER.c.version,
    )
    .where(_ANSWER.c.request_id == bindparam("request_id"))
    .order_by(_ANSWER.c.id)
)


def latest_answers(session: Session, *, request_id: int) -> dict[str, CurrentAnswer]:
    """Current answer per question: the highest version wins. A request has a few dozen rows at
    most, so reading them all beats a grouped subquery on the per-turn path."""
    latest: dict[str, CurrentAnswer] = {}
    for row in session.connection().execute(_ANSWERS_OF_REQUEST, {"request_id": request_id}):
        _keep_newest(latest, CurrentAnswer(*row))
    return latest


def _keep_newest(latest: dict[str, CurrentAnswer], answer: CurrentAnswer) -> None:
    held = latest.get(answer.question_id)
    if held is None or answer.version > held.version:
        latest[answer.question_id] = answer


_ANSWERS_OF_REQUESTS = (
    core_select(*_ANSWERS_OF_REQUEST.selected_columns)
    .where(_ANSWER.c.request_id.in_(bindparam("request_ids", expanding=True)))
    .order_by(_ANSWER.c.id)
)


def latest_answers_for(
    session: Session, *, request_ids: Sequence[int]
) -> dict[int, dict[str, CurrentAnswer]]:
    """``latest_answers`` for several requests in one statement."""
    if not request_ids:
        return {}
    result: dict[int, dict[str, CurrentAnswer]] = defaultdict(dict)
    rows = session.connection().execute(_ANSWERS_OF_REQUESTS, {"request_ids": list(request_ids)})
    for row in rows:
        answer = CurrentAnswer(*row)
        _keep_newest(result[answer.request_id], answer)
    return dict(result)


def record_answer(
    session: Session,
    *,
    request: Request,
    question_id: str,
    text: str,
    answered_by: int,
    now: datetime,
    previous: CurrentAnswer | None,
    skipped: bool = False,
) -> CurrentAnswer:
    """Append a new version after ``previous`` (the current answer, from ``latest_answers``).

    An answer is never overwritten, and a change is audited; the unique (request, question,
    version) key refuses a stale ``previous`` instead of losing either answer.
    """
    assert request.id is not None
    answer = CurrentAnswer(
        request_id=request.id,
        question_id=question_id,
        text=text,
        skipped=skipped,
        version=(previous.version + 1) if previous else 1,
    )
    session.connection().execute(
        _INSERT_ANSWER,
        {
            "request_id": answer.request_id,
            "question_id": question_id,
            "text": text,
            "skipped": skipped,
            "version": answer.version,
            "answered_by": answered_by,
            "answered_at": now,
        },
    )
    request.updated_at = now
    if previous is not None:
        record_audit(
            session,
            actor_id=answered_by,
            request_id=request.id,
            action="answer.edited",
            before=_answer_snapshot(previous),
            after=_answer_snapshot(answer),
            now=now,
        )
    return answer


def _answer_snapshot(answer: CurrentAnswer) -> dict[str, Any]:
    return {
        "question_id": answer.question_id,
        "version": answer.version,
        "text": answer.text,
        "skipped": answer.skipped,
    }


def change_status(
    session: Session,
    *,
    request: Request,
    status: RequestStatus,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Every status change leaves an audit event in the same transaction."""
    before = request.status
    if before == status:
        return
    request.status = status
    request.updated_at = now
    if status is RequestStatus.SUBMITTED:
        request.submitted_at = now
    record_audit(
        session,
        actor_id=actor_id,
        request_id=request.id,
        action="request.status_changed",
        before={"status": before},
        after={"status": status.value},
        now=now,
    )


def record_audit(
    session: Session,
    *,
    actor_id: int | None,
    request_id: int | None,
    action: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Written at once, in the caller's transaction (the request it names must exist)."""
    session.connection().execute(
        _INSERT_AUDIT,
        {
            "at": now,
            "actor_id": actor_id,
            "request_id": request_id,
            "action": action,
            "before": before,
            "after": after,
        },
    )


def record_audits(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Several audit events (``record_audit``'s fields, ``at`` for ``now``) in one statement."""
    if events:
        rows = [{"before": None, "after": None, **event} for event in events]
        session.connection().execute(_INSERT_AUDIT, rows)


def insert_drafts(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """New drafts' ids, in the order given; drafts, like answers, are written as plain rows."""
    if not rows:
        return []
    result = session.connection().execute(_INSERT_DRAFTS, list(rows))
    return [int(row[0]) for row in result]


def list_requests(
    session: Session,
    *,
    status: str | None = None,
    requester_id: int | None = None,
    limit: int | None = None,
) -> list[Request]:
    statement = select(Request).order_by(col(Request.id).desc())
    if status is not None:
        statement = statement.where(Request.status == status)
    if requester_id is not None:
        statement = statement.where(Request.requester_id == requester_id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.exec(statement).all())


def requests_by_id(session: Session, *, ids: Iterable[int]) -> list[Request]:
    wanted = set(ids)
    if not wanted:
        return []
    return list(session.exec(select(Request).where(col(Request.id).in_(wanted))).all())


def people_by_id(session: Session, *, ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Person).where(col(Person.id).in_(wanted))).all()
    return {person.id: person for person in rows if person.id is not None}


def audit_trail(session: Session, *, request_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.request_id == request_id)
            .order_by(col(AuditEvent.id))
        ).all()
    )


def answer_history(session: Session, *, request_id: int) -> list[Answer]:
    return list(
        session.exec(
            select(Answer)
            .where(Answer.request_id == request_id)
            .order_by(col(Answer.question_id), col(Answer.version))
        ).all()
    )


REVIEW_TOLD = "request.review_told"


def reviewed_but_untold(session: Session, *, requester_id: int) -> list[Request]:
    """The person's requests whose drafts are all decided, not yet announced to them."""
    pending = select(Draft.request_id).where(Draft.status == DraftStatus.PENDING).scalar_subquery()
    drafted = select(Draft.request_id).scalar_subquery()
    told = select(AuditEvent.request_id).where(AuditEvent.action == REVIEW_TOLD).scalar_subquery()
    return list(
        session.exec(
            select(Request).where(
                Request.requester_id == requester_id,
                col(Request.id).in_(drafted),
                col(Request.id).not_in(pending),
                col(Request.id).not_in(told),
            )
        ).all()
    )


def mark_review_told(session: Session, *, request_id: int, now: datetime) -> None:
    record_audit(session, actor_id=None, request_id=request_id, action=REVIEW_TOLD, now=now)
