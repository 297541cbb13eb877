"""Recognising the words that steer the conversation, and the action ids buttons carry.

A message is a command only when it is the whole message (any case, with or without a leading
slash). Anything else is an answer, and a command word in quotes is an answer too. A single word
a letter away from a command ("stauts") is neither until the person says which they meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.text import one_edit_apart


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
    SUMMARY = "summary"
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
    CONFIRM = "triage-command-confirm"
    """Yes to "Did you mean status?" or "Start over?"."""
    DECLINE = "triage-command-decline"


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
    "summary": CommandName.SUMMARY,
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


_NEAR_MISSABLE = {
    "edit": CommandName.EDIT,
    **{word: name for word, name in _WORDS.items() if word.isalpha() and len(word) >= 4},
}
"""Commands a typo is matched against; shorter ones ("new", "?") are a letter from too much."""
_REAL_WORDS_NEAR = {
    "help": "held hell helm hemp kelp yelp helps whelp heap",
    "back": "bach bank bark bask beck buck hack jack lack pack rack sack tack black backs balk",
    "skip": "skin skid skim skit skis slip ship snip skips skimp sip ski kip",
    "keep": "beep deep jeep peep seep weep veep keen keel keeps",
    "desk": "disk dusk deck desks",
    "edit": "exit emit edict edits adit edith",
    "cancel": "cancels cancer chancel",
    "status": "statue states stats stratus",
    "submit": "summit submits",
    "restart": "restarts redstart",
    "continue": "continued continues",
    "waiting": "wanting writing waiving baiting wasting whiting awaiting",
    "summary": "summery",
}
_REAL_WORDS = frozenset(word for words in _REAL_WORDS_NEAR.values() for word in words.split())
"""Words a letter away from a command that people mean as they typed them ("Bank", "deep")."""


def near_command(text: str) -> tuple[str, CommandName] | None:
    """The command a one-word message is a typo of (one letter added, dropped, changed, or two
    swapped: "stauts", "helpp"), unless the word is a real one or near more than one command."""
    word = text.strip().casefold().rstrip(".!?")
    if len(word) < 3 or not word.isalpha() or word in _REAL_WORDS or word in _WORDS:
        return None
    near = [
        (command, name) for command, name in _NEAR_MISSABLE.items() if one_edit_apart(word, command)
    ]
    return near[0] if len(near) == 1 else None


def normalised(text: str) -> str:
    """A reply as the flow compares it with the words it knows: "Yes!" is "yes"."""
    return " ".join(text.strip().casefold().rstrip(".!").split())


def unquote_command_word(text: str) -> str:
    """'"back"' → 'back' when the quoted text is a command word; other text is kept as typed."""
    match = _QUOTED.match(text.strip())
    if match and parse_command(match.group(2)) is not None:
        return match.group(2)
    return text
