"""Reading the desk: request lists, one request in full, and the decision-log export.

Exports carry every request with its latest answers as columns. CSV cells that a spreadsheet
would run as a formula (starting with = + - @) get a leading apostrophe; JSON is verbatim.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from bot.assist.cards import label
from bot.config import AppConfig
from bot.conversation.views import ASSET_NOTE_ID
from bot.storage import clarifications, service
from bot.storage.models import Decision, Draft, Person, Request

EXPORT_FORMATS = ("csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DECISION_COLUMNS = (
    "decision_owner",
    "due_at",
    "next_decision",
    "decision_outcome",
    "review_type",
    "decision_note",
    "decided_by",
    "decided_at",
    "follow_up_answer",
)
_DRAFT_COLUMNS = (
    "draft_category",
    "draft_training_fit",
    "draft_source",
    "draft_model",
    "draft_prompt_version",
    "draft_verdict",
    "draft_decided_by",
    "draft_final_category",
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _person_label(person: Person | None) -> str:
    if person is None:
        return ""
    return person.display_name or person.platform_user_id


def _request_fields(request: Request, people: dict[int, Person]) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "id": request.id,
        "status": request.status,
        "requester": _person_label(people.get(request.requester_id)),
        "platform": request.platform,
        "title": request.title,
        "category": request.category,
        "created_at": _iso(request.created_at),
        "submitted_at": _iso(request.submitted_at),
        "updated_at": _iso(request.updated_at),
    }


def _draft_fields(draft: Draft | None, people: dict[int, Person]) -> dict[str, Any]:
    """The classification draft and the human verdict on it, for the decision log."""
    if draft is None:
        return dict.fromkeys(_DRAFT_COLUMNS)
    final = draft.final_content or {}
    return {
        "draft_category": draft.content.get("category"),
        "draft_training_fit": draft.content.get("training_fit"),
        "draft_source": draft.source,
        "draft_model": draft.model,
        "draft_prompt_version": draft.prompt_version,
        "draft_verdict": draft.status,
        "draft_decided_by": _person_label(people.get(draft.decided_by or 0)) or None,
        "draft_final_category": final.get("category"),
    }


def _draft_detail(draft: Draft, people: dict[int, Person]) -> dict[str, Any]:
    """One draft as drafted and as the reviewer left it, for the request's full record."""
    return {
        "id": draft.id,
        "kind": draft.kind,
        "label": label(draft),
        "source": draft.source,
        "model": draft.model,
        "prompt_version": draft.prompt_version,
        "content": draft.content,
        "note": draft.note,
        "status": draft.status,
        "final_content": draft.final_content,
        "reason": draft.reason,
        "decided_by": _person_label(people.get(draft.decided_by or 0)) or None,
        "decided_at": _iso(draft.decided_at),
        "created_at": _iso(draft.created_at),
    }


def _decision_fields(decision: Decision | None, people: dict[int, Person]) -> dict[str, Any]:
    """The decision the request waits for, or the one that was made: who, by when, what."""
    if decision is None:
        return dict.fromkeys(_DECISION_COLUMNS)
    return {
        "decision_owner": _person_label(people.get(decision.owner_id)) or None,
        "due_at": _iso(decision.due_at),
        "next_decision": decision.next_decision,
        "decision_outcome": decision.outcome,
        "review_type": decision.review_type,
        "decision_note": decision.note,
        "decided_by": _person_label(people.get(decision.decided_by or 0)) or None,
        "decided_at": _iso(decision.decided_at),
        "follow_up_answer": decision.follow_up_answer,
    }


def _clarifications_cell(rows: list[Any]) -> str | None:
    """Questions and answers in one export cell: "Q: … / A: …", one pair a line."""
    if not rows:
        return None
    return "\n".join(f"Q: {row.question} / A: {row.answer or '(not answered yet)'}" for row in rows)


def _latest_decisions(session: Session, request_ids: list[int]) -> dict[int, Decision]:
    if not request_ids:
        return {}
    rows = session.exec(
        select(Decision).where(col(Decision.request_id).in_(request_ids)).order_by(col(Decision.id))
    ).all()
    return {decision.request_id: decision for decision in rows}  # the newest wins


def _decision_people(decisions: Any) -> set[int]:
    return {
        person_id
        for d in decisions
        for person_id in (d.owner_id, d.decided_by)
        if person_id is not None
    }


def request_count(session: Session) -> int:
    """Every request, whatever its status: what a filtered list that came back empty left out."""
    return int(session.exec(select(func.count()).select_from(Request)).one())


