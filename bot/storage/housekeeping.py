"""Rows that only matter for a while: event ids kept to drop redeliveries, OAuth states.

Slack and Teams redeliver an event within minutes (Slack's last retry comes about an hour after
the first try), so an event id older than a day can never be redelivered and is deleted.
slack_sdk deletes an OAuth state when it is used, never when it simply expires; expired ones
go too. Delivered replies leave the outbox after a week; replies given up on stay a month, for
whoever looks into why. The scheduler calls this hourly; it is safe from several processes at
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, and_, column, delete, or_, table
from sqlmodel import col

from bot.storage.database import Database, rows_changed
from bot.storage.models import OutboxMessage, ProcessedEvent

KEEP_EVENT_IDS = timedelta(days=1)
KEEP_DELIVERED_REPLIES = timedelta(days=7)
KEEP_UNDELIVERABLE_REPLIES = timedelta(days=30)
# slack_sdk's table (see bot/channels/slack/tables.py), named here so storage needs no Slack code
_OAUTH_STATES = table("slack_oauth_states", column("expire_at", DateTime))


@dataclass(frozen=True)
class Pruned:
    event_ids: int
    oauth_states: int
    replies: int = 0


def prune(database: Database, *, now: datetime) -> Pruned:
    states = _OAUTH_STATES
    with database.session() as session:
        events = session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.received_at < now - KEEP_EVENT_IDS  # type: ignore[arg-type]
            )
        )
        expired = session.execute(delete(states).where(states.c.expire_at < _naive_utc(now)))
        replies = session.execute(
            delete(OutboxMessage).where(
                col(OutboxMessage.sent_at).is_not(None),
                or_(
                    and_(
                        col(OutboxMessage.undeliverable).is_(False),
                        col(OutboxMessage.sent_at) < now - KEEP_DELIVERED_REPLIES,
                    ),
                    col(OutboxMessage.sent_at) < now - KEEP_UNDELIVERABLE_REPLIES,
                ),
            )
        )
    return Pruned(
        event_ids=rows_changed(events),
        oauth_states=rows_changed(expired),
        replies=rows_changed(replies),
    )


def _naive_utc(moment: datetime) -> datetime:
    """slack_sdk keeps its OAuth times as naive UTC (TIMESTAMP WITHOUT TIME ZONE)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
