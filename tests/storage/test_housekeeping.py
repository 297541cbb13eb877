"""Housekeeping: event ids past any redelivery and expired OAuth states go, the rest stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import select

from bot.messages import PersonRef
from bot.reminders.scheduler import ReminderService
from bot.storage import outbox
from bot.storage.database import Database
from bot.storage.events import claim_event
from bot.storage.models import OutboxMessage, ProcessedEvent
from bot.storage.people import upsert_person


def test_old_event_ids_and_expired_states_are_removed_and_recent_ones_kept(
    database: Database,
) -> None:
    now = datetime.now(UTC)  # slack_sdk stamps OAuth states with the real clock
    with database.session() as session:
        assert claim_event(
            session, platform="slack", event_id="Ev-old", now=now - timedelta(days=2)
        )
        assert claim_event(
            session, platform="slack", event_id="Ev-recent", now=now - timedelta(hours=1)
        )
    expired = SQLAlchemyOAuthStateStore(
        expiration_seconds=-60, engine=database.engine, table_name="slack_oauth_states"
    )
    fresh = SQLAlchemyOAuthStateStore(
        expiration_seconds=600, engine=database.engine, table_name="slack_oauth_states"
    )
    expired.issue()
    kept_state = fresh.issue()
    replies = _replies(database, now)

    pruned = ReminderService(database=database, clock=lambda: now).housekeeping()

    assert pruned is not None
    assert (pruned.event_ids, pruned.oauth_states, pruned.replies) == (1, 1, 2)
    with database.session() as session:
        left = [e.event_id for e in session.exec(select(ProcessedEvent)).all()]
        assert left == ["Ev-recent"]
        assert not claim_event(  # a redelivery of the recent one is still recognised
            session, platform="slack", event_id="Ev-recent", now=now
        )
    assert fresh.consume(kept_state), "an unexpired state still completes an install"
    with database.session() as session:
        kept = {row.id for row in session.exec(select(OutboxMessage)).all()}
    assert kept == {replies["unsent"], replies["recent"], replies["given up recently"]}


def _replies(database: Database, now: datetime) -> dict[str, int]:
    """Outbox rows of every age and state, by what they stand for."""
    with database.session() as session:
        person = upsert_person(session, ref=PersonRef(platform="slack", user_id="U1"), now=now)
        assert person.id is not None
        ids = {}
        for name, sent_days_ago, undeliverable in [
            ("unsent", None, False),
            ("recent", 2, False),
            ("delivered long ago", 8, False),
            ("given up recently", 8, True),
            ("given up long ago", 31, True),
        ]:
            row_id = outbox.add(
                session,
                platform="slack",
                person_id=person.id,
                destination={"channel": "D1"},
                messages=[],
                reference=None,
                now=now - timedelta(days=40),
                held_for=timedelta(0),
            )
            if sent_days_ago is not None:
                row = session.get(OutboxMessage, row_id)
                assert row is not None
                row.sent_at = now - timedelta(days=sent_days_ago)
                row.undeliverable = undeliverable
                session.add(row)
            ids[name] = row_id
    return ids
