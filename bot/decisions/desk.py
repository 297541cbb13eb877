"""Decisions: assigning the one a reviewed request waits for, and everything its owner can do.

Assigning plans the owner's reminders as rows in the same transaction, with a notice telling the
owner at once; snoozing and reassigning re-plan them; recording the outcome cancels the rest,
tells the requester (in Slack or Teams by a notice row; in the terminal at their next chat, see
told.py), and, when the evidence answer named a date, plans a check-in then. Only the owner or
a reviewer may act; a button pressed after the decision changes nothing and says so.
The reads are in reads.py and the reminder rows are written by reminder_rows.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.conversation import copy
from bot.decisions import copy as decision_copy
from bot.decisions.reads import DecisionReads
from bot.decisions.reminder_rows import (
    add_reminder,
    calendar_of,
    cancel_nudges,
    plan_follow_up,
    plan_nudges,
)
from bot.messages import PersonRef
from bot.reminders.sweep import CHAT_PLATFORMS, Kind
from bot.reminders.working_time import SNOOZE_CHOICES, WorkingCalendar
from bot.storage import service
from bot.storage.database import rows_changed
from bot.storage.models import (
    Decision,
    DecisionStatus,
    Person,
    Reminder,
    ReminderStatus,
    Request,
    RequestStatus,
)
from bot.storage.people import upsert_person

OUTCOMES = tuple(copy.OUTCOME_LABELS)
FOLLOW_UP_ANSWERS = tuple(copy.FOLLOW_UP_ANSWERS)


@dataclass(frozen=True)
class DecisionResult:
    ok: bool
    message: str
    decision_id: int | None = None


class DecisionDesk(DecisionReads):
    """The operations that change a decision; what only reads it is in DecisionReads."""

    # -- reviewers ----------------------------------------------------------------------------

    def assign(
        self,
        *,
        request_id: int,
        owner: PersonRef,
        due: date,
        next_decision: str,
        review_type: str,
        by: PersonRef,
    ) -> DecisionResult:
        if not self.is_reviewer(by):
            return DecisionResult(False, "Only L&D reviewers can assign decisions.")
        if review_type not in self.config.review.types:
            types = ", ".join(self.config.review.types)
            return DecisionResult(False, f"Review type must be one of: {types}.")
        if not next_decision.strip():
            return DecisionResult(False, "Say which decision is needed next.")
        now = self.clock()
        with self.database.session() as session:
            request = session.get(Request, request_id)
            if request is None:
                return DecisionResult(False, f"There is no request {request_id}.")
            if request.status not in (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW):
                return DecisionResult(
                    False, f"{request.reference} is {request.status}; it cannot take a decision."
                )
            owner_row = upsert_person(session, ref=owner, now=now)
            actor = upsert_person(session, ref=by, now=now)
            calendar = self._calendar(owner_row)
            decision = Decision(
                request_id=request_id,
                owner_id=owner_row.id or 0,
                next_decision=next_decision,
                review_type=review_type,
                due_at=calendar.end_of(due),  # due by the end of the owner's working day
                created_by=actor.id,
                created_at=now,
            )
            session.add(decision)
            session.flush()
            add_reminder(session, decision, Kind.ASSIGNED, now, recipient_id=owner_row.id)
            planned = plan_nudges(session, decision, calendar, due, after=now)
            service.change_status(
                session,
                request=request,
                status=RequestStatus.AWAITING_DECISION,
                actor_id=actor.id,
                now=now,
            )
            service.record_audit(
                session,
                actor_id=actor.id,
                request_id=request_id,
                action="decision.assigned",
                after={
                    "decision_id": decision.id,
                    "owner": owner.user_id,
                    "due": due.isoformat(),
                    "next_decision": next_decision,
                    "review_type": review_type,
                    "reminders": planned,
                },
                now=now,
            )
            name = owner.display_name or owner.user_id
            return DecisionResult(
                True, f"{request.reference}: decision assigned to {name}, due {due}.", decision.id
            )

    # -- owners (or reviewers for them) --------------------------------------------------------

    def record(
        self, *, decision_id: int, outcome: str, note: str | None, by: PersonRef
    ) -> DecisionResult:
        if outcome not in OUTCOMES:
            return DecisionResult(False, f"Outcome must be one of: {', '.join(OUTCOMES)}.")
        now = self.clock()
        with self.database.session() as session:
            found = self._open_decision(session, decision_id, by, now, "decision.refused")
            if isinstance(found, DecisionResult):
                return found
            decision, actor, request = found
            won = rows_changed(
                session.execute(
                    update(Decision)
                    .where(
                        col(Decision.id) == decision_id,
                        col(Decision.status) == DecisionStatus.OPEN,
                    )
                    .values(
                        status=DecisionStatus.DECIDED,
                        outcome=outcome,
                        note=note,
                        decided_by=actor.id,
                        decided_at=now,
                    )
                )
            )
            if won != 1:
                return DecisionResult(False, self._already_made(session, decision_id))
            cancel_nudges(session, decision_id)
            session.refresh(decision)
            if request.platform in CHAT_PLATFORMS:  # a terminal requester hears at their next chat
                add_reminder(
                    session, decision, Kind.OUTCOME, now, recipient_id=request.requester_id
                )
            follow_up = plan_follow_up(session, decision, request, self.config.reminders, now)
            service.change_status(
                session, request=request, status=RequestStatus.DECIDED, actor_id=actor.id, now=now
            )
            service.record_audit(
                session,
                actor_id=actor.id,
                request_id=decision.request_id,
                action="decision.recorded",
                after={
                    "decision_id": decision_id,
                    "outcome": outcome,
                    "note": note,
                    "follow_up": follow_up.isoformat() if follow_up else None,
                },
                now=now,
            )
            message = f"Decision {decision_id} recorded: {outcome}."
            if follow_up:
                message += f" I'll check in on the evidence on {follow_up:%Y-%m-%d}."
        return DecisionResult(True, message, decision_id)

    def snooze(self, *, decision_id: int, choice: str, by: PersonRef) -> DecisionResult:
        """Nothing until the snooze ends, then one nudge (as strong as any it skipped)."""
        if choice not in SNOOZE_CHOICES:
            return DecisionResult(False, copy.UNKNOWN_ACTION)
        now = self.clock()
        with self.database.session() as session:
            found = self._open_decision(session, decision_id, by, now, "decision.refused")
            if isinstance(found, DecisionResult):
                return found
            decision, actor, request = found
            owner = session.get(Person, decision.owner_id)
            until = self._calendar(owner).snooze_until(choice, now)
            skipped = session.exec(
                select(Reminder).where(
                    Reminder.decision_id == decision_id,
                    Reminder.status == ReminderStatus.PENDING,
                    col(Reminder.due_at) < until,
                    col(Reminder.recipient_id).is_(None),
                )
            ).all()
            kinds = {r.kind for r in skipped}
            for reminder in skipped:
                reminder.status = ReminderStatus.CANCELLED
                session.add(reminder)
            kind = Kind.ESCALATION if Kind.ESCALATION in kinds else Kind.SNOOZED
            if kind is Kind.SNOOZED and until > decision.due_at:
                kind = Kind.OVERDUE
            add_reminder(session, decision, kind, until)
            decision.snoozed_until = until
            session.add(decision)
            service.record_audit(
                session,
                actor_id=actor.id,
                request_id=decision.request_id,
                action="decision.snoozed",
                after={"decision_id": decision_id, "until": until.isoformat(), "choice": choice},
                now=now,
            )
            shown = until.astimezone(self._calendar(owner).zone).strftime("%a %d %b, %H:%M")
            return DecisionResult(
                True,
                copy.DECISION_SNOOZED.format(reference=request.reference, until=shown),
                decision_id,
            )

    def reassign(self, *, decision_id: int, owner: PersonRef, by: PersonRef) -> DecisionResult:
        """A new owner, told at once, with the reminders still ahead planned in their calendar."""
        now = self.clock()
        with self.database.session() as session:
            found = self._open_decision(session, decision_id, by, now, "decision.refused")
            if isinstance(found, DecisionResult):
                return found
            decision, actor, request = found
            new_owner = upsert_person(session, ref=owner, now=now)
            before = decision.owner_id
            if new_owner.id == before:
                return DecisionResult(
                    False, f"{owner.display_name or owner.user_id} owns it already."
                )
            cancel_nudges(session, decision_id)
            calendar = self._calendar(new_owner)
            due = self._calendar(session.get(Person, before)).local_day(decision.due_at)
            decision.owner_id = new_owner.id or 0
            decision.due_at = calendar.end_of(due)
            decision.snoozed_until = None
            session.add(decision)
            session.flush()
            add_reminder(session, decision, Kind.ASSIGNED, now, recipient_id=new_owner.id)
            plan_nudges(session, decision, calendar, due, after=now)
            service.record_audit(
                session,
                actor_id=actor.id,
                request_id=decision.request_id,
                action="decision.reassigned",
                before={"owner_id": before},
                after={"decision_id": decision_id, "owner": owner.user_id},
                now=now,
            )
            name = owner.display_name or owner.user_id
            return DecisionResult(
                True,
                copy.DECISION_REASSIGNED.format(
                    reference=request.reference, owner=name, due=f"{due:%Y-%m-%d}"
                ),
                decision_id,
            )

    def answer_follow_up(
        self, *, decision_id: int, answer: str, note: str | None, by: PersonRef
    ) -> DecisionResult:
        """Did the evidence move? Stored on the decision, once, by the owner or a reviewer."""
        if answer not in FOLLOW_UP_ANSWERS:
            return DecisionResult(False, copy.UNKNOWN_ACTION)
        now = self.clock()
        with self.database.session() as session:
            decision = session.get(Decision, decision_id)
            request = session.get(Request, decision.request_id) if decision else None
            if decision is None or request is None:
                return DecisionResult(False, copy.UNKNOWN_ACTION)
            if decision.follow_up_at is None:
                nothing = (
                    decision_copy.NO_CHECK_IN_YET
                    if decision.status == DecisionStatus.OPEN
                    else decision_copy.NO_CHECK_IN
                )
                return DecisionResult(False, nothing.format(reference=request.reference))
            actor = upsert_person(session, ref=by, now=now)
            if actor.id != decision.owner_id and not self.is_reviewer(by):
                return self._refuse(session, decision, actor, now, "follow_up.refused")
            label = copy.FOLLOW_UP_ANSWERS[answer]
            won = rows_changed(
                session.execute(
                    update(Decision)
                    .where(
                        col(Decision.id) == decision_id, col(Decision.follow_up_answer).is_(None)
                    )
                    .values(
                        follow_up_answer=answer,
                        follow_up_note=note,
                        follow_up_by=actor.id,
                        follow_up_answered_at=now,
                    )
                )
            )
            if won != 1:
                session.refresh(decision)
                previous = copy.FOLLOW_UP_ANSWERS.get(decision.follow_up_answer or "", "")
                return DecisionResult(
                    False,
                    copy.FOLLOW_UP_ALREADY.format(reference=request.reference, answer=previous),
                )
            service.record_audit(
                session,
                actor_id=actor.id,
                request_id=request.id,
                action="follow_up.answered",
                after={"decision_id": decision_id, "answer": answer, "note": note},
                now=now,
            )
            return DecisionResult(
                True,
                copy.FOLLOW_UP_THANKS.format(answer=label, reference=request.reference),
                decision_id,
            )

    def _calendar(self, person: Person | None) -> WorkingCalendar:
        return calendar_of(self.config.reminders, person)

    def _open_decision(
        self, session: Session, decision_id: int, by: PersonRef, now: datetime, refusal: str
    ) -> tuple[Decision, Person, Request] | DecisionResult:
        decision = session.get(Decision, decision_id)
        request = session.get(Request, decision.request_id) if decision else None
        if decision is None or request is None:
            return DecisionResult(False, f"There is no decision {decision_id}.")
        actor = upsert_person(session, ref=by, now=now)
        if actor.id != decision.owner_id and not self.is_reviewer(by):
            return self._refuse(session, decision, actor, now, refusal)
        if decision.status != DecisionStatus.OPEN:
            return DecisionResult(False, self._already_made(session, decision_id))
        return decision, actor, request

    def _refuse(
        self, session: Session, decision: Decision, actor: Person, now: datetime, action: str
    ) -> DecisionResult:
        service.record_audit(
            session,
            actor_id=actor.id,
            request_id=decision.request_id,
            action=action,
            after={"decision_id": decision.id},
            now=now,
        )
        return DecisionResult(False, copy.DECISION_NOT_YOURS)
