"""What the classifier reads from a request: the field's signals and the words, per answer.

The same function feeds training (scripts/train_classifier.py) and drafting, so a request is
seen the same way in both. Features are names with value 1: ``sig:new_to_it`` (a signal
anywhere), ``sig:new_to_it@existing_support`` (in that answer), ``w:pump`` (a word anywhere),
and ``fp:pump`` (a word in one answer). Pairs of words were tried and left out: on the
development part they cost accuracy and tripled the model's size.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.assist.signals import Found, detect, normalise
from bot.assist.signals.signal import ALL_FIELDS

FIELD_PREFIX = {
    "failing_task": "ft",
    "performer": "pf",
    "failure_point": "fp",
    "existing_support": "es",
    "evidence": "ev",
}
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "at",
        "by",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "our",
        "us",
        "i",
        "my",
        "me",
        "you",
        "your",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
        "there",
        "here",
        "as",
        "from",
        "so",
        "if",
        "than",
        "then",
        "into",
        "about",
        "over",
        "also",
        "just",
        "very",
        "really",
        "some",
        "any",
        "all",
        "can",
        "will",
        "would",
        "could",
        "should",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "get",
        "got",
    ]
)


def stem(word: str) -> str:
    """A crude suffix strip, enough to meet "pumps" and "pump", "trained" and "training"."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text) if w not in _STOP and not w.isdigit()]


def request_features(answers: Mapping[str, str], found: list[Found] | None = None) -> set[str]:
    found = detect(answers) if found is None else found
    names: set[str] = set()
    for hit in found:
        names.add(f"sig:{hit.signal.name}")
        names.add(f"sig:{hit.signal.name}@{hit.question_id}")
    for question_id in ALL_FIELDS:
        text = normalise(answers.get(question_id, ""))
        prefix = FIELD_PREFIX[question_id]
        tokens = words(text)
        for token in tokens:
            names.add(f"w:{token}")
            names.add(f"{prefix}:{token}")
    if len(normalise(answers.get("failing_task", "")).split()) <= 6:
        names.add("short_task")
    return names
