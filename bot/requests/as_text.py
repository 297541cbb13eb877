"""The desk as a person reads it in a terminal: the request list and one request in full.

It draws the same rows and detail that ``--json`` prints, so the two never disagree; only the
times change, from ISO to what a person reads ("2 Dec 2026 21:36 UTC").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

CLASSIFICATION = "classification"
_INDENT = "   "
_NESTED = "    "


def human_time(value: str | datetime | None) -> str:
    """'2 Dec 2026 21:36 UTC': a time of day to the minute, in UTC as stored."""
    moment = _moment(value)
    return f"{moment:%-d %b %Y %H:%M} UTC" if moment else "-"


def human_day(value: str | datetime | None) -> str:
    moment = _moment(value)
    return f"{moment:%-d %b %Y}" if moment else "-"


def _moment(value: str | datetime | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC) if moment.tzinfo else moment


def render_list(
    rows: list[dict[str, Any]], first_question: str, *, status: str | None = None, total: int = 0
) -> str:
    """A plain table for people; --json is for programs. ``total``: every request, for saying
    how many a --status filter left out."""
    if not rows:
        if status is None:
            return "No requests yet."
        return f"No {status} requests ({total} request{'' if total == 1 else 's'} in all)."
    header = f"{'REFERENCE':<10} {'STATUS':<18} {'REQUESTER':<16} {'UPDATED':<21} TASK"
    lines = [header]
    for row in reversed(rows):
        task = (row.get(first_question) or row.get("title") or "").replace("\n", " ")
        task = task if len(task) <= 60 else task[:59] + "…"
        lines.append(
            f"{row['reference']:<10} {row['status']:<18} {row['requester'][:16]:<16} "
            f"{human_time(row['updated_at']):<21} {task}"
        )
    return "\n".join(lines)


def render_detail(detail: dict[str, Any]) -> str:
    lines = [
        f"{detail['reference']}  ·  {detail['status']}  ·  from {detail['requester']} "
        f"({detail['platform']})",
        f"created {human_time(detail['created_at'])}  ·  "
        f"submitted {human_time(detail['submitted_at'])}",
    ]
    if detail["title"]:
        lines.append(f"title: {detail['title']}")
    for question in detail["questions"]:
        lines.append(f"\n{question['number']}. {question['prompt']}")
        lines.extend(_versions(question["versions"]))
    for idea in detail["asset_idea"]:
        lines.append(f"\nasset idea: {idea}")
    drafts = detail.get("drafts", [])
    if drafts:
        lines.append("\ndrafts:")
        for draft in drafts:
            lines.extend(_draft(draft))
    lines.extend(_decision(detail.get("decision")))
    for item in detail.get("clarifications", []):
        lines.append(
            f"\nquestion from {item['asked_by']}, {human_time(item['asked_at'])}: "
            f"{item['question']}"
        )
        lines.append(
            f"   answer, {human_time(item['answered_at'])}: {item['answer']}"
            if item["answer"] is not None
            else "   (not answered yet)"
        )
    lines.append("\naudit trail:")
    for event in detail["audit"]:
        lines.append(
            f"  {human_time(event['at'])}  {event['action']}  by {event['actor'] or 'the system'}"
        )
        lines.extend(f"      {change}" for change in _changes(event["before"], event["after"]))
    return "\n".join(lines)


def _versions(versions: list[dict[str, Any]]) -> list[str]:
    """The current answer, then every earlier one, oldest first, each with when and by whom."""
    if not versions:
        return [f"{_INDENT}(not answered)"]
    *earlier, latest = versions
    lines = [_indented(_answer_text(latest), _INDENT)]
    if earlier:
        lines.append(f"{_INDENT}earlier versions:")
    for version in earlier:
        head = f"v{version['version']}, {human_time(version['answered_at'])}, "
        head += f"by {version['answered_by']}: "
        lines.append(_indented(head + _answer_text(version), _INDENT + "  "))
    return lines


def _answer_text(version: dict[str, Any]) -> str:
    return "(skipped)" if version["skipped"] else str(version["text"])


def _indented(text: str, indent: str) -> str:
    """A multi-line answer keeps its lines, each indented like the first."""
    return indent + text.replace("\n", "\n" + indent)


def _draft(draft: dict[str, Any]) -> list[str]:
    verdict = draft["status"]
    if draft["decided_at"]:
        verdict += f" by {draft['decided_by'] or 'someone'}, {human_time(draft['decided_at'])}"
    if draft["reason"]:
        verdict += f": {draft['reason']}"
    kind = draft["kind"].replace("_", " ")
    lines = [f"  draft {draft['id']} · {kind} · {draft['label']} · {verdict}"]
    content, final = draft["content"], draft["final_content"]
    if draft["kind"] == CLASSIFICATION:
        lines.append(f"{_NESTED}drafted: {_classification(content)}")
        if content.get("test"):
            lines.append(f"{_NESTED}why: {content['test']}")
        if final is not None and final != content:
            lines.append(f"{_NESTED}reviewer's: {_classification(final)}")
    else:
        count = sum(len(questions) for questions in content.values())
        lines.append(f"{_NESTED}{count} question(s) for the review: {', '.join(content)}")
        if final is not None and final != content:
            edited = sum(len(questions) for questions in final.values())
            lines.append(f"{_NESTED}reviewer's: {edited} question(s): {', '.join(final)}")
    if draft["note"]:
        lines.append(f"{_NESTED}note: {draft['note']}")
    return lines


def _classification(content: dict[str, Any]) -> str:
    fit = "yes" if content.get("training_fit") else "no"
    text = f"{content.get('category')}, training the answer: {fit}"
    if content.get("confidence") is not None:
        text += f", confidence {content['confidence']}"
    return text


def _decision(decision: dict[str, Any] | None) -> list[str]:
    if not decision:
        return []
    outcome = decision["decision_outcome"] or "not made yet"
    if decision["decided_at"]:
        outcome += f" (by {decision['decided_by']}, {human_time(decision['decided_at'])})"
    lines = [
        f"\ndecision: {decision['next_decision']}",
        f"   owner {decision['decision_owner']}, due {human_day(decision['due_at'])}, "
        f"review type {decision['review_type']}",
        f"   outcome: {outcome}",
    ]
    if decision["decision_note"]:
        lines.append(f"   note: {decision['decision_note']}")
    if decision["follow_up_answer"]:
        lines.append(f"   evidence check-in: {decision['follow_up_answer']}")
    return lines


def _changes(before: Any, after: Any) -> list[str]:
    """What an audit event changed: ``key: old → new`` for flat records, else both as JSON."""
    if _flat(before) and _flat(after):
        old, new = before or {}, after or {}
        parts = []
        for key in [*old, *(k for k in new if k not in old)]:
            if key in old and key in new and old[key] != new[key]:
                parts.append(f"{key}: {_scalar(old[key])} → {_scalar(new[key])}")
            elif key in new:
                parts.append(f"{key}: {_scalar(new[key])}")
            elif key in old:
                parts.append(f"{key}: {_scalar(old[key])} → (none)")
        return ["; ".join(parts)] if parts else []
    return [
        f"{side}: {json.dumps(value, ensure_ascii=False)}"
        for side, value in (("before", before), ("after", after))
        if value is not None
    ]


def _flat(record: Any) -> bool:
    return record is None or (
        isinstance(record, dict)
        and all(value is None or isinstance(value, str | int | float) for value in record.values())
    )


def _scalar(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value)
