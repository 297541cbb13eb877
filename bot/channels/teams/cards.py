"""Drawing neutral messages as Adaptive Cards 1.5 for Teams.

Our own sentences go in TextBlocks. Everything a person typed goes in RichTextBlock TextRuns,
which Teams never reads as markdown, so `**bold**`, `[link](…)` or `<at>` in an answer show as
typed and cannot ping or restyle anything. Buttons are Universal Actions (Action.Execute) with an
Action.Submit fallback for hosts that predate them; their data carries ids only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.messages import (
    Button,
    ButtonStyle,
    ChoiceField,
    DateField,
    Form,
    FormField,
    Outbound,
    PersonField,
    Summary,
    TextField,
)
from bot.text import shorten

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
DISPLAY_LIMIT = 2000
SUMMARY_ANSWER_LIMIT = 900
CARD_BYTES = 24_000
"""A turn card's budget: Teams' limit is about 28 KB for the whole activity, which also carries
the summary text, the addresses and the envelope."""
MIN_SHOWN = 60
ACTION_KEY = "triage_action"
VALUE_KEY = "triage_value"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def typed(text: str, limit: int = DISPLAY_LIMIT, **style: Any) -> dict[str, Any]:
    """Text a person typed: a TextRun, so no markdown and no mentions are read from it."""
    run = {"type": "TextRun", "text": shorten(text, limit) or " ", **style}
    return {"type": "RichTextBlock", "inlines": [run]}


def action(button: Button) -> dict[str, Any]:
    """A button: an Action.Execute, or, for one that needs a form first, an Action.ShowCard
    that opens the form's inputs on the card with their own submit."""
    if button.form is not None:
        return {
            "type": "Action.ShowCard",
            "title": button.label,
            "card": {
                "type": "AdaptiveCard",
                "body": form_body(button.form),
                "actions": [form_submit(button.form)],
            },
        }
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


def form_body(form: Form) -> list[dict[str, Any]]:
    body = [typed(form.intro)] if form.intro else []
    body.extend(_input(field, _input_id(form, field.id)) for field in form.fields)
    return body


def form_submit(form: Form) -> dict[str, Any]:
    return action(Button(form.submit, form.action_id, form.value))


def _input_id(form: Form, field_id: str) -> str:
    return f"{field_id}@{form.action_id}:{form.value}"


def _input(field: FormField, input_id: str) -> dict[str, Any]:
    required = (
        {"isRequired": True, "errorMessage": f"{field.label}: needed."} if field.required else {}
    )
    if isinstance(field, TextField):
        return {
            "type": "Input.Text",
            "id": input_id,
            "label": field.label,
            "isMultiline": field.multiline,
            "maxLength": field.max_length,
            "value": field.initial,
            **required,
        }
    if isinstance(field, ChoiceField | PersonField):
        choices = field.options if isinstance(field, ChoiceField) else field.people
        element: dict[str, Any] = {
            "type": "Input.ChoiceSet",
            "id": input_id,
            "label": field.label,
            "choices": [{"title": c.label, "value": c.value} for c in choices],
            **required,
        }
        if field.initial:
            element["value"] = field.initial
        return element
    assert isinstance(field, DateField)
    element = {"type": "Input.Date", "id": input_id, "label": field.label, **required}
    if field.initial:
        element["value"] = field.initial.isoformat()
    return element


def _summary_body(summary: Summary, limit: int) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = []
    for item in summary.items:
        if item.skipped:
            answer = _text("(skipped)", isSubtle=True)
        elif item.answer is None:
            answer = _text("(not answered yet)", isSubtle=True)
        else:
            answer = typed(item.answer, limit)
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
    body.extend(typed(note, limit, isSubtle=True) for note in summary.notes)
    return body


def turn_card(messages: Sequence[Outbound]) -> dict[str, Any]:
    """One card for one turn: its messages in order, the last message's buttons at the bottom.
    Teams refuses a message past about 28 KB (HTTP 413), and long answers in other scripts
    weigh several bytes a character, so a card over budget is drawn again with what people
    typed shortened further (each shortened text says how long it is, and all of it is kept)."""
    limit, summary_limit = DISPLAY_LIMIT, SUMMARY_ANSWER_LIMIT
    card = _turn_card(messages, limit, summary_limit)
    while card_bytes(card) > CARD_BYTES and summary_limit > MIN_SHOWN:
        limit, summary_limit = max(limit // 2, MIN_SHOWN), max(summary_limit // 2, MIN_SHOWN)
        card = _turn_card(messages, limit, summary_limit)
    return card


def card_bytes(card: dict[str, Any]) -> int:
    """The card's size as sent: JSON with every non-ASCII character escaped (the worst case)."""
    return len(json.dumps(card).encode("ascii"))


def _turn_card(messages: Sequence[Outbound], limit: int, summary_limit: int) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for message in messages:
        if message.progress:
            body.append(_text(message.progress, weight="Bolder", size="Small", isSubtle=True))
        body.append(typed(message.text, limit))
        if message.summary:
            body.extend(_summary_body(message.summary, summary_limit))
        if message.hint:
            body.append(typed(message.hint, isSubtle=True, size="Small"))
        actions.extend(action(button) for button in message.buttons)
    return adaptive_card(body, actions)


def adaptive_card(
    body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The envelope every card the bot sends shares."""
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def settled_card(chosen: str) -> dict[str, Any]:
    """What a card becomes once one of its buttons was used: no buttons left to press twice.
    (Teams does not send the card back with the action, so the new card says what was done.)"""
    return adaptive_card([_text(f"✓ {chosen}", isSubtle=True)])


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


def card_inputs(value: Any) -> dict[str, Any]:
    """The input values that came with a card action (Action.Execute merges them into data)."""
    if not isinstance(value, dict):
        return {}
    action = value.get("action") if isinstance(value.get("action"), dict) else None
    data = action.get("data") if action else value
    return data if isinstance(data, dict) else {}
