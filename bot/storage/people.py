"""People and where each stands: the person and conversation rows a turn starts from, read
with one statement for someone already known and locked for the turn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, tuple_
from sqlmodel import Session, col, select

from bot.messages import PersonRef
from bot.storage.models import Conversation, Person, Request

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


def ref_of(person: Person) -> PersonRef:
    """A stored person as flows name them, with the name and time zone the bot knows."""
    return PersonRef(
        platform=person.platform,
        user_id=person.platform_user_id,
        workspace_id=person.workspace_id,
        display_name=person.display_name,
        time_zone=person.time_zone,
    )


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
