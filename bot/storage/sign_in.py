"""Sign-in links to the web desk: made for one person, used once, soon stale, kept hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.storage.models import DeskKey, DeskSignIn, Person

LINK_LIFETIME = timedelta(minutes=15)
SIGN_IN_PATH = "/desk/sign-in/"


def link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + SIGN_IN_PATH + token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, *, person_id: int, now: datetime) -> str:
    """A new link token for this person; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        DeskSignIn(
            token_hash=_hash(token),
            person_id=person_id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    return token


def redeem(session: Session, *, token: str, now: datetime) -> Person | None:
    """The person a token signs in, once: a conditional update marks it used, so two tabs (or
    two replicas) opening the same link cannot both get a session."""
    if not token or len(token) > 200:
        return None
    claimed = (
        session.connection()
        .execute(
            update(DeskSignIn)
            .where(
                col(DeskSignIn.token_hash) == _hash(token),
                col(DeskSignIn.used_at).is_(None),
                col(DeskSignIn.expires_at) > now,
            )
            .values(used_at=now)
            .returning(col(DeskSignIn.person_id))
        )
        .first()
    )
    if claimed is None:
        return None
    return session.get(Person, claimed[0])


def is_usable(session: Session, *, token: str, now: datetime) -> bool:
    """Whether a token would sign in now (the confirmation page asks before it is spent)."""
    if not token or len(token) > 200:
        return False
    row = session.exec(select(DeskSignIn).where(DeskSignIn.token_hash == _hash(token))).first()
    return row is not None and row.used_at is None and row.expires_at > now


def ensure_session_key(session: Session, *, now: datetime) -> None:
    """Make the cookie key on first use. Two processes racing may both write one; everyone
    reads the oldest (``session_key``, after this commits), so they agree."""
    if session.exec(select(DeskKey.id)).first() is None:
        session.add(DeskKey(key=secrets.token_urlsafe(32), created_at=now))


def session_key(session: Session) -> str | None:
    first = session.exec(select(DeskKey).order_by(col(DeskKey.id))).first()
    return first.key if first is not None else None
