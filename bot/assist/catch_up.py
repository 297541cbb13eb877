"""Requests submitted but never drafted: drafting was cut off (a worker killed mid-draft, a
database connection dropped, a model that never answered before a restart). Drafting happens
after the requester's reply, outside their turn, so nothing else would ever pick them up."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.storage.database import Database
from bot.storage.models import Request, RequestStatus


def waiting_for_drafts(database: Database, *, submitted_before: datetime) -> list[Request]:
    with database.session(write=False) as session:
        return list(
            session.exec(
                select(Request)
                .where(
                    col(Request.status) == RequestStatus.SUBMITTED,
                    col(Request.submitted_at) <= submitted_before,
                )
                .order_by(col(Request.id))
            ).all()
        )
