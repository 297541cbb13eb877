"""Drafts for submitted requests, and the human gate every draft passes through.

Drafting runs after the requester has their reference, never inside their turn. A reviewer's
verdict is a conditional update (only a pending draft can be decided), so double clicks and two
reviewers at once end in exactly one decision; the original draft is kept beside the final one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.assist.classifier import classify
from bot.assist.drafts import Drafted, DraftedQuestions, Provenance
from bot.assist.questions import rule_questions
from bot.config import AppConfig
from bot.conversation.engine import Clock, utc_now
from bot.messages import PersonRef
from bot.review.reviewers import Reviewers
from bot.storage import service
from bot.storage.database import Database, rows_changed
from bot.storage.models import (
    Conversation,
    Draft,
    DraftStatus,
    Person,
    Request,
    RequestStatus,
)

if TYPE_CHECKING:
    from bot.assist.llm import LlmClassifier

log = logging.getLogger(__name__)

CLASSIFICATION = "classification"
REVIEWER_QUESTIONS = "reviewer_questions"
AI_LABEL = "AI draft — verify"
RULES_LABEL = "rule-based"


@dataclass(frozen=True)
class DraftView:
    id: int
    kind: str
    label: str
    content: dict[str, Any]
    status: str
    note: str | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class ReviewCard:
    """Everything a reviewer's card shows, whatever the platform draws it with."""

    request_id: int
    reference: str
    requester: str
    answers: tuple[tuple[str, str], ...]
    drafts: tuple[DraftView, ...]
    status: str = ""

    @property
    def decided(self) -> bool:
        return all(draft.status != DraftStatus.PENDING for draft in self.drafts)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    draft_id: int


