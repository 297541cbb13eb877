"""Housekeeping: event ids past any redelivery and expired OAuth states go, the rest stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import select

from bot.reminders.scheduler import ReminderService
from bot.storage import service
from bot.storage.database import Database
from bot.storage.models import ProcessedEvent


def test_old_event_ids_and_expired_states_are_removed_and_recent_ones_kept(
    database: Database,
) -> None:
    now = datetime.now(UTC)  # slack_sdk stamps OAuth states with the real clock
    with database.session() as session:
        assert service.claim_event(
            session, platform="slack", event_id="Ev-old", now=now - timedelta(days=2)
        )
        assert service.claim_event(
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

    pruned = ReminderService(database=database, clock=lambda: now).housekeeping()

    assert pruned is not None
    assert (pruned.event_ids, pruned.oauth_states) == (1, 1)
    with database.session() as session:
        left = [e.event_id for e in session.exec(select(ProcessedEvent)).all()]
        assert left == ["Ev-recent"]
        assert not service.claim_event(  # a redelivery of the recent one is still recognised
            session, platform="slack", event_id="Ev-recent", now=now
        )
    assert fresh.consume(kept_state), "an unexpired state still completes an install"
