"""Reviewing a request, written once for every channel: approve, edit or reject a draft, ask
the requester a question, and the requester's answer.

A channel hands every review action here (``act``) with the inputs of its form, if any, and
draws what comes back: a refusal or confirmation for the person who acted, a form to fill in
first, and the review card redrawn. Who may act is decided here and nowhere else; who is told
is written down as a notice row, which the reminder sweep sends once through whichever channel
reaches that person. The card itself is drawn in card.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from bot.assist.cards import ReviewCard
from bot.assist.drafts import CLASSIFICATION
from bot.assist.questions import questions_from_lines
from bot.assist.service import Assistant
from bot.config import AppConfig
from bot.conversation.engine import Clock, utc_now
from bot.messages import ActResult, Card, Form, PersonRef
from bot.reminders.sweep import Kind
from bot.review import copy
from bot.review.card import ClarificationView, draw_card
from bot.review.forms import (
    ACTIONS,
    ANSWER,
    APPROVE,
    ASK,
    EDIT,
    REJECT,
    answer_form,
    ask_form,
)
from bot.review.reviewers import Reviewers
from bot.storage import clarifications, decisions, service
from bot.storage.database import Database
from bot.storage.models import Clarification, DraftStatus, Person, reference_for
from bot.storage.people import find_person, upsert_person

log = logging.getLogger(__name__)

_VERDICTS = {APPROVE: DraftStatus.APPROVED, EDIT: DraftStatus.EDITED, REJECT: DraftStatus.REJECTED}
_CAN_BE_TOLD_IN_CHAT = ("slack", "teams")
"""Platforms the sweep can write to; a terminal requester hears at their next chat instead."""


class ReviewFlow:
    def __init__(
        self,
        *,
        database: Database,
        config: AppConfig,
        assistant: Assistant,
        reviewers: Reviewers,
        clock: Clock = utc_now,
        kick: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.config = config
        self.assistant = assistant
        self.reviewers = reviewers
        self.clock = clock
        self.kick = kick
        """Sweep soon: a notice was just written."""

    # -- what reviewers see -----------------------------------------------------------------

    def card(self, request_id: int) -> Card | None:
        review = self.assistant.review_card(request_id)
        if review is None:
            return None
        return draw_card(
            review, self.clarifications(request_id), self._decision(review), self.config.categories
        )

    def _decision(self, review: ReviewCard) -> str:
        """What the card says of the request's decision, once one is assigned."""
        with self.database.session(write=False) as session:
            decision = decisions.latest_for(session, request_id=review.request_id)
            owner = session.get(Person, decision.owner_id) if decision else None
        if decision is None:
            return ""
        line = copy.DECISION_LINE.format(
            reference=review.reference,
            owner=_name(owner),
            due=f"{decision.due_at:%Y-%m-%d}",
            next_decision=decision.next_decision,
        )
        if decision.outcome:
            line += " " + copy.DECISION_MADE.format(outcome=decision.outcome)
        return line

    def clarifications(self, request_id: int) -> list[ClarificationView]:
        with self.database.session(write=False) as session:
            rows = clarifications.of_request(session, request_id=request_id)
            people = service.people_by_id(session, ids={row.asked_by for row in rows})
        return [
            ClarificationView(
                row.question,
                _name(people.get(row.asked_by)),
                row.asked_at,
                row.answer,
                row.answered_at,
            )
            for row in rows
        ]

    # -- what anyone may do -----------------------------------------------------------------

    def act(
        self,
        person: PersonRef,
        action_id: str,
        value: str,
        inputs: Mapping[str, str] | None = None,
    ) -> ActResult:
        """One review action. Without ``inputs``, an action that needs them answers with its
        form (for those allowed to act); with them, it acts."""
        number = _id(value)
        if action_id not in ACTIONS or number is None:
            log.warning("refused review action %r %r from %s", action_id, value, person.user_id)
            return ActResult(False, copy.UNKNOWN_BUTTON)
        if action_id == ASK:
            return self._ask(person, number, inputs)
        if action_id == ANSWER:
            return self._answer(person, number, inputs)
        return self._verdict(person, action_id, number, inputs)

    def _verdict(
        self, person: PersonRef, action_id: str, draft_id: int, inputs: Mapping[str, str] | None
    ) -> ActResult:
        verdict = _VERDICTS[action_id]
        request_id = self.assistant.request_of(draft_id) or 0
        if verdict is not DraftStatus.APPROVED and inputs is None and self.reviewers(person):
            form = _form_of(self.card(request_id), action_id, str(draft_id))
            return ActResult(True, form=form) if form else ActResult(False, copy.UNKNOWN_BUTTON)
        given = dict(inputs or {})
        reason = given.get("reason", "").strip() or None
        edited = None
        if self.reviewers(person) and inputs is not None:
            if verdict is DraftStatus.REJECTED and reason is None:
                return ActResult(False, copy.REASON_NEEDED, errors={"reason": copy.REASON_NEEDED})
            if verdict is DraftStatus.EDITED:
                edited, field, problem = self._edited(request_id, draft_id, given)
                if problem is not None:
                    return ActResult(False, problem, errors={field: problem})
        result = self.assistant.decide(
            draft_id=draft_id, reviewer=person, verdict=verdict, edited=edited, reason=reason
        )
        if not result.ok:
            refused = copy.NOT_A_REVIEWER if not self.reviewers(person) else result.message
            return ActResult(False, refused)
        self._tell_requester_if_reviewed(request_id)
        return ActResult(True, result.message, card=self.card(request_id))

    def _edited(
        self, request_id: int, draft_id: int, inputs: Mapping[str, str]
    ) -> tuple[dict[str, Any] | None, str, str | None]:
        """The edited content, or the field at fault and why: an edit must fit its draft, with a
        category from app.yaml, or questions of the review types it knows."""
        review = self.assistant.review_card(request_id)
        draft = next((d for d in review.drafts if d.id == draft_id), None) if review else None
        if draft is None:
            return None, "", copy.NO_SUCH_DRAFT.format(draft_id=draft_id)
        if draft.kind != CLASSIFICATION:
            known = self.config.review.types
            types = (*known, *(t for t in draft.content if t not in known))
            text = inputs.get("questions") or ""
            problem = _question_lines_problem(text, types)
            return (
                (None, "questions", problem) if problem else (questions_from_lines(text), "", None)
            )
        categories = [c.id for c in self.config.categories]
        category = (inputs.get("category") or "").strip()
        if category not in categories:
            named = ", ".join(categories)
            problem = (
                copy.NOT_A_CATEGORY.format(category=category, categories=named)
                if category
                else copy.EDIT_CATEGORY_NEEDED.format(categories=named)
            )
            return None, "category", problem
        fit = inputs.get("training_fit")
        training_fit = fit == "yes" if fit in ("yes", "no") else category == "training_need"
        return {"category": category, "training_fit": training_fit}, "", None

    def _tell_requester_if_reviewed(self, request_id: int) -> None:
        review = self.assistant.review_card(request_id)
        if review is None or not review.decided:
            return
        now = self.clock()
        told = False
        with self.database.session() as session:
            request = service.get_request(session, request_id=request_id)
            if request is None or request.platform not in _CAN_BE_TOLD_IN_CHAT:
                return  # a terminal requester hears at their next chat
            untold = service.reviewed_but_untold(session, requester_id=request.requester_id)
            if any(r.id == request_id for r in untold):
                clarifications.notify(
                    session,
                    request_id=request_id,
                    recipient_id=request.requester_id,
                    kind=Kind.REVIEWED.value,
                    now=now,
                )
                service.mark_review_told(session, request_id=request_id, now=now)
                told = True
        if told:
            self.kick()

    def _ask(
        self, person: PersonRef, request_id: int, inputs: Mapping[str, str] | None
    ) -> ActResult:
        now = self.clock()
        with self.database.session() as session:
            request = service.get_request(session, request_id=request_id)
            if request is None:
                return ActResult(
                    False, copy.NO_SUCH_REQUEST.format(reference=reference_for(request_id))
                )
            actor = upsert_person(session, ref=person, now=now)
            if not self.reviewers(person):
                service.record_audit(
                    session,
                    actor_id=actor.id,
                    request_id=request_id,
                    action="clarification.refused",
                    now=now,
                )
                return ActResult(False, copy.NOT_A_REVIEWER_TO_ASK)
            if inputs is None:
                review = self.assistant.review_card(request_id)
                return (
                    ActResult(True, form=ask_form(review.request_id))
                    if review
                    else ActResult(False)
                )
            question = (inputs.get("question") or "").strip()
            if not question:
                return ActResult(
                    False, copy.QUESTION_NEEDED, errors={"question": copy.QUESTION_NEEDED}
                )
            assert actor.id is not None
            asked = clarifications.ask(
                session, request=request, asked_by=actor.id, question=question, now=now
            )
            if request.platform in _CAN_BE_TOLD_IN_CHAT:
                clarifications.notify(
                    session,
                    request_id=request_id,
                    recipient_id=request.requester_id,
                    kind=Kind.QUESTION.value,
                    clarification_id=asked.id,
                    now=now,
                )
            requester = _name(session.get(Person, request.requester_id))
            reference = request.reference
        self.kick()
        message = copy.ASKED.format(requester=requester, reference=reference)
        return ActResult(True, message, card=self.card(request_id))

    def _answer(
        self, person: PersonRef, clarification_id: int, inputs: Mapping[str, str] | None
    ) -> ActResult:
        now = self.clock()
        with self.database.session() as session:
            asked = session.get(Clarification, clarification_id)
            request = service.get_request(session, request_id=asked.request_id) if asked else None
            me = find_person(session, ref=person)
            if asked is None or request is None or me is None or me.id != request.requester_id:
                log.warning(
                    "refused an answer to clarification %s from %s",
                    clarification_id,
                    person.user_id,
                )
                return ActResult(False, copy.NOT_YOURS_TO_ANSWER)
            if inputs is None:
                return ActResult(
                    True, form=answer_form(clarification_id, asked.question, request.reference)
                )
            text = (inputs.get("answer") or "").strip()
            if not text:
                return ActResult(False, copy.ANSWER_NEEDED, errors={"answer": copy.ANSWER_NEEDED})
            assert me.id is not None
            clarifications.answer(session, clarification=asked, by=me.id, text=text, now=now)
            reference = request.reference
        return ActResult(True, copy.ANSWER_THANKS.format(reference=reference))


def _question_lines_problem(text: str, types: tuple[str, ...]) -> str | None:
    """Why edited reviewer questions cannot be stored, or None. A line without a colon is left
    out, as it always was; one whose type the review does not know is refused rather than
    stored as a group of its own."""
    for number, line in enumerate(text.splitlines(), start=1):
        group, colon, _ = line.partition(":")
        if colon and group.strip() not in types:
            return copy.NOT_A_QUESTION_TYPE.format(
                number=number, type=group.strip(), types=", ".join(types)
            )
    if not questions_from_lines(text):
        return copy.EDIT_QUESTIONS_NEEDED.format(types=", ".join(types))
    return None


def _form_of(card: Card | None, action_id: str, value: str) -> Form | None:
    for section in card.sections if card else ():
        for button in section.buttons:
            if button.action_id == action_id and button.value == value and button.form:
                return button.form
    return None


def _id(value: str) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _name(person: Person | None) -> str:
    return (person.display_name or person.platform_user_id) if person else "someone"
