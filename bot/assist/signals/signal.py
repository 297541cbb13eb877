"""What a signal is: one thing a performance consultant listens for, as phrasings to find in
the answers to the fields it is read from.

The tables of signals (mager_pipe.py, gilbert.py, ownership_evidence.py) are built from this;
the package (__init__.py) finds them in a request's answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TASK, PERFORMER, FAILURE, SUPPORT, EVIDENCE = (
    "failing_task",
    "performer",
    "failure_point",
    "existing_support",
    "evidence",
)
ALL_FIELDS = (TASK, PERFORMER, FAILURE, SUPPORT, EVIDENCE)


@dataclass(frozen=True)
class Signal:
    name: str
    points_to: str  # the category it is evidence for
    test: str  # the sentence a reviewer reads when the verdict rests on it
    patterns: tuple[re.Pattern[str], ...]
    fields: tuple[str, ...] = ALL_FIELDS
    weight: float = 1.0  # what one hit counts for in the rules; a tool merely named counts less

    def find(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            if match := pattern.search(text):
                return match
        return None


def any_of(*alternatives: str) -> tuple[re.Pattern[str], ...]:
    """One pattern for all of a signal's phrasings: one scan of the text instead of ten."""
    return (re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w])"),)
