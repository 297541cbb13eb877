"""Platform delivery ids already handled, claimed in the turn's own transaction, so a
redelivered event or a replayed interaction changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from bot.storage.models import ProcessedEvent


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
