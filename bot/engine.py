"""One turn: load state, run the flow step, save in one transaction, return what to say.

The conversation row is locked for the whole turn, so two windows (or two replicas) acting for the
same person take turns instead of interleaving, and each sees what the other committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError, OperationalError

from bot.config import AppConfig
from bot.flows.triage import TriageFlow
from bot.messages import Inbound, TurnResult
from bot.storage import service
from bot.storage.database import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_ATTEMPTS = 3


def utc_now() -> datetime:
    return datetime.now(UTC)


class Engine:
    def __init__(self, *, database: Database, config: AppConfig, clock: Clock = utc_now) -> None:
        self.database = database
        self.config = config
        self.clock = clock

    def handle(self, inbound: Inbound) -> TurnResult:
        """Run one turn. Retries when a first contact races another (a unique key collides)."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return self._turn(inbound)
            except (IntegrityError, OperationalError) as exc:
                if attempt == _ATTEMPTS or not _is_retryable(exc):
                    raise
                log.info("turn for %s collided (%s); retrying", inbound.person.user_id, exc.orig)
        raise AssertionError("unreachable")

    def _turn(self, inbound: Inbound) -> TurnResult:
        with self.database.session() as session:
            now = self.clock()
            person = service.upsert_person(session, ref=inbound.person, now=now)
            conversation = service.lock_conversation(
                session, person=person, platform=inbound.person.platform, now=now
            )
            if inbound.conversation_ref:
                conversation.channel_ref = inbound.conversation_ref
            flow = TriageFlow(
                session=session,
                config=self.config,
                person=person,
                conversation=conversation,
                now=now,
            )
            messages = flow.handle(inbound)
            conversation.version += 1
            conversation.updated_at = now
            session.add(conversation)
            return TurnResult(
                messages=messages,
                conversation_version=conversation.version,
                request_reference=flow.request.reference if flow.request else None,
                asking=conversation.question_id,
            )


def _is_retryable(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc.orig).lower()
    return "deadlock" in text or "database is locked" in text or "could not serialize" in text
