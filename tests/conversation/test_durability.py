"""What a turn promises about its own storage: replies kept with it, repeats recognised,
strangers' buttons ignored, a dropped database connection survived."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import func, select

from bot.conversation.engine import Engine
from bot.delivery import codec
from bot.messages import Inbound, PersonRef
from bot.storage.database import Database
from bot.storage.models import Answer, Conversation, OutboxMessage, Person
from tests.conftest import GOOD_ANSWERS

SLACK_ANA = PersonRef(platform="slack", user_id="U0ANA", workspace_id="T1", display_name="Ana")
DM = {"channel": "D0ANA", "team_id": "T1"}


def count(database: Database, model: type[Any]) -> int:
    with database.session(write=False) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_turns_replies_are_kept_in_the_outbox_with_it(engine: Engine, database: Database) -> None:
    result = engine.handle(Inbound.say(SLACK_ANA, "hi", event_id="Ev1", reply_to=DM))
    assert result.outbox_id is not None and result.person_id is not None
    with database.session(write=False) as session:
        row = session.get(OutboxMessage, result.outbox_id)
    assert row is not None and row.sent_at is None
    assert row.destination == DM
    assert codec.decode(row.messages) == result.messages  # drawn the same after a restart


def test_a_repeated_delivery_changes_nothing_and_says_whose_replies_may_be_owed(
    engine: Engine, database: Database
) -> None:
    engine.handle(Inbound.say(SLACK_ANA, "hi", event_id="Ev1", reply_to=DM))
    first = engine.handle(Inbound.say(SLACK_ANA, GOOD_ANSWERS[0], event_id="Ev2", reply_to=DM))
    again = engine.handle(Inbound.say(SLACK_ANA, GOOD_ANSWERS[0], event_id="Ev2", reply_to=DM))
    assert again.duplicate and again.messages == []
    assert again.person_id == first.person_id
    assert count(database, Answer) == 1
    assert count(database, OutboxMessage) == 2


def test_a_button_from_someone_never_seen_is_refused_and_leaves_no_rows(
    engine: Engine, database: Database
) -> None:
    stranger = PersonRef(platform="slack", user_id="U0FORGED", workspace_id="")
    result = engine.handle(Inbound.press(stranger, "triage-request-continue", "1", reply_to=DM))
    assert result.refused and "nothing was changed" in result.messages[0].text
    assert count(database, Person) == 0
    assert count(database, Conversation) == 0
    assert count(database, OutboxMessage) == 0


@pytest.mark.postgres
def test_a_connection_the_server_drops_mid_turn_costs_the_turn_nothing(
    engine: Engine, database: Database
) -> None:
    """An administrator's restart, a failover: PostgreSQL ends the backend (AdminShutdown)."""
    if not database.is_postgresql:
        pytest.skip("this is about a PostgreSQL backend being terminated")
    engine.handle(Inbound.say(SLACK_ANA, "hi", event_id="Ev1"))
    terminated: list[int] = []

    def terminate_once(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if terminated or not statement.lstrip().upper().startswith("INSERT INTO answer".upper()):
            return
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with database.engine.connect() as other:  # another pooled connection does it
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        terminated.append(pid)

    event.listen(database.engine, "before_cursor_execute", terminate_once)
    try:
        result = engine.handle(Inbound.say(SLACK_ANA, GOOD_ANSWERS[0], event_id="Ev2"))
    finally:
        event.remove(database.engine, "before_cursor_execute", terminate_once)
    assert terminated, "the answer's insert never ran"
    assert "Question 2 of 6" in (result.messages[-1].progress or "")
    with database.session(write=False) as session:
        assert [a.text for a in session.exec(select(Answer)).all()] == [GOOD_ANSWERS[0]]
