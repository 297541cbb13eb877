"""A turn that waited for the conversation lock sees what the turn before it committed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.messages import PersonRef
from bot.storage import service
from bot.storage.database import Database
from bot.storage.people import lock_conversation, turn_state, upsert_person

ANA = PersonRef(platform="slack", user_id="U0ANA", workspace_id="T1", display_name="Ana")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_turn_that_waited_for_the_lock_reads_the_request_as_committed(
    database: Database,
) -> None:
    if not database.is_postgresql:
        pytest.skip("on SQLite a turn takes the write lock before it reads anything")
    with database.session() as session:
        person = upsert_person(session, ref=ANA, now=NOW)
        conversation = lock_conversation(session, person=person, platform="slack", now=NOW)
        request = service.create_request(
            session, requester=person, platform="slack", title="before", now=NOW
        )
        conversation.request_id = request.id
    first_has_lock, second_is_waiting = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def first_turn() -> None:
        with database.session(autoflush=False) as session:
            _, conversation, _ = turn_state(session, ref=ANA, now=NOW)
            assert conversation.request_id is not None
            request = service.get_request(session, request_id=conversation.request_id)
            assert request is not None
            request.title = "after"
            conversation.version += 1
            session.flush()
            first_has_lock.set()
            assert second_is_waiting.wait(30)

    def second_turn() -> None:
        first_has_lock.wait(30)
        with database.session(autoflush=False) as session:
            _, conversation, held = turn_state(session, ref=ANA, now=NOW)
            assert conversation.request_id is not None
            request = service.get_request(session, request_id=conversation.request_id)
            seen.update(version=conversation.version, title=request.title if request else None)
            del held

    first = threading.Thread(target=first_turn)
    second = threading.Thread(target=second_turn)
    first.start()
    second.start()
    _until_a_session_waits_for_a_lock(database)
    second_is_waiting.set()
    first.join(30)
    second.join(30)
    assert seen == {"version": 1, "title": "after"}


def _until_a_session_waits_for_a_lock(database: Database) -> None:
    """PostgreSQL's own view of sessions: one of ours blocked on a row lock."""
    with database.engine.connect() as connection:
        connection.execute(text("SET statement_timeout = '30s'"))
        for _ in range(30_000):
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return
            connection.rollback()
    raise AssertionError("the second turn never waited for the lock")
