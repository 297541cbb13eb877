"""Drafts as reviewers read them in a terminal, and how drafts fare by prompt version."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.assist.cards import label
from bot.assist.drafts import CLASSIFICATION
from bot.storage.models import Draft, Request


def pending_row(draft: Draft, request: Request) -> dict[str, Any]:
    return {
        "draft": draft.id,
        "request": request.reference,
        "kind": draft.kind,
        "label": label(draft),
        "note": draft.note,
        "content": draft.content,
    }


def render_pending(row: dict[str, Any]) -> str:
    head = f"draft {row['draft']} · {row['request']} · {row['kind']} · {row['label']}"
    lines = [head]
    content = row["content"]
    if row["kind"] == CLASSIFICATION:
        fit = "yes" if content.get("training_fit") else "no"
        lines.append(
            f"  category {content.get('category')} · training the answer: {fit} · "
            f"confidence {content.get('confidence')}"
        )
        if content.get("test"):
            lines.append(f"  why: {content['test']}")
        lines.extend(f'  rests on: "{quote}"' for quote in content.get("evidence", []))
        lines.extend(f"  because {reason}" for reason in content.get("reasons", []))
    else:
        for review_type, questions in content.items():
            lines.append(f"  {review_type.replace('_', ' ')}:")
            lines.extend(f"    - {question}" for question in questions)
    if row["note"]:
        lines.append(f"  note: {row['note']}")
    return "\n".join(lines)


def verdicts_by_prompt(session: Session) -> list[dict[str, Any]]:
    """How often drafts were approved unchanged, edited or rejected, per source and prompt."""
    from bot.requests.insights import verdict_counts  # only `assist report` needs the figures

    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for kind, source, version, status, count in sorted(verdict_counts(session, no_version="-")):
        row = groups.setdefault(
            (kind, source, version),
            {
                "kind": kind,
                "source": source,
                "prompt_version": version,
                "total": 0,
                "approved": 0,
                "edited": 0,
                "rejected": 0,
                "pending": 0,
            },
        )
        row[status] += count
        row["total"] += count
    return list(groups.values())


def render_report(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No drafts yet."
    lines = [
        f"{'KIND':<20}{'SOURCE':<8}{'PROMPT':<22}{'TOTAL':>6}{'APPROVED':>10}{'EDITED':>8}"
        f"{'REJECTED':>10}{'PENDING':>9}"
    ]
    for row in rows:
        lines.append(
            f"{row['kind']:<20}{row['source']:<8}{row['prompt_version']:<22}"
            f"{row['total']:>6}{row['approved']:>10}{row['edited']:>8}"
            f"{row['rejected']:>10}{row['pending']:>9}"
        )
    return "\n".join(lines)
