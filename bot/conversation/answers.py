"""Checking an answer against its question's kind, and spotting an asset named as a task."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.config import AssetPushback, Question, QuestionKind
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


@dataclass(frozen=True)
class AssetAsk:
    """An answer that asks for an asset (a course, a video, a talk): which, and whether it also
    names the problem behind it."""

    asset: str
    names_problem: bool

    @property
    def needs_follow_up(self) -> bool:
        return not self.names_problem


# What people type when something goes wrong: a negation, a failure, a delay, a complaint.
_PROBLEM = re.compile(
    r"(?<![\w-])(?:"
    r"\w+n't|not|never|no|nobody|noone|nothing|none|without|neither|nor|cannot|unable|"
    r"fail\w*|wrong\w*|mistak\w*|errors?|erroneous|miss(?:es|ed|ing)?|forg[eo]t\w*|skip\w*|"
    r"late|later|lateness|delay\w*|overdue|behind|stuck|slow\w*|los(?:e|es|ing|t)|broke\w*|"
    r"confus\w*|struggl\w*|complain\w*|incidents?|accidents?|injur\w*|near[- ]miss\w*|"
    r"breach\w*|reject\w*|refus\w*|problems?|issues?|troubl\w*|difficult\w*|hard to|"
    r"keeps?|kept|again|unclear|inconsisten\w*|poor(?:ly)?|bad(?:ly)?|worse|low|drop\w*|"
    r"fall(?:s|ing)?|fell|declin\w*|too (?:many|much|few|long|often)|takes? (?:weeks|months|"
    r"ages|forever|too)|wait\w*|backlog\w*|rework\w*|escalat\w*|bounc\w*|fined|fines|"
    r"penalt\w*|findings?|non-?complian\w*|bottleneck\w*|leak\w*|spill\w*|crash\w*|"
    r"freez\w*|time[sd]? ?outs?|unsafe|danger\w*|wast\w*|instead|ignor\w*|avoid\w*|guess\w*|"
    r"misunderst\w*|misus\w*|incorrect\w*|inaccura\w*|complex|messy|mess|chaos|chaotic|"
    r"furious|angry|upset|frustrat\w*|annoy\w*|in circles|going nowhere|repeatedly|"
    r"old|outdated|out of date|out-of-date|obsolete|stale|legacy"
    r")(?![\w-])",
)
# Negations that shape the asset rather than name a problem: "nothing too technical".
_HEDGES = re.compile(
    r"(?<![\w-])(?:nothing|not|no)(?: too| more than| longer than| over| much more than)\b"
)
# "we need a ...", "can u do a ...", "please build ...": the asset is the object of a request.
_REQUEST = (
    r"(?:need|needs|needed|want|wants|wanted|like|love|build|create|develop|design|produce|"
    r"deliver|organi[sz]e|arrange|record|film|write|provide|request|requesting|"
    r"asking for|looking for|put together|set up|pls|please|plz|can (?:you|u|we|i)|"
    r"could (?:you|u|we|i)|would (?:you|u)|(?:do|run|make|get|give|hold|book) "
    r"(?:us |me |them |the team )?(?:a|an|some))"
)
_OPENING = r"^\W*(?:[\w'-]+\s+){0,4}?"  # a short answer that opens with it: "Quick 5-min video"
_SHORT_WORDS = 12


def asset_asked_for(text: str, rules: AssetPushback) -> AssetAsk | None:
    """The asset an answer asks for, if it asks for one. Naming an asset inside a problem ("the
    course's approvals are stuck", "the telemetry module") is not asking for it."""
    lowered = " ".join(text.casefold().replace("’", "'").split())
    names_problem = _PROBLEM.search(_HEDGES.sub(" ", lowered)) is not None or any(
        _contains_word(lowered, cue.casefold()) for cue in rules.behaviour_cues
    )
    for word in rules.asset_words:
        asset = re.escape(word.casefold()) + r"(?:s|es)?(?![\w-])"
        requested = re.search(
            rf"(?<![\w-]){_REQUEST}\b(?:\W+[\w'-]+){{0,6}}?\W+{asset}", lowered
        ) or re.search(rf"(?<![\w-]){_REQUEST}\W+{asset}", lowered)
        short = len(lowered.split()) <= _SHORT_WORDS
        opens_with_it = short and re.search(_OPENING + asset, lowered)
        if requested or (opens_with_it and not names_problem):
            return AssetAsk(asset=word, names_problem=names_problem)
    return None


def _contains_word(text: str, word: str) -> bool:
    pattern = r"(?<![\w-])" + re.escape(word) + r"(?:s|es)?(?![\w-])"
    return re.search(pattern, text) is not None
