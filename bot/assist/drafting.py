"""Drafting: a classification and reviewer questions for each submitted request, stored as
pending drafts for a reviewer to decide on.

Drafting runs after the requester has their reference, never inside their turn, and a model,
when there is one, is asked outside any transaction. The reviewers' verdicts on what this
stores are in service.py.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.assist.classifier import classify
from bot.assist.drafts import (
    CLASSIFICATION,
    REVIEWER_QUESTIONS,
    Drafted,
    DraftedQuestions,
    Provenance,
)
from bot.assist.questions import rule_questions
from bot.config import AppConfig
from bot.conversation.engine import Clock
from bot.storage import service
from bot.storage.database import Database
from bot.storage.models import DraftStatus, Request, RequestStatus

if TYPE_CHECKING:
    from bot.assist.llm import LlmClassifier

log = logging.getLogger(__name__)


class Drafting:
    database: Database
    config: AppConfig
    llm: LlmClassifier | None
    clock: Clock

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
