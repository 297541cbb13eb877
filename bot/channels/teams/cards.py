"""Drawing neutral messages as Adaptive Cards 1.5 for Teams.

Our own sentences go in TextBlocks. Everything a person typed goes in RichTextBlock TextRuns,
which Teams never reads as markdown, so `**bold**`, `[link](…)` or `<at>` in an answer show as
typed and cannot ping or restyle anything. Buttons are Universal Actions (Action.Execute) with an
Action.Submit fallback for hosts that predate them; their data carries ids only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.assist.questions import questions_as_lines
from bot.assist.service import CLASSIFICATION, ReviewCard, describe
from bot.flows.nudges import DecisionAction
from bot.messages import Button, ButtonStyle, Outbound, Summary
from bot.storage.models import DraftStatus, RequestStatus
from bot.text import shorten

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
DISPLAY_LIMIT = 2000
SUMMARY_ANSWER_LIMIT = 900  # keeps a six-answer summary card far below Teams' size limit
ACTION_KEY = "triage_action"
VALUE_KEY = "triage_value"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def typed(text: str, limit: int = DISPLAY_LIMIT, **style: Any) -> dict[str, Any]:
    """Text a person typed: a TextRun, so no markdown and no mentions are read from it."""
    run = {"type": "TextRun", "text": shorten(text, limit) or " ", **style}
    return {"type": "RichTextBlock", "inlines": [run]}


def action(button: Button) -> dict[str, Any]:
    data = {ACTION_KEY: button.action_id, VALUE_KEY: button.value}
    style = {"style": "positive"} if button.style is ButtonStyle.PRIMARY else {}
    if button.style is ButtonStyle.DANGER:
        style = {"style": "destructive"}
    submit = {"type": "Action.Submit", "title": button.label, "data": data, **style}
    return {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action_id,
        "data": data,
        "fallback": submit,
        **style,
    }


def _summary_body(summary: Summary) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = []
    for item in summary.items:
        if item.skipped:
            answer = _text("(skipped)", isSubtle=True)
        elif item.answer is None:
            answer = _text("(not answered yet)", isSubtle=True)
        else:
            answer = typed(item.answer, SUMMARY_ANSWER_LIMIT)
        edit = Button("Edit", "triage-answer-edit", f"{summary.request_id}:{item.question_id}")
        body.append(
            {
                "type": "ColumnSet",
                "separator": True,
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [_text(f"{item.number}. {item.prompt}", weight="Bolder"), answer],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Center",
                        "items": [{"type": "ActionSet", "actions": [action(edit)]}],
                    },
                ],
            }
        )
    body.extend(typed(note, isSubtle=True) for note in summary.notes)
    return body


def turn_card(messages: Sequence[Outbound]) -> dict[str, Any]:
    """One card for one turn: its messages in order, the last message's buttons at the bottom."""
    body: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for message in messages:
        if message.progress:
            body.append(_text(message.progress, weight="Bolder", size="Small", isSubtle=True))
        body.append(typed(message.text))
        if message.summary:
            body.extend(_summary_body(message.summary))
        if message.hint:
            body.append(typed(message.hint, isSubtle=True, size="Small"))
        actions.extend(action(button) for button in message.buttons)
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def settled_card(chosen: str) -> dict[str, Any]:
    """What a card becomes once one of its buttons was used: no buttons left to press twice.
    (Teams does not send the card back with the action, so the new card says what was done.)"""
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [_text(f"✓ {chosen}", isSubtle=True)],
    }


def fallback_text(messages: Sequence[Outbound]) -> str:
    """The notification preview: plain and short."""
    return shorten(" ".join(m.text for m in messages), 200)


def card_data(value: Any) -> tuple[str, str] | None:
    """(action id, value) from a card's submitted data; None when it is not one of ours."""
    if not isinstance(value, dict):
        return None
    action = value.get("action") if isinstance(value.get("action"), dict) else None
    data = action.get("data") if action else value
    if not isinstance(data, dict):
        return None
    action_id, payload = data.get(ACTION_KEY), data.get(VALUE_KEY, "")
    if not isinstance(action_id, str) or not isinstance(payload, str):
        return None
    return action_id, payload


REVIEW_PREFIX = "review-draft-"
REVIEW_APPROVE = "review-draft-approve"
REVIEW_EDIT = "review-draft-edit"
REVIEW_REJECT = "review-draft-reject"


def review_card(card: ReviewCard, categories: Sequence[str]) -> dict[str, Any]:
    """A reviewer's card: the answers, each draft labelled, and Approve / Edit / Reject."""
    body: list[dict[str, Any]] = [
        _text(f"Review {card.reference}", weight="Bolder", size="Medium"),
        typed(f"from {card.requester}", isSubtle=True),
    ]
    for prompt, answer in card.answers:
        body.append(_text(prompt, weight="Bolder", spacing="Small"))
        body.append(typed(answer, 600))
    for draft in card.drafts:
        kind = "Classification" if draft.kind == CLASSIFICATION else "Reviewer questions"
        body.append(_text(f"{kind} · {draft.label}", weight="Bolder", separator=True))
        body.append(typed(describe(draft)))
        if draft.note:
            body.append(typed(draft.note, isSubtle=True))
        if draft.status != DraftStatus.PENDING:
            when = f" at {draft.decided_at:%Y-%m-%d %H:%M} UTC" if draft.decided_at else ""
            why = f": {draft.reason}" if draft.reason else ""
            body.append(
                typed(
                    f"{draft.status.capitalize()} by {draft.decided_by}{when}{why}", isSubtle=True
                )
            )
            continue
        value = str(draft.id)
        if draft.kind == CLASSIFICATION:
            body.append(
                {
                    "type": "Input.ChoiceSet",
                    "id": f"category-{draft.id}",
                    "label": "Category",
                    "value": str(draft.content.get("category", "")),
                    "choices": [{"title": c, "value": c} for c in categories],
                }
            )
        else:
            body.append(
                {
                    "type": "Input.Text",
                    "id": f"questions-{draft.id}",
                    "isMultiline": True,
                    "label": "Questions, one a line as type: question",
                    "maxLength": 4000,
                    "value": questions_as_lines(draft.content),
                }
            )
        body.append(
            {
                "type": "Input.Text",
                "id": f"reason-{draft.id}",
                "isMultiline": True,
                "label": "Reason (needed to reject)",
                "maxLength": 2000,
            }
        )
        actions = [
            action(Button("Approve", REVIEW_APPROVE, value, ButtonStyle.PRIMARY)),
            action(Button("Save my edit", REVIEW_EDIT, value)),
        ]
        actions.append(action(Button("Reject", REVIEW_REJECT, value, ButtonStyle.DANGER)))
        body.append({"type": "ActionSet", "actions": actions})
    if card.status in (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW):
        assign = Button("Assign decision", DecisionAction.ASSIGN, str(card.request_id))
        body.append({"type": "ActionSet", "separator": True, "actions": [action(assign)]})
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }


def card_inputs(value: Any) -> dict[str, Any]:
    """The input values that came with a card action (Action.Execute merges them into data)."""
    if not isinstance(value, dict):
        return {}
    action = value.get("action") if isinstance(value.get("action"), dict) else None
    data = action.get("data") if action else value
    return data if isinstance(data, dict) else {}
