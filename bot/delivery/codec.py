"""Neutral messages to JSON and back, for the outbox.

JSON rather than pickle: the rows outlive the process that wrote them (a restart, an upgrade),
and reading one must never run code. Only the message classes below can be rebuilt.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import StrEnum
from typing import Any

from bot.messages import (
    Button,
    ButtonStyle,
    Choice,
    ChoiceField,
    DateField,
    Form,
    Outbound,
    PersonField,
    Summary,
    SummaryItem,
    TextField,
)

_TYPE = "~"
_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Outbound,
        Button,
        Summary,
        SummaryItem,
        Form,
        TextField,
        ChoiceField,
        PersonField,
        DateField,
        Choice,
    )
}
_ENUM_FIELDS: dict[tuple[str, str], type[StrEnum]] = {("Button", "style"): ButtonStyle}


class UnreadableMessages(ValueError):
    """A stored row this version cannot rebuild (written by another version, or damaged)."""


def encode(messages: list[Outbound]) -> list[Any]:
    return [_encode(message) for message in messages]


def decode(stored: list[Any]) -> list[Outbound]:
    try:
        messages = [_decode(item) for item in stored]
    except (TypeError, ValueError, KeyError) as exc:
        raise UnreadableMessages(str(exc)) from exc
    if not all(isinstance(message, Outbound) for message in messages):
        raise UnreadableMessages("a stored reply is not a message")
    return messages


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise TypeError(f"{name} is not a message class")
        fields = dataclasses.fields(value)
        encoded = {field.name: _encode(getattr(value, field.name)) for field in fields}
        return {_TYPE: name, **encoded}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return {_TYPE: "date", "iso": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the outbox")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    name = value[_TYPE]
    if name == "date":
        return date.fromisoformat(value["iso"])
    cls = _CLASSES[name]
    known = {field.name for field in dataclasses.fields(cls)}
    arguments = {key: _decode(item) for key, item in value.items() if key in known}
    for (owner, field_name), enum in _ENUM_FIELDS.items():
        if owner == name and field_name in arguments:
            arguments[field_name] = enum(arguments[field_name])
    return cls(**arguments)
