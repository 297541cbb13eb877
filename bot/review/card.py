"""The review card, drawn as a neutral Card that every channel draws its own way.

Only what the card shows and which buttons and forms it carries; who may press them, and what
a press does, is the review flow's (flows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.assist.cards import DraftView, ReviewCard, describe
from bot.assist.drafts import CLASSIFICATION
from bot.assist.questions import questions_as_lines
from bot.config import Category
from bot.messages import (
    Button,
    ButtonStyle,
    Card,
    CardSection,
    Choice,
    ChoiceField,
    Form,
    TextField,
)
from bot.reminders.nudges import DecisionAction
from bot.review import copy
from bot.review.forms import APPROVE, ASK, EDIT, REJECT, ask_form, reject_form
from bot.storage.models import DraftStatus, RequestStatus


@dataclass(frozen=True)
class ClarificationView:
    question: str
    asked_by: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


def draw_card(
    review: ReviewCard,
    asked: list[ClarificationView],
    decision: str,
    categories: Sequence[Category],
) -> Card:
    """The review card: the answers, each draft with its buttons or its verdict, the decision
    once assigned, the questions put to the requester, and the buttons for the request."""
    sections = [CardSection(heading=prompt, typed=answer) for prompt, answer in review.answers]
    sections += [_draft_section(draft, categories) for draft in review.drafts]
    if decision:
        sections.append(CardSection(heading=copy.DECISION_HEADING, typed=decision))
    if asked:
        lines = []
        for item in asked:
            lines.append(
                copy.ASKED_LINE.format(
                    who=item.asked_by, when=_when(item.asked_at), question=item.question
                )
            )
            lines.append(
                copy.ANSWERED_LINE.format(when=_when(item.answered_at), answer=item.answer)
                if item.answer is not None
                else copy.NOT_ANSWERED_YET
            )
        sections.append(CardSection(heading=copy.CLARIFICATIONS_HEADING, typed="\n".join(lines)))
    request_buttons = [
        Button(copy.BUTTON_ASK, ASK, str(review.request_id), form=ask_form(review.request_id))
    ]
    if review.status in (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW):
        request_buttons.insert(
            0, Button(copy.BUTTON_ASSIGN, DecisionAction.ASSIGN, str(review.request_id))
        )
    sections.append(CardSection(buttons=tuple(request_buttons)))
    title = copy.CARD_TITLE.format(reference=review.reference)
    return Card(
        title=title,
        subtitle=copy.CARD_FROM.format(requester=review.requester),
        sections=tuple(sections),
        text=title,
    )


def _draft_section(draft: DraftView, categories: Sequence[Category]) -> CardSection:
    kind = copy.KIND_CLASSIFICATION if draft.kind == CLASSIFICATION else copy.KIND_QUESTIONS
    heading = copy.DRAFT_HEADING.format(kind=kind, label=draft.label)
    if draft.status != DraftStatus.PENDING:
        settled = copy.DECIDED_LINE.format(
            status=draft.status.capitalize(),
            who=draft.decided_by,
            when=_when(draft.decided_at),
            why=f": {draft.reason}" if draft.reason else "",
        )
        return CardSection(heading=heading, typed=describe(draft), note=settled)
    value = str(draft.id)
    buttons = (
        Button(copy.BUTTON_APPROVE, APPROVE, value, ButtonStyle.PRIMARY),
        Button(copy.BUTTON_EDIT, EDIT, value, form=_edit_form(draft, categories)),
        Button(copy.BUTTON_REJECT, REJECT, value, ButtonStyle.DANGER, form=reject_form(draft.id)),
    )
    return CardSection(
        heading=heading, typed=describe(draft), note=draft.note or "", buttons=buttons
    )


def _edit_form(draft: DraftView, categories: Sequence[Category]) -> Form:
    value = str(draft.id)
    if draft.kind == CLASSIFICATION:
        fit = "yes" if draft.content.get("training_fit") else "no"
        fields: tuple[Any, ...] = (
            ChoiceField(
                "category",
                copy.LABEL_CATEGORY,
                tuple(Choice(c.id, c.label) for c in categories),
                initial=str(draft.content.get("category") or ""),
            ),
            ChoiceField(
                "training_fit",
                copy.LABEL_TRAINING_FIT,
                (Choice("yes", copy.YES), Choice("no", copy.NO)),
                initial=fit,
            ),
        )
    else:
        fields = (
            TextField(
                "questions",
                copy.LABEL_QUESTIONS,
                initial=questions_as_lines(draft.content),
                max_length=4000,
            ),
        )
    return Form(EDIT, value, copy.FORM_EDIT_TITLE, copy.FORM_EDIT_SUBMIT, fields)


def _when(moment: datetime | None) -> str:
    return f" at {moment:%Y-%m-%d %H:%M} UTC" if moment else ""