class Assistant:
    def __init__(
        self,
        *,
        database: Database,
        config: AppConfig,
        llm: LlmClassifier | None = None,
        clock: Clock = utc_now,
        reviewers: Reviewers | None = None,
    ) -> None:
        self.database = database
        self.config = config
        self.llm = llm
        self.clock = clock
        self.reviewers = reviewers or Reviewers(config.review)

    # -- drafting ---------------------------------------------------------------------------

    def draft_for(self, request_id: int) -> list[str]:
        """Classification and reviewer questions for a submitted request (once per request);
        the kinds of draft stored, none when it was drafted already.

        A model is asked outside any transaction (it can take seconds); the rules take
        microseconds, so without a model reading and writing share one transaction."""
        if self.llm is None:
            with self.database.session() as session:
                return self._draft_by_rules(session, request_id)
        with self.database.session(write=False) as session:
            loaded = self._submitted(session, request_id)
            if loaded is None:
                return []
        drafted, questions = self._draft(loaded[1])
        with self.database.session() as session:
            again = self._submitted(session, request_id)
            if again is None:
                return []  # another process drafted it meanwhile
            stored = self._store(session, [(again[0], drafted, questions)])
        return [row["kind"] for row in stored]

    def draft_many(self, request_ids: Sequence[int]) -> list[int]:
        """Drafts for several submitted requests; the ids that got them. Without a model they
        share one transaction (the turn worker drafts each batch's submits so, between
        batches); if that fails, each request is drafted on its own, so one bad request
        holds up no other."""
        if self.llm is None and len(request_ids) > 1:
            try:
                return self._draft_together(request_ids)
            except Exception:
                log.warning("drafting %d requests together failed; one by one", len(request_ids))
        drafted = []
        for request_id in request_ids:
            try:
                if self.draft_for(request_id):
                    drafted.append(request_id)
            except Exception:
                log.exception("drafting request %s failed", request_id)
        return drafted

    def _draft_together(self, request_ids: Sequence[int]) -> list[int]:
        """Rule-based drafts for several requests, their reads done once for all."""
        with self.database.session(autoflush=False) as session:
            requests = {
                r.id: r
                for r in service.requests_by_id(session, ids=request_ids)
                if r.status == RequestStatus.SUBMITTED
            }
            answers = service.latest_answers_for(
                session, request_ids=[rid for rid in requests if rid is not None]
            )
            drafted: list[tuple[Request, Drafted, DraftedQuestions]] = []
            for request_id in request_ids:
                if (request := requests.pop(request_id, None)) is None:
                    continue
                current = self._asked(answers.get(request_id, {}))
                drafted.append((request, *self._draft(current)))
            self._store(session, drafted)
        return [request.id for request, _, _ in drafted if request.id is not None]

    def _draft_by_rules(self, session: Session, request_id: int) -> list[str]:
        loaded = self._submitted(session, request_id)
        if loaded is None:
            return []
        drafted, questions = self._draft(loaded[1])
        return [row["kind"] for row in self._store(session, [(loaded[0], drafted, questions)])]

    def _submitted(
        self, session: Session, request_id: int
    ) -> tuple[Request, dict[str, str]] | None:
        """The request and its current answers, if it is still waiting for drafts."""
        request = service.get_request(session, request_id=request_id)
        if request is None or request.status != RequestStatus.SUBMITTED:
            return None
        return request, self._asked(service.latest_answers(session, request_id=request_id))

    def _asked(self, latest: dict[str, service.CurrentAnswer]) -> dict[str, str]:
        """The answers to the configured questions (not notes, not skips), for the drafts."""
        asked = {q.id for q in self.config.questions}
        return {k: a.text for k, a in latest.items() if k in asked and not a.skipped}

    def _draft(self, answers: dict[str, str]) -> tuple[Drafted, DraftedQuestions]:
        drafted = self._classify(answers)
        category = drafted.classification.category
        questions = (
            self.llm.reviewer_questions(answers, category)
            if self.llm is not None
            else DraftedQuestions(questions=rule_questions(category, answers), source="rules")
        )
        return drafted, questions

    def _store(
        self, session: Session, drafted: Sequence[tuple[Request, Drafted, DraftedQuestions]]
    ) -> list[dict[str, Any]]:
        """Both drafts of each request, its move to review, and their audit events; the draft
        rows and their events each go in one statement however many requests there are."""
        now = self.clock()
        rows = []
        for request, classified, questions in drafted:
            assert request.id is not None
            classification = {
                "category": classified.classification.category,
                "training_fit": classified.classification.training_fit,
                "confidence": classified.classification.confidence,
                "evidence": list(classified.classification.evidence),
                "reasons": list(classified.classification.reasons),
                "test": classified.classification.test,
            }
            rows.append(_draft_row(request.id, CLASSIFICATION, classification, classified, now))
            rows.append(
                _draft_row(request.id, REVIEWER_QUESTIONS, questions.questions, questions, now)
            )
            service.change_status(
                session, request=request, status=RequestStatus.IN_REVIEW, actor_id=None, now=now
            )
        ids = service.insert_drafts(session, rows)
        service.record_audits(
            session,
            [
                {
                    "actor_id": None,
                    "request_id": row["request_id"],
                    "action": "draft.created",
                    "after": {"draft_id": draft_id, "kind": row["kind"], "source": row["source"]},
                    "at": now,
                }
                for row, draft_id in zip(rows, ids, strict=True)
            ],
        )
        return rows

    def _classify(self, answers: dict[str, str]) -> Drafted:
        if self.llm is not None:
            try:
                return self.llm.draft(answers)
            except Exception:  # the model must never stop a draft from existing
                log.exception("model drafting failed; using the rules")
        categories = tuple(c.id for c in self.config.categories)
        return Drafted(classification=classify(answers, categories), source="rules")

    # -- the human gate ---------------------------------------------------------------------

    def is_reviewer(self, person: PersonRef) -> bool:
        return self.reviewers(person)

    def decide(
        self,
        *,
        draft_id: int,
        reviewer: PersonRef,
        verdict: DraftStatus,
        edited: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> Verdict:
        now = self.clock()
        with self.database.session() as session:
            person = service.upsert_person(session, ref=reviewer, now=now)
            draft = session.get(Draft, draft_id)
            if draft is None:
                return Verdict(False, f"There is no draft {draft_id}.", draft_id)
            if not self.is_reviewer(reviewer):
                service.record_audit(
                    session,
                    actor_id=person.id,
                    request_id=draft.request_id,
                    action="draft.decision_refused",
                    after={"draft_id": draft_id, "verdict": verdict.value},
                    now=now,
                )
                return Verdict(False, "Only L&D reviewers can decide on drafts.", draft_id)
            if verdict is DraftStatus.REJECTED and not (reason or "").strip():
                return Verdict(False, "A rejection needs a reason.", draft_id)
            if verdict is DraftStatus.EDITED and not edited:
                return Verdict(False, "An edit needs the edited draft.", draft_id)
            final = None if verdict is DraftStatus.REJECTED else (edited or draft.content)
            if draft.kind == CLASSIFICATION and final is not None:
                category = final.get("category")
                if category not in {c.id for c in self.config.categories}:
                    return Verdict(False, f"{category!r} is not a category in app.yaml.", draft_id)
            claimed = rows_changed(
                session.execute(
                    update(Draft)
                    .where(col(Draft.id) == draft_id, col(Draft.status) == DraftStatus.PENDING)
                    .values(
                        status=verdict.value,
                        final_content=final,
                        decided_by=person.id,
                        decided_at=now,
                        reason=reason,
                    )
                )
            )
            if claimed != 1:
                session.rollback()
                return Verdict(False, self._already_decided(draft_id), draft_id)
            request = session.get(Request, draft.request_id)
            if request is not None and draft.kind == CLASSIFICATION and final is not None:
                request.category = final["category"]
                request.updated_at = now
            service.record_audit(
                session,
                actor_id=person.id,
                request_id=draft.request_id,
                action=f"draft.{verdict.value}",
                before={"content": draft.content},
                after={"content": final, "reason": reason},
                now=now,
            )
        return Verdict(True, f"Draft {draft_id} {verdict.value}.", draft_id)

    def _already_decided(self, draft_id: int) -> str:
        with self.database.session(write=False) as session:
            draft = session.get(Draft, draft_id)
            who = service.people_by_id(
                session, ids=[draft.decided_by] if draft and draft.decided_by else []
            )
        if draft is None:
            return f"There is no draft {draft_id}."
        name = next((p.display_name or p.platform_user_id for p in who.values()), "someone")
        when = _when(draft.decided_at)
        return f"Draft {draft_id} was already {draft.status} by {name}{when}; nothing changed."

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


def _draft_row(
    request_id: int, kind: str, content: dict[str, Any], origin: Provenance, now: datetime
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "kind": kind,
        "content": content,
        "source": origin.source,
        "model": origin.model,
        "prompt_version": origin.prompt_version,
        "latency_ms": origin.latency_ms,
        "prompt_tokens": origin.prompt_tokens,
        "completion_tokens": origin.completion_tokens,
        "note": origin.note,
        "status": DraftStatus.PENDING,
        "final_content": None,  # JSON null, as the ORM wrote it
        "created_at": now,
    }


def describe(draft: DraftView) -> str:
    """A draft in plain sentences, for cards on any platform."""
    content = draft.content
    if draft.kind == CLASSIFICATION:
        fit = "yes" if content.get("training_fit") else "no"
        lines = [
            f"Category: {content.get('category')} · training the answer: {fit} · "
            f"confidence {content.get('confidence', '-')}"
        ]
        if content.get("test"):
            lines.append(f"Why: {content['test']}")
        lines += [f'Rests on: "{quote}"' for quote in content.get("evidence", [])]
        return "\n".join(lines)
    return "\n".join(
        f"{group.replace('_', ' ').capitalize()}:\n" + "\n".join(f"• {q}" for q in questions)
        for group, questions in content.items()
        if questions
    )


def label(draft: Draft) -> str:
    return AI_LABEL if draft.source == "llm" else RULES_LABEL


def _when(moment: datetime | None) -> str:
    return f" at {moment:%Y-%m-%d %H:%M} UTC" if moment else ""
