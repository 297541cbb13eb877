"""Who is signed in to the web desk: sealed session cookies opened by single-use chat links.

A reviewer asks for a link in their chat (or ``triage-bot desk link``); opening it shows a
page whose button spends the link, so a link preview that fetches it spends nothing. The
session lives in a cookie sealed with a key every replica shares (aiohttp-session's Fernet
storage: encrypted, signed and dated), HttpOnly and SameSite, Secure over HTTPS. Every POST
carries the session's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.messages import PersonRef
from bot.storage import sign_in
from bot.storage.database import Database
from bot.storage.models import Person

log = logging.getLogger(__name__)

COOKIE = "triage_desk"
SESSION_HOURS = 8
CSRF_FIELD = "csrf"


def cookie_storage(key: str, *, secure: bool) -> EncryptedCookieStorage:
    """Any text key works: it is stretched to the 32 bytes Fernet wants."""
    return EncryptedCookieStorage(
        hashlib.sha256(key.encode()).digest(),
        cookie_name=COOKIE,
        max_age=SESSION_HOURS * 3600,
        path="/desk",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )


def stored_key(database: Database, *, now: datetime) -> str:
    """The key kept in the database, made by whichever process needed it first."""
    with database.session() as session:
        sign_in.ensure_session_key(session, now=now)
    with database.session(write=False) as session:
        key = sign_in.session_key(session)
    assert key is not None
    return key


@dataclass(frozen=True)
class SignedIn:
    person_id: int
    ref: PersonRef
    csrf: str


async def start_session(request: web.Request, person: Person) -> None:
    """A fresh session (a new cookie, so one planted before sign-in is not reused)."""
    session = await new_session(request)
    session["person_id"] = person.id
    session[CSRF_FIELD] = secrets.token_urlsafe(24)


async def signed_in_person_id(request: web.Request) -> tuple[int, str] | None:
    session = await get_session(request)
    person_id = session.get("person_id")
    csrf = session.get(CSRF_FIELD)
    if not isinstance(person_id, int) or not isinstance(csrf, str):
        return None
    return person_id, csrf


async def end_session(request: web.Request) -> None:
    session: Session = await get_session(request)
    session.invalidate()


def csrf_ok(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())
