"""Checking an answer against its question's kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.config import Question, QuestionKind
from bot.conversation import copy

_LINK = re.compile(r"(https?://\S+|www\.\S+)", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d/%m/%Y")


@dataclass(frozen=True)
class Checked:
    """The text to store (as typed, or the chosen option) or why it was not accepted."""

    text: str | None
    problem: str | None = None


def check_answer(question: Question, text: str) -> Checked:
    if question.kind is QuestionKind.CHOICE:
        option = _match_option(question.options, text)
        if option is None:
            return Checked(None, copy.NOT_A_CHOICE.format(options=", ".join(question.options)))
        return Checked(option)
    if question.kind is QuestionKind.DATE and parse_date(text) is None:
        return Checked(None, copy.NOT_A_DATE)
    if question.kind is QuestionKind.URL and not _LINK.search(text):
        return Checked(None, copy.NOT_A_LINK)
    return Checked(text)


def _match_option(options: tuple[str, ...], text: str) -> str | None:
    wanted = text.strip().casefold()
    if wanted.isdigit() and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1]
    return next((option for option in options if option.casefold() == wanted), None)


def parse_date(text: str) -> date | None:
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None
