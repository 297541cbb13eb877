"""What a nudge or notice says, and its buttons, written once for every platform.

Buttons carry the decision id only (and the choice, for snoozes and check-ins); whoever presses
one is checked again by the decision desk.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.conversation import copy
from bot.messages import Button, ButtonStyle, Outbound
from bot.reminders.sweep import Kind, Nudge
from bot.review import copy as review_copy
from bot.review.forms import ANSWER, answer_form


class DecisionAction(StrEnum):
    RECORD = "decision-reminder-record"
    SNOOZE = "decision-reminder-snooze"
    REASSIGN = "decision-reminder-reassign"
    FOLLOW_UP = "decision-followup-answer"
    ASSIGN = "review-decision-assign"


def outcome_label(outcome: str | None) -> str:
    return copy.OUTCOME_LABELS.get(outcome or "", outcome or "unknown")


def _due(nudge: Nudge) -> str:
    return nudge.due_at.strftime("%Y-%m-%d")


def decision_buttons(decision_id: int) -> tuple[Button, ...]:
    value = str(decision_id)
    return (
        Button(copy.BUTTON_RECORD_DECISION, DecisionAction.RECORD, value, ButtonStyle.PRIMARY),
        Button(copy.BUTTON_SNOOZE_HOUR, DecisionAction.SNOOZE, f"{value}:hour"),
        Button(copy.BUTTON_SNOOZE_TOMORROW, DecisionAction.SNOOZE, f"{value}:tomorrow"),
        Button(copy.BUTTON_SNOOZE_WEEK, DecisionAction.SNOOZE, f"{value}:week"),
        Button(copy.BUTTON_REASSIGN, DecisionAction.REASSIGN, value),
    )


def nudge_text(nudge: Nudge) -> str:
    fields = {
        "reference": nudge.reference,
        "next_decision": nudge.next_decision,
        "due": _due(nudge),
    }
    match nudge.kind:
        case Kind.ASSIGNED:
            return copy.ASSIGNED.format(**fields)
        case Kind.OVERDUE:
            return copy.OVERDUE.format(**fields)
        case Kind.ESCALATION:
            return copy.ESCALATION.format(**fields)
        case Kind.SNOOZED:
            return copy.SNOOZE_ENDED.format(**fields)
        case Kind.OUTCOME:
            return outcome_text(
                reference=nudge.reference,
                decided=nudge.next_decision,
                outcome=nudge.outcome,
                note=nudge.note,
                by=nudge.decided_by or nudge.owner,
                at=nudge.decided_at or nudge.due_at,
                owner=nudge.owner,
                follow_up_at=nudge.follow_up_at,
            )
        case Kind.REVIEWED:
            return copy.REVIEWED.format(reference=nudge.reference)
        case Kind.QUESTION:
            return review_copy.QUESTION_FOR_YOU.format(
                reference=nudge.reference, question=nudge.question or ""
            )
        case Kind.FOLLOW_UP:
            return copy.FOLLOW_UP.format(
                reference=nudge.reference,
                outcome=outcome_label(nudge.outcome),
                evidence=nudge.follow_up_evidence or "(not given)",
            )
        case _:
            return copy.REMINDER.format(**fields)


def outcome_text(
    *,
    reference: str,
    decided: str,
    outcome: str | None,
    note: str | None,
    by: str,
    at: datetime,
    owner: str,
    follow_up_at: datetime | None,
) -> str:
    """What a requester is told of the decision, wherever they hear it (a sweep's message in
    Slack or Teams, their next terminal chat): what was decided, by whom and when, what next."""
    parts = [
        copy.OUTCOME.format(
            reference=reference,
            decided=decided,
            outcome=outcome_label(outcome),
            by=by,
            day=at.strftime("%Y-%m-%d"),
        )
    ]
    if note:
        parts.append(copy.OUTCOME_NOTE.format(note=note))
    if follow_up_at is not None:
        parts.append(
            copy.OUTCOME_NEXT_CHECK_IN.format(day=follow_up_at.strftime("%Y-%m-%d"), owner=owner)
        )
    else:
        parts.append(copy.OUTCOME_NEXT_NOTHING)
    return " ".join(parts)


def nudge_message(nudge: Nudge) -> Outbound:
    if nudge.kind in (Kind.OUTCOME, Kind.REVIEWED):
        return Outbound(nudge_text(nudge))
    if nudge.kind == Kind.QUESTION:
        asked = nudge.clarification_id or 0
        form = answer_form(asked, nudge.question or "", nudge.reference)
        answer = Button(review_copy.BUTTON_ANSWER, ANSWER, str(asked), ButtonStyle.PRIMARY, form)
        return Outbound(nudge_text(nudge), buttons=(answer,))
    if nudge.kind == Kind.FOLLOW_UP:
        buttons = tuple(
            Button(label, DecisionAction.FOLLOW_UP, f"{nudge.decision_id}:{answer}")
            for answer, label in copy.FOLLOW_UP_ANSWERS.items()
        )
        return Outbound(nudge_text(nudge), buttons=buttons)
    return Outbound(nudge_text(nudge), buttons=decision_buttons(nudge.decision_id))


def nudge_messages(nudges: list[Nudge]) -> list[Outbound]:
    """One message for one person: a single nudge, or a digest of several."""
    messages = [nudge_message(n) for n in nudges]
    if len(messages) > 1:
        messages.insert(0, Outbound(copy.DIGEST.format(count=len(messages))))
    return messages


def escalation_text(nudge: Nudge, problem: str | None) -> str:
    """What the reviewers read: an overdue decision, or a person the bot cannot reach."""
    fields = {
        "reference": nudge.reference,
        "next_decision": nudge.next_decision,
        "owner": nudge.owner,
        "due": _due(nudge),
    }
    if problem:
        return copy.UNREACHABLE_OWNER.format(problem=problem, **fields)
    return copy.ESCALATED_TO_REVIEWERS.format(**fields)


def parse_choice(value: str) -> tuple[int, str] | None:
    """'12:hour' → (12, 'hour'); '12' → (12, ''); anything else (tampered) → None."""
    number, _, choice = value.partition(":")
    if not number.isdigit() or len(number) > 9:
        return None
    return int(number), choice
