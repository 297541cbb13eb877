"""Neutral cards and forms drawn as Adaptive Cards 1.5.

A button that needs a form first becomes an Action.ShowCard holding the form's inputs and a
submit (Action.Execute, with an Action.Submit fallback) carrying the button's action and value.
Input ids name their form (``field@action:value``), since every input on a card shares one
namespace and a review card holds several forms; ``inputs_for`` takes one form's back out.
"""

from __future__ import annotations

from typing import Any

from bot.channels.teams.cards import (
    ACTION_KEY,
    VALUE_KEY,
    action,
    adaptive_card,
    form_body,
    form_submit,
    typed,
)
from bot.messages import (
    Card,
    Form,
)


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card_json(card: Card) -> dict[str, Any]:
    body: list[dict[str, Any]] = [_text(card.title, weight="Bolder", size="Medium")]
    if card.subtitle:
        body.append(typed(card.subtitle, isSubtle=True))
    for section in card.sections:
        if section.heading:
            separator = bool(section.buttons or section.note)
            body.append(_text(section.heading, weight="Bolder", separator=separator))
        if section.text:
            body.append(_text(section.text))
        if section.typed:
            body.append(typed(section.typed, 600 if not section.buttons else 2000))
        if section.note:
            body.append(typed(section.note, isSubtle=True))
        if section.buttons:
            body.append({"type": "ActionSet", "actions": [action(b) for b in section.buttons]})
    return adaptive_card(body)


def inputs_for(data: dict[str, Any], action_id: str, value: str) -> dict[str, str] | None:
    """The inputs of the form for ``action_id``/``value`` in a card action's data, by field
    id; None when the action came without any (a button pressed on an older card)."""
    suffix = f"@{action_id}:{value}"
    found = {
        key[: -len(suffix)]: str(given)
        for key, given in data.items()
        if isinstance(key, str) and key.endswith(suffix) and key not in (ACTION_KEY, VALUE_KEY)
    }
    return found or None


def form_card(form: Form) -> dict[str, Any]:
    """A form on a card of its own, answering a press that arrived without its inputs."""
    return adaptive_card(
        [_text(form.title, weight="Bolder"), *form_body(form)], [form_submit(form)]
    )
