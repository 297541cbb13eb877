"""What the decision desk reads and never changes: a request's decisions, whether a form may
open, and the people a picker offers.

The desk (desk.py) builds on this with the operations that write; keeping the reads apart lets
a reader see at a glance which calls can change a decision.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from bot.config import AppConfig
from bot.conversation import copy
from bot.conversation.engine import Clock, utc_now
from bot.messages import PersonRef
from bot.reminders.nudges import outcome_label
from bot.storage.database import Database
from bot.storage.models import Decision, DecisionStatus, Person, Request
from bot.storage.people import find_person, ref_of


class DecisionReads:
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
            actor = find_person(session, ref=by)
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
            person = find_person(session, ref=ref)
        return ref_of(person) if person is not None else None

    def _already_made(self, session: Session, decision_id: int) -> str:
        decision = session.get(Decision, decision_id)
        request = session.get(Request, decision.request_id) if decision else None
        return copy.DECISION_ALREADY_MADE.format(
            reference=request.reference if request else decision_id,
            outcome=outcome_label(decision.outcome if decision else None),
        )
