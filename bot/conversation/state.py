"""Where one person's conversation stands during a turn, and the few writes every step makes.

The triage flow builds on this (steps.py, then triage.py): it decides what to say; this keeps
the request, its answers (read once a turn) and the conversation row, and writes answers,
unfiled text and status changes in the turn's transaction.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.config import AppConfig, Question
from bot.messages import Outbound
from bot.storage import service
from bot.storage.models import Conversation, Person, Request, RequestStatus
from bot.storage.service import CurrentAnswer


class Step(StrEnum):
    IDLE = "idle"
    READY = "ready"
    """Greeted and shown question 1; the request is created with the first answer, so opening a
    chat and leaving creates nothing."""
    ASKING = "asking"
    RESUME = "resume"
    SUMMARY = "summary"
    CONFIRM = "confirm"
    """Waiting for a yes or no ("Did you mean status?", "Start over?"); the question or summary
    the person was on is kept, and they go back to it whatever they say."""


class ConversationState:
    def __init__(
        self,
        *,
        session: Session,
        config: AppConfig,
        person: Person,
        conversation: Conversation,
        now: datetime,
        answers: dict[str, CurrentAnswer] | None = None,
        desk_url: str | None = None,
    ) -> None:
        """``answers``: the current answers of the conversation's request, when the caller has
        read them already (the engine does for a batch of turns)."""
        self.session = session
        self.config = config
        self.person = person
        self.conversation = conversation
        self.now = now
        self.desk_url = desk_url
        """Where the web desk is served, for its sign-in links (none: no link to give)."""
        self.questions = config.questions
        self._answer_cache: dict[str, CurrentAnswer] | None = None
        self.refused = False
        self.submitted_request_id: int | None = None
        self.problem: str | None = None
        self.request = self._active_request()
        if self.request is not None and answers is not None:
            self._answer_cache = dict(answers)

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    def _active_request(self) -> Request | None:
        request_id = self.conversation.request_id
        request = service.get_request(self.session, request_id=request_id) if request_id else None
        if request is None or request.status != RequestStatus.DRAFTING:
            if request_id is not None or self.conversation.step not in (Step.READY, Step.CONFIRM):
                self._go_idle()
            return None
        return request

    def _create_request(self, *, title: str | None) -> Request:
        self.request = service.create_request(
            self.session,
            requester=self.person,
            platform=self.conversation.platform,
            title=title,
            now=self.now,
        )
        self.conversation.request_id = self.request.id
        self._answer_cache = {}
        self.conversation.pushback_given = False
        return self.request

    def _cancel_request(self) -> str:
        assert self.request is not None
        service.change_status(
            self.session,
            request=self.request,
            status=RequestStatus.CANCELLED,
            actor_id=self.person_id,
            now=self.now,
        )
        reference = self.request.reference
        self.request = None
        self._go_idle()
        return reference

    def _refuse(self, text: str) -> list[Outbound]:
        """A button that cannot apply: say so, change nothing, leave the card alone."""
        self.refused = True
        return [Outbound(text)]

    def _keep_unfiled(self, action: str, text: str) -> None:
        """Text that is not an answer still goes in the log: nothing a person typed is lost."""
        service.record_audit(
            self.session,
            actor_id=self.person_id,
            request_id=self.request.id if self.request else None,
            action=action,
            after={"text": text},
            now=self.now,
        )

    def _record(self, question_id: str, text: str, *, skipped: bool = False) -> None:
        assert self.request is not None
        answers = self._answers()
        answers[question_id] = service.record_answer(
            self.session,
            request=self.request,
            question_id=question_id,
            text=text,
            answered_by=self.person_id,
            now=self.now,
            previous=answers.get(question_id),
            skipped=skipped,
        )

    def _answers(self) -> dict[str, CurrentAnswer]:
        assert self.request is not None and self.request.id is not None
        if self._answer_cache is None:
            self._answer_cache = service.latest_answers(self.session, request_id=self.request.id)
        return self._answer_cache

    def _question(self, question_id: str | None) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def _question_or_fail(self, question_id: str) -> Question:
        question = self._question(question_id)
        assert question is not None
        return question

    def _current_question(self) -> Question:
        """The current question; one since removed from app.yaml falls back to the first."""
        return self._question(self.conversation.question_id) or self.questions[0]

    def _go_idle(self) -> None:
        self.conversation.step = Step.IDLE
        self.conversation.question_id = None
        self.conversation.request_id = None
        self.conversation.pushback_given = False
