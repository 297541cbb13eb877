"""The review side's reads: a request's review card, the drafts still pending, and where the
people a draft concerns can be reached.

Nothing here writes, so the channels can call it freely to draw and to announce; the
assistant (service.py) combines it with drafting and the reviewers' verdicts.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.assist.cards import DraftView, ReviewCard, label
from bot.config import AppConfig
from bot.storage import service
from bot.storage.database import Database
from bot.storage.models import Conversation, Draft, DraftStatus, Person, Request


class AssistantReads:
    database: Database
    config: AppConfig

    def review_card(self, request_id: int) -> ReviewCard | None:
        with self.database.session(write=False) as session:
            request = service.get_request(session, request_id=request_id)
            if request is None:
                return None
            latest = service.latest_answers(session, request_id=request_id)
            rows = session.exec(
                select(Draft).where(Draft.request_id == request_id).order_by(col(Draft.id))
            ).all()
            people = service.people_by_id(
                session,
                ids={request.requester_id, *(d.decided_by for d in rows if d.decided_by)},
            )

        def name(person_id: int | None) -> str | None:
            person = people.get(person_id or 0)
            return (person.display_name or person.platform_user_id) if person else None

        answers = tuple(
            (q.prompt, "(skipped)" if latest[q.id].skipped else latest[q.id].text)
            for q in self.config.questions
            if q.id in latest
        )
        drafts = tuple(
            DraftView(
                id=d.id or 0,
                kind=d.kind,
                label=label(d),
                content=d.final_content if d.final_content is not None else d.content,
                status=d.status,
                note=d.note,
                decided_by=name(d.decided_by),
                decided_at=d.decided_at,
                reason=d.reason,
            )
            for d in rows
        )
        return ReviewCard(
            request_id,
            request.reference,
            name(request.requester_id) or "",
            answers,
            drafts,
            request.status,
        )

    def requester_channel(self, request_id: int) -> tuple[str, dict[str, Any]] | None:
        """Where the requester can be reached: their platform and stored conversation ref."""
        with self.database.session(write=False) as session:
            request = service.get_request(session, request_id=request_id)
            if request is None:
                return None
            conversation = session.exec(
                select(Conversation).where(
                    Conversation.person_id == request.requester_id,
                    Conversation.platform == request.platform,
                )
            ).first()
        if conversation is None or not conversation.channel_ref:
            return None
        return request.platform, dict(conversation.channel_ref)

    def person_channel(self, platform: str, user_id: str) -> dict[str, Any] | None:
        """The stored conversation reference of one person on one platform."""
        refs = self.reviewer_channels(platform, (user_id,))
        return refs[0] if refs else None

    def reviewer_channels(self, platform: str, user_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        """Stored conversation references of the reviewers who have talked to the bot."""
        if not user_ids:
            return []
        with self.database.session(write=False) as session:
            rows = session.exec(
                select(Conversation)
                .join(Person, col(Person.id) == Conversation.person_id)
                .where(
                    Conversation.platform == platform,
                    col(Person.platform_user_id).in_(user_ids),
                )
            ).all()
        return [dict(row.channel_ref) for row in rows if row.channel_ref]

    def request_of(self, draft_id: int) -> int | None:
        with self.database.session(write=False) as session:
            draft = session.get(Draft, draft_id)
            return draft.request_id if draft else None

    def pending(self) -> list[tuple[Draft, Request]]:
        with self.database.session(write=False) as session:
            rows = session.exec(
                select(Draft, Request)
                .join(Request, col(Request.id) == Draft.request_id)
                .where(Draft.status == DraftStatus.PENDING)
                .order_by(col(Draft.id))
            ).all()
        return [(draft, request) for draft, request in rows]
