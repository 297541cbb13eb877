"""Drawing neutral messages as Block Kit, with slack_sdk's models enforcing Slack's limits.

Everything a person typed is shown in ``plain_text`` objects, which Slack never parses for
mentions, links or formatting, so an answer of ``<!channel>`` or ``*bold*`` shows as typed.
The few mrkdwn strings we build from app.yaml text are escaped (&, <, >) first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.conversation import copy
from bot.conversation.commands import TriageAction
from bot.decisions.waiting import WaitingItem, waiting_line
from bot.messages import AnswerForm, Button, ButtonStyle, Form, Outbound, RequestLine, Summary
from bot.reminders.nudges import decision_buttons
from bot.text import shorten

SECTION_LIMIT = 2900  # Slack allows 3000 characters in a section; leave room for the suffix
SUMMARY_ANSWER_LIMIT = 900  # Slack refuses a message whose blocks pass about 13,000 characters
CONTEXT_LIMIT = 1900
FALLBACK_LIMIT = 2000
BLOCKS_PER_MESSAGE = 50
NEW_REQUEST_ACTION = "triage-request-new"
HOME_BLOCK_LIMIT = 100
CACHED_TEXT_LIMIT = 2000
BUTTON_VALUE_LIMIT = 2000

Builder = TypeVar("Builder", bound=Callable[..., dict[str, Any]])


def escape(text: str) -> str:
    """Slack's three control characters, so typed text can never become a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaping undone: message text and returned cards arrive with &, < and > escaped."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str, limit: int = SECTION_LIMIT) -> PlainTextObject:
    return PlainTextObject(text=shorten(text, limit) or " ", emoji=True)


def button_element(button: Button, action_id: str | None = None) -> ButtonElement:
    style = None if button.style is ButtonStyle.DEFAULT else button.style.value
    return ButtonElement(
        text=PlainTextObject(text=shorten(button.label, 70), emoji=True),
        action_id=action_id or button.action_id,
        value=button.value,
        style=style,
    )


def action_id_of(element_action_id: str) -> str:
    """Choice buttons share one action in a block, so they carry a '.N' suffix; drop it."""
    return element_action_id.split(".", 1)[0]


def actions_block(buttons: Sequence[Button]) -> ActionsBlock:
    """Slack wants action ids unique within a block, so buttons sharing one (choices,
    snoozes) carry a '.N' suffix, which ``action_id_of`` takes off again."""
    counts = Counter(button.action_id for button in buttons[:25])
    return ActionsBlock(
        elements=[
            button_element(
                button, f"{button.action_id}.{index}" if counts[button.action_id] > 1 else None
            )
            for index, button in enumerate(buttons[:25])
        ]
    )


def fallback_text(messages: Sequence[Outbound]) -> str:
    """The notification text: plain, escaped, short."""
    return escape(shorten("\n".join(m.text for m in messages), FALLBACK_LIMIT))


def turn_payloads(messages: Sequence[Outbound]) -> list[dict[str, Any]]:
    """One Slack message per turn (several when the blocks pass Slack's 50-block limit)."""
    blocks = [block for message in messages for block in message_dicts(message)]
    text = fallback_text(messages)
    return [
        {"text": text, "blocks": blocks[i : i + BLOCKS_PER_MESSAGE]}
        for i in range(0, len(blocks), BLOCKS_PER_MESSAGE)
    ]


def message_dicts(message: Outbound) -> tuple[dict[str, Any], ...]:
    """A message's blocks as Slack's JSON, each block built through slack_sdk's models (which
    check Slack's limits). That costs more than the rest of a reply, and prompts, progress
    lines, hints and button rows repeat for every requester, so those are built once and
    reused; what a person typed is built each time. Every call returns blocks of its own."""
    blocks: list[dict[str, Any]] = []
    if message.progress:
        blocks.append(_progress_dict(message.progress))
    blocks.append(_section_dict(message.text))
    if message.summary:
        blocks.extend(_summary_dicts(message.summary))
    if message.hint:
        blocks.append(_hint_dict(message.hint))
    if message.buttons:
        blocks.append(actions_dict(message.buttons))
    return tuple(blocks)


