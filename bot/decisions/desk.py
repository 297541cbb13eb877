"""Decisions: assigning the one a reviewed request waits for, and everything its owner can do.

Assigning plans the owner's reminders as rows in the same transaction, with a notice telling the
owner at once; snoozing and reassigning re-plan them; recording the outcome cancels the rest,
tells the requester, and, when the evidence answer named a date, plans a check-in then. Only the
owner or a reviewer may act; a button pressed after the decision changes nothing and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.config import AppConfig
from bot.conversation import copy
from bot.conversation.engine import Clock, utc_now
from bot.decisions.evidence_date import named_date
from bot.messages import PersonRef
from bot.reminders.nudges import outcome_label
from bot.reminders.sweep import Kind, is_nudge
from bot.reminders.working_time import SNOOZE_CHOICES, WorkingCalendar, plan_reminders, zone_of
from bot.storage import service
from bot.storage.database import Database, rows_changed
from bot.storage.models import (
    Decision,
    DecisionStatus,
    Person,
    Reminder,
    ReminderStatus,
    Request,
    RequestStatus,
)

OUTCOMES = tuple(copy.OUTCOME_LABELS)
FOLLOW_UP_ANSWERS = tuple(copy.FOLLOW_UP_ANSWERS)


@dataclass(frozen=True)
class DecisionResult:
    ok: bool
    message: str
    decision_id: int | None = None


class DecisionDesk:
    def __init__(
        self,
        *,
        database: Database,
        config: AppConfig,
        clock: Clock = utc_now,
        is_reviewer: Callable[[PersonRef], bool] | None = None,
    ) -> None:
        self.database = database
        self.config = config
        self.clock = clock
        self.is_reviewer = is_reviewer or (
            lambda person: person.user_id in config.review.reviewer_ids(person.platform)
        )

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
            owner_row = service.upsert_person(session, ref=owner, now=now)
            actor = service.upsert_person(session, ref=by, now=now)
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
            _add_reminder(session, decision, Kind.ASSIGNED, now, recipient_id=owner_row.id)
            planned = self._plan(session, decision, owner_row, due, after=now)
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
            _cancel_nudges(session, decision_id)
            session.refresh(decision)
            _add_reminder(session, decision, Kind.OUTCOME, now, recipient_id=request.requester_id)
            follow_up = self._plan_follow_up(session, decision, request, now)
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
            _add_reminder(session, decision, kind, until)
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
            new_owner = service.upsert_person(session, ref=owner, now=now)
            before = decision.owner_id
            if new_owner.id == before:
                return DecisionResult(
                    False, f"{owner.display_name or owner.user_id} owns it already."
                )
            _cancel_nudges(session, decision_id)
            calendar = self._calendar(new_owner)
            due = self._calendar(session.get(Person, before)).local_day(decision.due_at)
            decision.owner_id = new_owner.id or 0
            decision.due_at = calendar.end_of(due)
            decision.snoozed_until = None
            session.add(decision)
            session.flush()
            _add_reminder(session, decision, Kind.ASSIGNED, now, recipient_id=new_owner.id)
            self._plan(session, decision, new_owner, due, after=now)
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
            if decision is None or request is None or decision.follow_up_at is None:
                return DecisionResult(False, copy.UNKNOWN_ACTION)
            actor = service.upsert_person(session, ref=by, now=now)
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

    def open_for(self, request_id: int) -> Decision | None:
        with self.database.session(write=False) as session:
            return session.exec(
                select(Decision).where(
                    Decision.request_id == request_id, Decision.status == DecisionStatus.OPEN
                )
            ).first()

    def latest_for(self, request_id: int) -> Decision | None:
        """The newest decision on a request, open or made (check-ins come after it is made)."""
        with self.database.session(write=False) as session:
            return session.exec(
                select(Decision)
                .where(Decision.request_id == request_id)
                .order_by(col(Decision.id).desc())
            ).first()

    def form_for(self, *, decision_id: int, by: PersonRef) -> tuple[Decision, str] | str:
        """The open decision and its reference, for a form only its owner or a reviewer may
        open; otherwise why not (nothing is written, the submission is checked again)."""
        with self.database.session(write=False) as session:
            decision = session.get(Decision, decision_id)
            request = session.get(Request, decision.request_id) if decision else None
            if decision is None or request is None:
                return copy.UNKNOWN_ACTION
            actor = service.find_person(session, ref=by)
            mine = actor is not None and actor.id == decision.owner_id
            if not mine and not self.is_reviewer(by):
                return copy.DECISION_NOT_YOURS
            if decision.status != DecisionStatus.OPEN:
                return self._already_made(session, decision_id)
            return decision, request.reference

    def people_on(
        self, platform: str, *, workspace_id: str | None = None, limit: int = 100
    ) -> list[tuple[str, str]]:
        """(platform user id, name) of the people the bot knows on a platform, in one tenant or
        workspace if given, for pickers the platform cannot fill itself (a Teams card has no
        people search in Adaptive Cards 1.5)."""
        query = select(Person).where(Person.platform == platform)
        if workspace_id is not None:
            query = query.where(Person.workspace_id == workspace_id)
        with self.database.session(write=False) as session:
            people = session.exec(query.order_by(col(Person.display_name)).limit(limit)).all()
        return [(p.platform_user_id, p.display_name or p.platform_user_id) for p in people]

    def known_person(self, platform: str, workspace_id: str, user_id: str) -> PersonRef | None:
        """Someone the bot has met, with the name and time zone it knows them by."""
        ref = PersonRef(platform=platform, user_id=user_id, workspace_id=workspace_id)
        with self.database.session(write=False) as session:
            person = service.find_person(session, ref=ref)
        if person is None:
            return None
        return PersonRef(
            platform=person.platform,
            user_id=person.platform_user_id,
            workspace_id=person.workspace_id,
            display_name=person.display_name,
            time_zone=person.time_zone,
        )

    def _calendar(self, person: Person | None) -> WorkingCalendar:
        policy = self.config.reminders
        zone = zone_of(person.time_zone if person else None, policy.default_time_zone)
        return WorkingCalendar(policy, zone)

    def _plan(
        self, session: Session, decision: Decision, owner: Person, due: date, *, after: datetime
    ) -> int:
        planned = [
            (kind, moment)
            for kind, moment in plan_reminders(
                due=due, policy=self.config.reminders, zone=self._calendar(owner).zone
            )
            if moment > after
        ]
        if not planned:  # assigned when even the escalation day had passed: escalate next
            calendar = self._calendar(owner)
            step = self.config.reminders.overdue_every_working_days
            next_day = calendar.add_working_days(calendar.local_day(after), step)
            planned = [(Kind.ESCALATION.value, calendar.start_of(next_day))]
        for kind, moment in planned:
            _add_reminder(session, decision, Kind(kind), moment)
        return len(planned)

    def _plan_follow_up(
        self, session: Session, decision: Decision, request: Request, now: datetime
    ) -> date | None:
        question = self.config.reminders.follow_up_question
        answer = service.latest_answers(session, request_id=request.id or 0).get(question)
        if answer is None or answer.skipped:
            return None
        owner = session.get(Person, decision.owner_id)
        calendar = self._calendar(owner)
        day = named_date(answer.text, today=calendar.local_day(now))
        if day is None:
            return None
        moment = calendar.within_hours(max(calendar.start_of(calendar.on_or_after(day)), now))
        decision.follow_up_at = moment
        decision.follow_up_evidence = answer.text
        session.add(decision)
        _add_reminder(session, decision, Kind.FOLLOW_UP, moment, recipient_id=decision.owner_id)
        return calendar.local_day(moment)

    def _open_decision(
        self, session: Session, decision_id: int, by: PersonRef, now: datetime, refusal: str
    ) -> tuple[Decision, Person, Request] | DecisionResult:
        decision = session.get(Decision, decision_id)
        request = session.get(Request, decision.request_id) if decision else None
        if decision is None or request is None:
            return DecisionResult(False, f"There is no decision {decision_id}.")
        actor = service.upsert_person(session, ref=by, now=now)
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

    def _already_made(self, session: Session, decision_id: int) -> str:
        decision = session.get(Decision, decision_id)
        request = session.get(Request, decision.request_id) if decision else None
        return copy.DECISION_ALREADY_MADE.format(
            reference=request.reference if request else decision_id,
            outcome=outcome_label(decision.outcome if decision else None),
        )


def _add_reminder(
    session: Session,
    decision: Decision,
    kind: Kind,
    moment: datetime,
    *,
    recipient_id: int | None = None,
) -> None:
    """The next row for this decision; (decision, sequence) is unique, so two writers racing
    for the same number fail rather than both succeed."""
    last = session.exec(
        select(func.max(Reminder.sequence)).where(Reminder.decision_id == decision.id)
    ).one()
    session.add(
        Reminder(
            decision_id=decision.id or 0,
            sequence=(last or 0) + 1,
            kind=kind.value,
            due_at=moment,
            recipient_id=recipient_id,
        )
    )
    session.flush()


def _cancel_nudges(session: Session, decision_id: int) -> None:
    """The owner's reminders still ahead (notices to other people stay)."""
    session.execute(
        update(Reminder)
        .where(
            col(Reminder.decision_id) == decision_id,
            col(Reminder.status).in_([ReminderStatus.PENDING, ReminderStatus.CLAIMED]),
            col(Reminder.kind).in_([k.value for k in Kind if is_nudge(k)]),
        )
        .values(status=ReminderStatus.CANCELLED)
    )
