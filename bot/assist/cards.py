"""What a reviewer's card shows of a request and its drafts, as plain data and sentences.

No database and no platform here: the review flow and the terminal draw these however their
channel draws things, and the reads (reads.py) fill them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.assist.drafts import CLASSIFICATION
from bot.storage.models import Draft, DraftStatus

AI_LABEL = "AI draft — verify"
RULES_LABEL = "rule-based"


@dataclass(frozen=True)
class DraftView:
    id: int
    kind: str
    label: str
    content: dict[str, Any]
    status: str
    note: str | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class ReviewCard:
    """Everything a reviewer's card shows, whatever the platform draws it with."""

    request_id: int
    reference: str
    requester: str
    answers: tuple[tuple[str, str], ...]
    drafts: tuple[DraftView, ...]
    status: str = ""

    @property
    def decided(self) -> bool:
        return all(draft.status != DraftStatus.PENDING for draft in self.drafts)


def describe(draft: DraftView) -> str:
    """A draft in plain sentences, for cards on any platform."""
    content = draft.content
    if draft.kind == CLASSIFICATION:
        fit = "yes" if content.get("training_fit") else "no"
        lines = [
            f"Category: {content.get('category')} · training the answer: {fit} · "
            f"confidence {content.get('confidence', '-')}"
        ]
        if content.get("test"):
            lines.append(f"Why: {content['test']}")
        lines += [f'Rests on: "{quote}"' for quote in content.get("evidence", [])]
        return "\n".join(lines)
    return "\n".join(
        f"{group.replace('_', ' ').capitalize()}:\n" + "\n".join(f"• {q}" for q in questions)
        for group, questions in content.items()
        if questions
    )


def label(draft: Draft) -> str:
    return AI_LABEL if draft.source == "llm" else RULES_LABEL
