"""The whole desk, a page at a time: every request with its category, owner and due date,
filtered and searched in the database so a desk of ten thousand requests stays quick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.storage import service
from bot.storage.models import Answer, Decision, Draft, Person, Request
from bot.storage.statuses import DecisionStatus

PER_PAGE = 50
MAX_SEARCH = 200


@dataclass(frozen=True)
class DeskFilter:
    status: str | None = None
    category: str | None = None
    """The reviewed category, or the draft's while nobody has reviewed it."""
    owner_id: int | None = None
    overdue: bool = False
    text: str = ""
    page: int = 1


@dataclass(frozen=True)
class DeskRow:
    request_id: int
    reference: str
    title: str
    requester: str
    status: str
    draft_category: str | None
    reviewed_category: str | None
    owner: str | None
    due_at: datetime | None
    overdue: bool
    submitted_at: datetime | None


@dataclass(frozen=True)
class DeskPage:
    rows: list[DeskRow]
    total: int
    page: int
    pages: int


def latest_decision_id() -> Any:
    """Each request's newest decision, looked up through the request_id index row by row, so
    a page of 50 costs 50 lookups rather than a pass over every decision."""
    newest = aliased(Decision)
    return (
        select(func.max(col(newest.id)))
        .where(col(newest.request_id) == col(Request.id))
        .correlate(Request)
        .scalar_subquery()
    )


def latest_classification() -> Any:
    """Each request's newest classification draft (the one its review card shows)."""
    newest = aliased(Draft)
    return (
        select(func.max(col(newest.id)))
        .where(col(newest.request_id) == col(Request.id), col(newest.kind) == "classification")
        .correlate(Request)
        .scalar_subquery()
    )


def drafted_category() -> Any:
    """Each request's newest classification draft's category, for requests nobody reviewed:
    inside COALESCE after the reviewed category it is looked up only when that is missing."""
    return (
        select(col(Draft.content)["category"].as_string())
        .where(col(Draft.id) == latest_classification())
        .scalar_subquery()
    )


def _latest_decision_is(*conditions: Any) -> Any:
    """The request's newest decision matches: found from the decisions' side (their status and
    owner indexes) rather than by joining every request to its newest decision."""
    newer = aliased(Decision)
    is_newest = ~exists().where(
        col(newer.request_id) == col(Decision.request_id), col(newer.id) > col(Decision.id)
    )
    return col(Request.id).in_(select(col(Decision.request_id)).where(*conditions, is_newest))


def desk_page(
    session: Session, wanted: DeskFilter, *, now: datetime, first_question: str
) -> DeskPage:
    """Newest first. Overdue means an open decision past its due date. A request's title is
    what it was started with, else its answer to the first question."""
    draft_category = col(Draft.content)["category"].as_string()
    conditions = []
    if wanted.status:
        conditions.append(col(Request.status) == wanted.status)
    if wanted.category:
        conditions.append(
            func.coalesce(col(Request.category), drafted_category()) == wanted.category
        )
    if wanted.owner_id is not None:
        conditions.append(_latest_decision_is(col(Decision.owner_id) == wanted.owner_id))
    if wanted.overdue:
        conditions.append(
            _latest_decision_is(
                col(Decision.status) == DecisionStatus.OPEN, col(Decision.due_at) < now
            )
        )
    text = " ".join(wanted.text.split())[:MAX_SEARCH].casefold()
    if text:
        in_answers = exists().where(
            col(Answer.request_id) == col(Request.id),
            func.lower(col(Answer.text)).contains(text, autoescape=True),
        )
        conditions.append(
            or_(func.lower(col(Request.title)).contains(text, autoescape=True), in_answers)
        )
    base = select(col(Request.id))
    if conditions:
        base = base.where(*conditions)
    newest_first = base.order_by(col(Request.id).desc())
    if text:  # one pass over the answers, not one to count and another for the page
        matching = [found for found in session.exec(newest_first).all() if found is not None]
        total = len(matching)
    else:
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, wanted.page), pages)
    start = (page - 1) * PER_PAGE
    if text:
        ids = matching[start : start + PER_PAGE]
    else:
        paged = session.exec(newest_first.offset(start).limit(PER_PAGE)).all()
        ids = [found for found in paged if found is not None]
    found = (
        session.exec(
            select(Request, Decision, draft_category)
            .select_from(Request)
            .outerjoin(Decision, col(Decision.id) == latest_decision_id())
            .outerjoin(Draft, col(Draft.id) == latest_classification())
            .where(col(Request.id).in_(ids))
            .order_by(col(Request.id).desc())
        ).all()
        if ids
        else []
    )
    first = service.latest_answers_for(session, request_ids=ids) if ids else {}
    people = service.people_by_id(
        session,
        ids={
            *(request.requester_id for request, _, _ in found),
            *(decision.owner_id for _, decision, _ in found if decision is not None),
        },
    )
    rows = [
        _row(request, decision, category, people, now, _task(first, request, first_question))
        for request, decision, category in found
    ]
    return DeskPage(rows=rows, total=total, page=page, pages=pages)


def _row(
    request: Request,
    decision: Decision | None,
    draft_category: str | None,
    people: dict[int, Person],
    now: datetime,
    title: str,
) -> DeskRow:
    assert request.id is not None
    is_open = decision is not None and decision.status == DecisionStatus.OPEN
    return DeskRow(
        request_id=request.id,
        reference=request.reference,
        title=title,
        requester=_name(people.get(request.requester_id)),
        status=request.status,
        draft_category=draft_category,
        reviewed_category=request.category,
        owner=_name(people.get(decision.owner_id)) if decision is not None else None,
        due_at=decision.due_at if decision is not None else None,
        overdue=bool(is_open and decision is not None and decision.due_at < now),
        submitted_at=request.submitted_at,
    )


def _task(answers: dict[int, Any], request: Request, first_question: str) -> str:
    if request.title:
        return request.title
    answer = answers.get(request.id or 0, {}).get(first_question)
    return answer.text if answer is not None and not answer.skipped else ""


def owners(session: Session) -> list[tuple[int, str]]:
    """Everyone who owns or owned a decision, for the owner filter."""
    ids = session.exec(select(col(Decision.owner_id)).distinct()).all()
    people = service.people_by_id(session, ids=set(ids))
    return sorted(((pid, _name(p)) for pid, p in people.items()), key=lambda item: item[1])


def _name(person: Person | None) -> str:
    if person is None:
        return ""
    return person.display_name or person.platform_user_id
