"""Keyword-only database functions. They flush but never commit: the caller owns the transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, tuple_
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.messages import PersonRef
from bot.storage.models import (
    Answer,
    AuditEvent,
    Conversation,
    Draft,
    DraftStatus,
    Person,
    ProcessedEvent,
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


# Built once: statements on the per-turn path skip SQLAlchemy's expression building.
_PERSON_BY_PLATFORM_ID = select(Person).where(
    Person.platform == bindparam("platform"),
    Person.workspace_id == bindparam("workspace_id"),
    Person.platform_user_id == bindparam("user_id"),
)
_CONVERSATION_FOR_UPDATE = (
    select(Conversation)
    .where(Conversation.person_id == bindparam("person_id"))
    .where(Conversation.platform == bindparam("platform"))
    .with_for_update()
)


_TURN_STATE = (
    select(Person, Conversation)
    .join(Conversation, col(Conversation.person_id) == col(Person.id))
    .where(
        Person.platform == bindparam("platform"),
        Person.workspace_id == bindparam("workspace_id"),
        Person.platform_user_id == bindparam("user_id"),
        Conversation.platform == bindparam("platform"),
    )
    .with_for_update(of=Conversation)
)
_TURN_STATE_AND_REQUEST = _TURN_STATE.add_columns(Request).outerjoin(
    Request, col(Request.id) == col(Conversation.request_id)
)


def turn_state(
    session: Session, *, ref: PersonRef, now: datetime, create: bool = True
) -> tuple[Person, Conversation, Request | None] | None:
    """The person and their conversation, locked for this transaction, in one statement for
    someone already known; first contact takes the longer way and creates them.

    On SQLite the conversation's request comes in the same statement: the turn already holds
    the write lock (BEGIN IMMEDIATE), so nothing read here can change before it commits. On
    PostgreSQL a turn that waited for the row lock gets only the locked row re-read, so the
    request is left to ``get_request``, after the lock. Hold on to the returned request for
    the turn: the session's identity map keeps only objects someone references. None for
    someone never seen when ``create`` is False."""
    together = session.get_bind().dialect.name == "sqlite"
    row = session.exec(
        _TURN_STATE_AND_REQUEST if together else _TURN_STATE,  # type: ignore[arg-type]
        params={"platform": ref.platform, "workspace_id": ref.workspace_id, "user_id": ref.user_id},
    ).first()
    if row is None:
        if not create:
            return None
        person = upsert_person(session, ref=ref, now=now)
        conversation = lock_conversation(session, person=person, platform=ref.platform, now=now)
        return person, conversation, None
    person, conversation = row[0], row[1]
    _refresh_person(person, ref)
    return person, conversation, row[2] if len(row) > 2 else None


PersonKey = tuple[str, str, str]
"""(platform, workspace_id, user_id): how a platform names a person."""


def person_key(ref: PersonRef) -> PersonKey:
    return (ref.platform, ref.workspace_id, ref.user_id)


_TURN_STATES = (
    select(Person, Conversation, Request)
    .join(Conversation, col(Conversation.person_id) == col(Person.id))
    .outerjoin(Request, col(Request.id) == col(Conversation.request_id))
    .where(
        col(Conversation.platform) == col(Person.platform),
        tuple_(Person.platform, Person.workspace_id, Person.platform_user_id).in_(
            bindparam("keys", expanding=True)
        ),
    )
)


def turn_states(
    session: Session, *, refs: Sequence[PersonRef]
) -> dict[PersonKey, tuple[Person, Conversation, Request | None]]:
    """``turn_state`` for many people in one statement, SQLite only (the transaction holds
    the write lock, so nothing read here can change before it commits). People seen for the
    first time are missing from the result; ``turn_state`` creates them."""
    assert session.get_bind().dialect.name == "sqlite"
    rows = session.exec(_TURN_STATES, params={"keys": [person_key(ref) for ref in refs]}).all()
    states: dict[PersonKey, tuple[Person, Conversation, Request | None]] = {}
    for person, conversation, request in rows:
        states[(person.platform, person.workspace_id, person.platform_user_id)] = (
            person,
            conversation,
            request,
        )
    for ref in refs:
        if (state := states.get(person_key(ref))) is not None:
            _refresh_person(state[0], ref)
    return states


def find_person(session: Session, *, ref: PersonRef) -> Person | None:
    return session.exec(
        _PERSON_BY_PLATFORM_ID,
        params={"platform": ref.platform, "workspace_id": ref.workspace_id, "user_id": ref.user_id},
    ).first()


def upsert_person(session: Session, *, ref: PersonRef, now: datetime) -> Person:
    person = find_person(session, ref=ref)
    if person is None:
        person = Person(
            platform=ref.platform,
            workspace_id=ref.workspace_id,
            platform_user_id=ref.user_id,
            display_name=ref.display_name,
            time_zone=ref.time_zone,
            created_at=now,
        )
        session.add(person)
        session.flush()
        return person
    _refresh_person(person, ref)
    return person


def _refresh_person(person: Person, ref: PersonRef) -> None:
    """Names and time zones change on the platform; the latest one seen wins."""
    if ref.display_name and ref.display_name != person.display_name:
        person.display_name = ref.display_name
    if ref.time_zone and ref.time_zone != person.time_zone:
        person.time_zone = ref.time_zone


def lock_conversation(
    session: Session, *, person: Person, platform: str, now: datetime
) -> Conversation:
    """The person's conversation row, locked for this transaction (created on first contact)."""
    conversation = session.exec(
        _CONVERSATION_FOR_UPDATE, params={"person_id": person.id, "platform": platform}
    ).first()
    if conversation is None:
        assert person.id is not None
        conversation = Conversation(person_id=person.id, platform=platform, updated_at=now)
        session.add(conversation)
        session.flush()
    return conversation


def claim_event(session: Session, *, platform: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen; a redelivery gets False and changes nothing.

    Claimed in the turn's own transaction, so a turn that fails releases its claim and the
    platform's retry is processed normally.
    """
    statement = _CLAIM_EVENT[session.get_bind().dialect.name == "postgresql"]
    params = {"platform": platform, "event_id": event_id, "received_at": now}
    # Core, on the session's connection: a plain insert needs none of the ORM's bookkeeping.
    return session.connection().execute(statement, params).first() is not None


def claim_events(
    session: Session, *, events: Sequence[tuple[str, str]], now: datetime
) -> set[tuple[str, str]]:
    """``claim_event`` for many (platform, event id) pairs in one statement: the pairs seen
    for the first time. A pair given twice is claimed once."""
    if not events:
        return set()
    statement = _CLAIM_EVENTS[session.get_bind().dialect.name == "postgresql"]
    rows = [{"platform": p, "event_id": e, "received_at": now} for p, e in events]
    return {(row[0], row[1]) for row in session.connection().execute(statement, rows)}


def _claim_many_statement(insert: Any) -> Any:
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(table.c.platform, table.c.event_id)
    )


_CLAIM_EVENTS = {
    False: _claim_many_statement(sqlite_insert),
    True: _claim_many_statement(postgresql_insert),
}


def _claim_statement(insert: Any) -> Any:
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    return (
        insert(table)
        .values(
            platform=bindparam("platform"),
            event_id=bindparam("event_id"),
            received_at=bindparam("received_at", type_=table.c.received_at.type),
        )
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(table.c.id)
    )


_CLAIM_EVENT = {False: _claim_statement(sqlite_insert), True: _claim_statement(postgresql_insert)}


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
