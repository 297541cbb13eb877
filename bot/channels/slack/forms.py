"""Neutral cards and forms drawn in Slack: a card as message blocks, a form as a modal.

Everything a person typed goes in ``plain_text``; headings we write from app.yaml go in escaped
mrkdwn. A form's modal carries the flow's action id and value in ``private_metadata`` with the
message to redraw, and its inputs come back keyed by the form's field ids.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.channels.slack.blocks import (
    BLOCKS_PER_MESSAGE,
    CONTEXT_LIMIT,
    button_element,
    escape,
    plain,
)
from bot.messages import Card, ChoiceField, Form, FormField, PersonField, TextField
from bot.text import shorten

INPUT = "value"
METADATA_LIMIT = 3000


def card_blocks(card: Card) -> list[dict[str, Any]]:
    blocks: list[Any] = [HeaderBlock(text=plain(card.title, 150))]
    if card.subtitle:
        blocks.append(ContextBlock(elements=[plain(card.subtitle, 200)]))
    for section in card.sections:
        if section.heading and (section.buttons or section.note) and not section.typed:
            blocks.append(DividerBlock())
        if section.heading:
            heading = MarkdownTextObject(text=f"*{escape(shorten(section.heading, 200))}*")
            blocks.append(SectionBlock(text=heading))
        if section.text:
            blocks.append(SectionBlock(text=plain(section.text)))
        if section.typed:
            blocks.append(SectionBlock(text=plain(section.typed)))
        if section.note:
            blocks.append(ContextBlock(elements=[plain(section.note, CONTEXT_LIMIT)]))
        if section.buttons:
            elements = [button_element(button) for button in section.buttons[:25]]
            blocks.append(ActionsBlock(elements=elements))
    drawn = [block.to_dict() for block in blocks]
    if len(drawn) <= BLOCKS_PER_MESSAGE:
        return drawn
    # Slack takes 50 blocks: keep the last row of buttons, which acts on the whole request
    return [*drawn[: BLOCKS_PER_MESSAGE - 1], drawn[-1]]


def form_view(form: Form, *, callback_id: str, channel: str = "", ts: str = "") -> dict[str, Any]:
    metadata = json.dumps(
        {"action": form.action_id, "value": form.value, "channel": channel, "ts": ts}
    )
    blocks: list[Any] = []
    if form.intro:
        blocks.append(SectionBlock(text=plain(form.intro)))
    blocks.extend(_input(field) for field in form.fields)
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=metadata[:METADATA_LIMIT],
        title=plain(form.title, 24),
        submit=plain(form.submit, 24),
        close=plain("Cancel", 24),
        blocks=blocks,
    ).to_dict()


def _input(field: FormField) -> InputBlock:
    element: Any
    if isinstance(field, TextField):
        element = PlainTextInputElement(
            action_id=INPUT,
            multiline=field.multiline,
            max_length=min(field.max_length, 3000),
            initial_value=shorten(field.initial, 3000) if field.initial else None,
        )
    elif isinstance(field, ChoiceField):
        options = [Option(value=c.value, text=plain(c.label, 75)) for c in field.options[:100]]
        initial = next((o for o in options if o.value == field.initial), None)
        kind = RadioButtonsElement if len(options) <= 3 else StaticSelectElement
        element = kind(action_id=INPUT, options=options, initial_option=initial)
    elif isinstance(field, PersonField):
        element = UserSelectElement(action_id=INPUT, initial_user=field.initial)
    else:
        initial_date = field.initial.isoformat() if field.initial else None
        element = DatePickerElement(action_id=INPUT, initial_date=initial_date)
    return InputBlock(
        block_id=field.id,
        label=plain(field.label, 100),
        element=element,
        optional=not field.required,
    )


def form_of_view(view: dict[str, Any]) -> tuple[str, str, str, str]:
    """(action id, value, channel, message ts) a form modal was opened for."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    return tuple(str(metadata.get(key) or "") for key in ("action", "value", "channel", "ts"))  # type: ignore[return-value]


def view_inputs(view: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The form's inputs by field id, whatever element each field was drawn with, and the
    people picked (field id → Slack user id), whom the caller may know more about."""
    values = (view.get("state") or {}).get("values") or {}
    inputs: dict[str, str] = {}
    picked: dict[str, str] = {}
    for block_id, actions in values.items():
        element = (actions or {}).get(INPUT) or {}
        if element.get("type") == "plain_text_input":
            inputs[block_id] = element.get("value") or ""
        elif element.get("type") in ("static_select", "radio_buttons"):
            inputs[block_id] = (element.get("selected_option") or {}).get("value") or ""
        elif element.get("type") == "users_select":
            inputs[block_id] = element.get("selected_user") or ""
            if inputs[block_id]:
                picked[block_id] = inputs[block_id]
        elif element.get("type") == "datepicker":
            inputs[block_id] = element.get("selected_date") or ""
    return inputs, picked
