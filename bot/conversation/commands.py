"""Recognising the words that steer the conversation, and the action ids buttons carry.

A message is a command only when it is the whole message (any case, with or without a leading
slash). Anything else is an answer, and a command word in quotes is an answer too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class CommandName(StrEnum):
    HELP = "help"
    BACK = "back"
    SKIP = "skip"
    KEEP = "keep"
    CANCEL = "cancel"
    RESTART = "restart"
    STATUS = "status"
    EDIT = "edit"
    SUBMIT = "submit"
    CONTINUE = "continue"
    WAITING = "waiting"
    DESK = "desk"
    UNKNOWN = "unknown"


class TriageAction(StrEnum):
    """Namespaced ``<area>-<object>-<verb>`` ids; values carry ids only."""

    CONTINUE = "triage-request-continue"
    RESTART = "triage-request-restart"
    SUBMIT = "triage-request-submit"
    EDIT = "triage-answer-edit"
    KEEP = "triage-answer-keep"
    SKIP = "triage-question-skip"
    CHOOSE = "triage-choice-select"
    REPLACE = "triage-answer-replace"
    """A new answer typed into a form (a Slack modal, a Teams card), carried in ``text``."""


@dataclass(frozen=True)
class Command:
    name: CommandName
    number: int | None = None
    word: str = ""


_WORDS: dict[str, CommandName] = {
    "help": CommandName.HELP,
    "help me": CommandName.HELP,
    "?": CommandName.HELP,
    "back": CommandName.BACK,
    "skip": CommandName.SKIP,
    "keep": CommandName.KEEP,
    "cancel": CommandName.CANCEL,
    "restart": CommandName.RESTART,
    "start over": CommandName.RESTART,
    "new": CommandName.RESTART,
    "status": CommandName.STATUS,
    "submit": CommandName.SUBMIT,
    "continue": CommandName.CONTINUE,
    "waiting": CommandName.WAITING,
    "waiting on me": CommandName.WAITING,
    "my decisions": CommandName.WAITING,
    "desk": CommandName.DESK,
    "web desk": CommandName.DESK,
}

_EDIT = re.compile(
    r"^(?:edit|change)(?:\s+my)?(?:\s+answer)?(?:\s+(?:to|for|of))?(?:\s+question)?\s*#?\s*(\d+)?$"
)
_SLASH_WORD = re.compile(r"^/[a-z][a-z-]*$")
_QUOTED = re.compile(r'^(["\'“”‘’])(.*)(["\'“”‘’])$', re.DOTALL)


def parse_command(text: str) -> Command | None:
    """The command a whole message stands for, or None when it is an answer."""
    normalised = " ".join(text.strip().casefold().split())
    slash = normalised.startswith("/")
    normalised = normalised.removeprefix("/").rstrip(".!")
    if normalised in _WORDS:
        return Command(_WORDS[normalised])
    match = _EDIT.match(normalised)
    if match:
        number = match.group(1)
        return Command(CommandName.EDIT, number=int(number[:6]) if number else None)
    if slash and _SLASH_WORD.match("/" + normalised):
        return Command(CommandName.UNKNOWN, word="/" + normalised)
    return None


def unquote_command_word(text: str) -> str:
    """'"back"' → 'back' when the quoted text is a command word; other text is kept as typed."""
    match = _QUOTED.match(text.strip())
    if match and parse_command(match.group(2)) is not None:
        return match.group(2)
    return text
