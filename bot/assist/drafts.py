"""A draft and where it came from: the rules, the shipped classifier, or a language model.

Kept apart from llm.py so that what only handles drafts does not load the openai client.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.assist.verdict import Classification

# The two kinds of draft every submitted request gets.
CLASSIFICATION = "classification"
REVIEWER_QUESTIONS = "reviewer_questions"


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Where a draft came from, kept with it for the card and for judging drafts later."""

    source: str  # "llm" or "rules"
    model: str | None = None
    prompt_version: str | None = None
    latency_ms: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Drafted(Provenance):
    classification: Classification


@dataclass(frozen=True, kw_only=True)
class DraftedQuestions(Provenance):
    questions: dict[str, list[str]]