def _cached_block(maxsize: int) -> Callable[[Builder], Builder]:
    """lru_cache for a block builder, but each caller gets a copy of its own: a block is a
    nest of dicts and lists that a caller may add to (an accessory, a value), and what one
    message does to its blocks must never reach the next message's."""

    def decorate(build: Builder) -> Builder:
        cached = lru_cache(maxsize=maxsize)(build)

        @wraps(build)
        def fresh(*args: Hashable) -> dict[str, Any]:
            return _copy(cached(*args))

        return cast(Builder, fresh)

    return decorate


def _copy(block: dict[str, Any]) -> dict[str, Any]:
    """A block copied down to its last dict and list (Block Kit JSON nests nothing else; the
    strings, numbers and booleans in it cannot be changed in place). A shallow copy with its
    few nested values replaced is faster than rebuilding every key."""
    copied = block.copy()
    for key, value in block.items():
        if type(value) is dict:
            copied[key] = _copy(value)
        elif type(value) is list:
            copied[key] = _copy_list(value)
    return copied


def _copy_list(items: list[Any]) -> list[Any]:
    return [
        _copy(item) if type(item) is dict else _copy_list(item) if type(item) is list else item
        for item in items
    ]


@_cached_block(maxsize=512)
def _progress_dict(progress: str) -> dict[str, Any]:
    return ContextBlock(elements=[MarkdownTextObject(text=f"*{escape(progress)}*")]).to_dict()


@_cached_block(maxsize=512)
def _hint_dict(hint: str) -> dict[str, Any]:
    return ContextBlock(elements=[plain(hint, CONTEXT_LIMIT)]).to_dict()


def _section_dict(text: str) -> dict[str, Any]:
    if len(text) > CACHED_TEXT_LIMIT:
        return SectionBlock(text=plain(text)).to_dict()
    return _cached_section_dict(text)


@_cached_block(maxsize=2048)
def _cached_section_dict(text: str) -> dict[str, Any]:
    return SectionBlock(text=plain(text)).to_dict()


def actions_dict(buttons: Sequence[Button]) -> dict[str, Any]:
    """A row of buttons. Rows differ between requests only in their values (ids such as
    '12:failing_task:0'), so the row is built once per shape and the values put in after."""
    if any(len(button.value) > BUTTON_VALUE_LIMIT for button in buttons[:25]):
        return actions_block(buttons).to_dict()  # slack_sdk refuses it, as it should
    shape = tuple((b.label, b.action_id, b.style, b.form) for b in buttons[:25])
    row = _actions_shape_dict(shape)  # a copy of its own, so the values go straight in
    for element, button in zip(row["elements"], buttons, strict=False):
        if button.value:
            element["value"] = button.value
    return row


ButtonShape = tuple[str, str, ButtonStyle, Form | None]
"""A button but for its value (label, action id, style, form): a tuple, because copying each
Button without its value (dataclasses.replace) cost ten times as much on every row drawn."""


@_cached_block(maxsize=1024)
def _actions_shape_dict(shape: tuple[ButtonShape, ...]) -> dict[str, Any]:
    buttons = [Button(label, action, "", style, form) for label, action, style, form in shape]
    return actions_block(buttons).to_dict()


def _summary_dicts(summary: Summary) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_divider_dict()]
    for item in summary.items:
        if item.skipped:
            answer = "(skipped)"
        elif item.answer is None:
            answer = "(not answered yet)"
        else:
            answer = item.answer
        blocks.append(_summary_prompt_dict(item.number, item.prompt))
        edit = actions_dict(
            [Button("Edit", TriageAction.EDIT, f"{summary.request_id}:{item.question_id}")]
        )["elements"][0]
        section = SectionBlock(text=plain(answer, SUMMARY_ANSWER_LIMIT)).to_dict()
        blocks.append({**section, "accessory": edit})
    blocks.extend(ContextBlock(elements=[plain(n, CONTEXT_LIMIT)]).to_dict() for n in summary.notes)
    blocks.append(_divider_dict())
    return blocks


