"""Assigning the decision a reviewed request waits for, and recording it.

Assigning plans the owner's reminders as rows in the same transaction; recording the outcome
cancels the ones not yet sent. Both move the request's status and leave audit events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select

from bot.config import AppConfig
from bot.engine import Clock, utc_now
from bot.messages import PersonRef
from bot.reminders import plan_reminders, zone_of
from bot.storage import service
from bot.storage.database import Database
from bot.storage.models import (
    Decision,
    DecisionStatus,
    Reminder,
    ReminderStatus,
    Request,
    RequestStatus,
)

OUTCOMES = (
    "build_training",
    "fix_workflow",
    "update_documentation",
    "manager_support",
    "no_action",
    "other",
)


@dataclass(frozen=True)
class DecisionResult:
    ok: bool
    message: str
    decision_id: int | None = None


class DecisionDesk:
    def __init__(self, *, database: Database, config: AppConfig, clock: Clock = utc_now) -> None:
        self.database = database
        self.config = config
        self.clock = clock

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
            policy = self.config.reminders
            zone = zone_of(owner_row.time_zone, policy.default_time_zone)
            plan = plan_reminders(due=due, policy=policy, zone=zone)
            # due by the end of the owner's working day on the due date
            due_moment = datetime.combine(due, policy.working_hours.end, tzinfo=zone)
            decision = Decision(
                request_id=request_id,
                owner_id=owner_row.id or 0,
                next_decision=next_decision,
                review_type=review_type,
                due_at=due_moment,
                created_by=actor.id,
                created_at=now,
            )
            session.add(decision)
            session.flush()
            for sequence, (kind, moment) in enumerate(plan, start=1):
                session.add(
                    Reminder(
                        decision_id=decision.id or 0, sequence=sequence, kind=kind, due_at=moment
                    )
                )
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
                    "reminders": len(plan),
                },
                now=now,
            )
            name = owner.display_name or owner.user_id
            return DecisionResult(
                True, f"{request.reference}: decision assigned to {name}, due {due}.", decision.id
            )

    def record(
        self, *, decision_id: int, outcome: str, note: str | None, by: PersonRef
    ) -> DecisionResult:
        if outcome not in OUTCOMES:
            return DecisionResult(False, f"Outcome must be one of: {', '.join(OUTCOMES)}.")
        now = self.clock()
        with self.database.session() as session:
            decision = session.get(Decision, decision_id)
            if decision is None:
                return DecisionResult(False, f"There is no decision {decision_id}.")
            actor = service.upsert_person(session, ref=by, now=now)
            allowed = actor.id == decision.owner_id or by.user_id in (
                self.config.review.reviewer_ids(by.platform)
            )
            if not allowed:
                service.record_audit(
                    session,
                    actor_id=actor.id,
                    request_id=decision.request_id,
                    action="decision.refused",
                    after={"decision_id": decision_id},
                    now=now,
                )
                return DecisionResult(False, "Only the owner or a reviewer can record this.")
            won = session.execute(
                update(Decision)
                .where(
                    col(Decision.id) == decision_id,
                    col(Decision.status) == DecisionStatus.OPEN.value,
                )
                .values(
                    status=DecisionStatus.DECIDED.value,
                    outcome=outcome,
                    note=note,
                    decided_by=actor.id,
                    decided_at=now,
                )
            ).rowcount
            if won != 1:
                return DecisionResult(False, f"Decision {decision_id} was already recorded.")
            session.execute(
                update(Reminder)
                .where(
                    col(Reminder.decision_id) == decision_id,
                    col(Reminder.status).in_(
                        [ReminderStatus.PENDING.value, ReminderStatus.CLAIMED.value]
                    ),
                )
                .values(status=ReminderStatus.CANCELLED.value)
            )
            request = session.get(Request, decision.request_id)
            if request is not None:
                service.change_status(
                    session,
                    request=request,
                    status=RequestStatus.DECIDED,
                    actor_id=actor.id,
                    now=now,
                )
            service.record_audit(
                session,
                actor_id=actor.id,
                request_id=decision.request_id,
                action="decision.recorded",
                after={"decision_id": decision_id, "outcome": outcome, "note": note},
                now=now,
            )
        return DecisionResult(True, f"Decision {decision_id} recorded: {outcome}.", decision_id)

    def open_for(self, request_id: int) -> Decision | None:
        with self.database.session(write=False) as session:
            return session.exec(
                select(Decision).where(
                    Decision.request_id == request_id, Decision.status == DecisionStatus.OPEN.value
                )
            ).first()