def request_rows(
    session: Session, config: AppConfig, *, status: str | None = None
) -> list[dict[str, Any]]:
    """One flat row per request, oldest first, with the latest answer to every question."""
    requests = list(reversed(service.list_requests(session, status=status)))
    ids = [r.id for r in requests if r.id is not None]
    answers = service.latest_answers_for(session, request_ids=ids)
    drafts = (
        {
            draft.request_id: draft
            for draft in session.exec(
                select(Draft)
                .where(col(Draft.request_id).in_(ids), Draft.kind == "classification")
                .order_by(col(Draft.id))
            ).all()
        }
        if ids
        else {}
    )
    decisions = _latest_decisions(session, ids)
    asked = clarifications.of_requests(session, request_ids=ids)
    people = service.people_by_id(
        session,
        ids={
            *(r.requester_id for r in requests),
            *(d.decided_by for d in drafts.values() if d.decided_by),
            *_decision_people(decisions.values()),
        },
    )
    rows = []
    for request in requests:
        assert request.id is not None
        current = answers.get(request.id, {})
        row = _request_fields(request, people)
        for question in config.questions:
            answer = current.get(question.id)
            row[question.id] = None if answer is None or answer.skipped else answer.text
        note = current.get(ASSET_NOTE_ID)
        row["asset_idea"] = note.text if note else None
        row.update(_draft_fields(drafts.get(request.id), people))
        row.update(_decision_fields(decisions.get(request.id), people))
        row["clarifications"] = _clarifications_cell(asked.get(request.id, []))
        rows.append(row)
    return rows


def request_detail(session: Session, config: AppConfig, request: Request) -> dict[str, Any]:
    """Everything about one request: answers with their history, the drafts with their verdicts,
    the decision, questions to the requester and the audit trail."""
    assert request.id is not None
    history = service.answer_history(session, request_id=request.id)
    trail = service.audit_trail(session, request_id=request.id)
    decision = _latest_decisions(session, [request.id]).get(request.id)
    asked = clarifications.of_request(session, request_id=request.id)
    drafts = session.exec(
        select(Draft).where(Draft.request_id == request.id).order_by(col(Draft.id))
    ).all()
    people = service.people_by_id(
        session,
        ids={
            *(row.asked_by for row in asked),
            *(draft.decided_by for draft in drafts if draft.decided_by),
            *_decision_people([decision] if decision else []),
            request.requester_id,
            *(a.answered_by for a in history),
            *(e.actor_id for e in trail if e.actor_id is not None),
        },
    )
    by_question: dict[str, list[dict[str, Any]]] = {}
    for answer in history:
        by_question.setdefault(answer.question_id, []).append(
            {
                "version": answer.version,
                "text": answer.text,
                "skipped": answer.skipped,
                "answered_at": _iso(answer.answered_at),
                "answered_by": _person_label(people.get(answer.answered_by)),
            }
        )
    questions = [
        {
            "number": number,
            "id": question.id,
            "prompt": question.prompt,
            "versions": by_question.get(question.id, []),
        }
        for number, question in enumerate(config.questions, start=1)
    ]
    return {
        **_request_fields(request, people),
        "questions": questions,
        "asset_idea": [v["text"] for v in by_question.get(ASSET_NOTE_ID, [])],
        "drafts": [_draft_detail(draft, people) for draft in drafts],
        "decision": _decision_fields(decision, people) if decision else None,
        "clarifications": [
            {
                "question": row.question,
                "asked_by": _person_label(people.get(row.asked_by)),
                "asked_at": _iso(row.asked_at),
                "answer": row.answer,
                "answered_at": _iso(row.answered_at),
            }
            for row in asked
        ],
        "audit": [
            {
                "at": _iso(event.at),
                "actor": _person_label(people.get(event.actor_id or 0)),
                "action": event.action,
                "before": event.before,
                "after": event.after,
            }
            for event in trail
        ],
    }


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _safe_cell(row.get(key)) for key in columns})
    return buffer.getvalue()


def export_columns(config: AppConfig) -> list[str]:
    return [
        "reference",
        "id",
        "status",
        "requester",
        "platform",
        "title",
        "category",
        "created_at",
        "submitted_at",
        "updated_at",
        *(q.id for q in config.questions),
        "asset_idea",
        *_DRAFT_COLUMNS,
        *_DECISION_COLUMNS,
        "clarifications",
    ]


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value