@_cached_block(maxsize=512)
def _summary_prompt_dict(number: int, prompt: str) -> dict[str, Any]:
    return ContextBlock(
        elements=[MarkdownTextObject(text=f"*{number}. {escape(prompt)}*")]
    ).to_dict()


@_cached_block(maxsize=1)
def _divider_dict() -> dict[str, Any]:
    return DividerBlock().to_dict()


def settled_blocks(blocks: Iterable[dict[str, Any]], chosen: str) -> list[dict[str, Any]]:
    """The card after a button was used: no buttons left to press twice, and what was chosen."""
    kept: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("type") == "actions":
            continue
        kept.append(_as_sent({key: value for key, value in block.items() if key != "accessory"}))
    note = ContextBlock(elements=[MarkdownTextObject(text=f"✓ {escape(chosen)}")])
    return [*kept[: BLOCKS_PER_MESSAGE - 1], note.to_dict()]


def _as_sent(node: Any) -> Any:
    """Slack hands a card back (body.message.blocks) with &, < and > escaped even in plain_text,
    which it never parses: sent back as they come, they would show as "&amp;lt;". Plain text
    is put back as the bot drew it; mrkdwn stays escaped, as it was sent."""
    if isinstance(node, list):
        return [_as_sent(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "plain_text" and isinstance(node.get("text"), str):
        return {**node, "text": unescape(node["text"])}
    return {key: _as_sent(value) for key, value in node.items()}


def waiting_blocks(items: Sequence[WaitingItem]) -> list[Block]:
    """'Waiting on me': each decision with its buttons, then drafts to review."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text="Waiting on me"))]
    if not items:
        blocks.append(SectionBlock(text=plain(copy.WAITING_NOTHING)))
    for item in items:
        blocks.append(SectionBlock(text=plain(waiting_line(item))))
        if item.decision_id is not None:
            blocks.append(actions_block(decision_buttons(item.decision_id)))
    return blocks


def home_view(lines: Sequence[RequestLine], waiting: Sequence[WaitingItem] = ()) -> dict[str, Any]:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="L&D triage desk")),
        SectionBlock(
            text=plain(
                "Tell us what is going wrong before anyone builds a course: six short "
                "questions, about 15 minutes, saved as you go."
            )
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=PlainTextObject(text="New request"),
                    action_id=NEW_REQUEST_ACTION,
                    value="home",
                    style="primary",
                )
            ]
        ),
        *waiting_blocks(waiting)[: HOME_BLOCK_LIMIT // 2],
        HeaderBlock(text=PlainTextObject(text="My requests")),
    ]
    if not lines:
        blocks.append(SectionBlock(text=plain("No requests yet.")))
    for line in lines[: (HOME_BLOCK_LIMIT - len(blocks)) // 2]:
        status = line.status.replace("_", " ")
        updated = line.updated_at.strftime("%Y-%m-%d %H:%M UTC")
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{escape(line.reference)}* · {escape(status)} · updated {updated}"
                )
            )
        )
        blocks.append(ContextBlock(elements=[plain(line.task or "(no task yet)", CONTEXT_LIMIT)]))
    return {"type": "home", "blocks": [b.to_dict() for b in blocks]}


ANSWER_FORM_CALLBACK = "triage-answer-form"
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"
INPUT_LIMIT = 3000


def answer_modal(form: AnswerForm) -> dict[str, Any] | None:
    """A modal to rewrite one answer; None when the answer is too long for a Slack input."""
    if len(form.current) > INPUT_LIMIT:
        return None
    element = PlainTextInputElement(
        action_id=ANSWER_INPUT,
        multiline=form.multiline,
        initial_value=form.current or None,
        max_length=INPUT_LIMIT,
    )
    block = InputBlock(
        block_id=ANSWER_BLOCK,
        label=PlainTextObject(text=shorten(form.prompt, 1900)),
        element=element,
        hint=PlainTextObject(text=shorten(form.help, 1900)) if form.help else None,
        optional=not form.required,
    )
    return View(
        type="modal",
        callback_id=ANSWER_FORM_CALLBACK,
        private_metadata=f"{form.request_id}:{form.question_id}",
        title=PlainTextObject(text=f"Answer {form.number}"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[block],
    ).to_dict()
