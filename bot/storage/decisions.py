"""Reading a request's decision, for whoever shows it (the review card, the desk)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.storage.models import Decision


def latest_for(session: Session, *, request_id: int) -> Decision | None:
    """The request's newest decision, open or made."""
    return session.exec(
        select(Decision).where(Decision.request_id == request_id).order_by(col(Decision.id).desc())
    ).first()
