"""The outbox's rows: written with a turn, claimed by whoever sends them, marked when sent.

A row is claimed with a conditional update on ``next_attempt_at`` (the pattern the reminder rows
use), so two senders never both take it; a claim left by a crash runs out and the row is taken
again. Rows are handed out oldest first, and only a person's oldest unsent row, so retries keep
each person's order.

``maybe_sent_since`` is set by the writes that happen anyway (the turn's insert, the claim, a
failure), never by one of its own: whoever sends a row after a sender that may have got a part
through (a timeout, a crash mid-send) is told to look before posting that part again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from bot.storage.database import Database, rows_changed
from bot.storage.models import OutboxMessage


@dataclass(frozen=True)
class Owed:
    """One row to send, as claimed."""

    id: int
    person_id: int
    destination: dict[str, Any]
    messages: list[Any]
    reference: str | None
    parts_sent: int
    attempts: int
    created_at: datetime
    maybe_sent_since: datetime | None


def add(
    session: Session,
    *,
    platform: str,
    person_id: int,
    destination: dict[str, Any],
    messages: list[Any],
    reference: str | None,
    now: datetime,
    held_for: timedelta,
) -> int:
    """In the turn's transaction: the reply exists exactly when the turn does. Nobody else
    takes it for ``held_for``, while the process that ran the turn sends it."""
    # Core, on the session's connection: no flush of the turn's other rows before the commit.
    row_id = (
        session.connection()
        .execute(
            _ADD,
            {
                "platform": platform,
                "person_id": person_id,
                "destination": destination,
                "messages": messages,
                "reference": reference,
                "created_at": now,
                "next_attempt_at": now + held_for,
                "maybe_sent_since": now,  # its sender may die mid-send
            },
        )
        .scalar_one()
    )
    return int(row_id)


_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
_ADD = insert(_TABLE).values(parts_sent=0, attempts=0, undeliverable=False).returning(_TABLE.c.id)


def mark_sent(database: Database, ids: Iterable[int], now: datetime) -> None:
    ids = list(ids)
    if not ids:
        return
    with database.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.sent_at).is_(None))
            .values(sent_at=now)
        )


def record_failure(
    database: Database,
    *,
    outbox_id: int,
    parts_sent: int,
    error: str,
    retry_at: datetime,
    maybe_sent_since: datetime | None,
) -> None:
    """``maybe_sent_since``: None when the failure says part ``parts_sent`` did not go out."""
    with database.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == outbox_id, col(OutboxMessage.sent_at).is_(None))
            .values(
                parts_sent=parts_sent,
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=retry_at,
                last_error=error[:2000],
                maybe_sent_since=maybe_sent_since,
            )
        )


def give_up(database: Database, *, outbox_id: int, error: str, now: datetime) -> None:
    with database.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == outbox_id, col(OutboxMessage.sent_at).is_(None))
            .values(sent_at=now, undeliverable=True, last_error=error[:2000])
        )


def claim_due(
    database: Database,
    *,
    platform: str,
    now: datetime,
    claim_for: timedelta,
    limit: int = 200,
) -> list[Owed]:
    """Each person's oldest unsent row, if it is due, claimed until ``now + claim_for``. Each
    comes back as it was before the claim; the claim itself records that a send starts now."""
    with database.session() as session:
        oldest = (
            select(func.min(OutboxMessage.id))
            .where(
                col(OutboxMessage.platform) == platform,
                col(OutboxMessage.sent_at).is_(None),
            )
            .group_by(col(OutboxMessage.person_id))
        )
        rows = session.exec(
            select(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(oldest),
                col(OutboxMessage.next_attempt_at) <= now,
            )
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        ).all()
        claimed: list[Owed] = []
        for row in rows:
            before = _owed(row)  # the update below refreshes the row object in the session
            taken = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == row.id,
                    col(OutboxMessage.next_attempt_at) == row.next_attempt_at,
                    col(OutboxMessage.sent_at).is_(None),
                )
                .values(
                    next_attempt_at=now + claim_for,
                    maybe_sent_since=func.coalesce(OutboxMessage.maybe_sent_since, now),
                )
            )
            if rows_changed(taken):
                claimed.append(before)
        return claimed


def release(database: Database, *, platform: str, now: datetime) -> set[int]:
    """At start-up: every unsent row is due now (whoever held it has stopped). The people
    whose replies are owed, who must not get a newer reply before them."""
    with database.session() as session:
        _due_now(session, now, col(OutboxMessage.platform) == platform)
        return owed_people(session, platform=platform)


def release_one(database: Database, *, outbox_id: int, now: datetime) -> None:
    """Hand a new row to the retry loop at once (its person has older replies owed); nothing
    of it was sent, so nobody needs to look for it."""
    with database.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == outbox_id, col(OutboxMessage.sent_at).is_(None))
            .values(next_attempt_at=now, maybe_sent_since=None)
        )


def release_person(
    database: Database, *, person_id: int, now: datetime, keep: Sequence[int]
) -> int:
    """A person's rows whose sender is gone (a turn worker killed after its commit, the turn
    replayed and found done) are due now; ``keep`` are rows this process is sending. How many
    rows are owed."""
    with database.session() as session:
        _due_now(
            session,
            now,
            col(OutboxMessage.person_id) == person_id,
            col(OutboxMessage.id).not_in(list(keep)),
        )
        return len(
            session.exec(
                select(OutboxMessage.id).where(
                    col(OutboxMessage.person_id) == person_id,
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.id).not_in(list(keep)),
                )
            ).all()
        )


def _due_now(session: Session, now: datetime, *where: Any) -> None:
    """Unsent rows matching ``where`` that wait for a later time (or a claim) may go now."""
    session.execute(
        update(OutboxMessage)
        .where(
            *where,
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.next_attempt_at) > now,
        )
        .values(next_attempt_at=now)
    )


def owed_people(session: Session, *, platform: str) -> set[int]:
    people = session.exec(
        select(OutboxMessage.person_id)
        .where(col(OutboxMessage.platform) == platform, col(OutboxMessage.sent_at).is_(None))
        .distinct()
    ).all()
    return {int(person_id) for person_id in people}


def unsent(database: Database, *, platform: str | None = None) -> Sequence[OutboxMessage]:
    with database.session(write=False) as session:
        query = select(OutboxMessage).where(col(OutboxMessage.sent_at).is_(None))
        if platform is not None:
            query = query.where(col(OutboxMessage.platform) == platform)
        return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def _owed(row: OutboxMessage) -> Owed:
    assert row.id is not None
    return Owed(
        id=row.id,
        person_id=row.person_id,
        destination=dict(row.destination),
        messages=list(row.messages),
        reference=row.reference,
        parts_sent=row.parts_sent,
        attempts=row.attempts,
        created_at=row.created_at,
        maybe_sent_since=row.maybe_sent_since,
    )
