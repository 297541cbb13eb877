"""Decisions, written once for every channel: assign one from the review card, then record,
snooze or reassign it from a reminder, and answer the evidence check-in.

As with the review flow, a channel hands every decision action here with the inputs of its
form, if any, and draws what comes back. The decision desk (bot/decisions/desk.py) stores each
change and plans the reminders; this module decides what the forms ask, who may act, and reads
the answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from bot.conversation import copy as reminder_copy
from bot.conversation.engine import Clock, utc_now
from bot.decisions import copy
from bot.decisions.desk import DecisionDesk, DecisionResult
from bot.messages import (
    ActResult,
    Card,
    Choice,
    ChoiceField,
    DateField,
    Form,
    PersonField,
    PersonRef,
    TextField,
)
from bot.reminders.nudges import DecisionAction, parse_choice
from bot.review.reviewers import Reviewers

log = logging.getLogger(__name__)

ACTIONS = tuple(action.value for action in DecisionAction)
PICKS_FROM_KNOWN_PEOPLE = ("teams",)
"""Platforms whose forms can only list people the bot has met (no people search)."""


class DecisionFlow:
    def __init__(
        self,
        *,
        desk: DecisionDesk,
        reviewers: Reviewers,
        review_types: tuple[str, ...],
        review_card: Callable[[int], Card | None] = lambda request_id: None,
        clock: Clock = utc_now,
        kick: Callable[[], None] = lambda: None,
    ) -> None:
        self.desk = desk
        self.reviewers = reviewers
        self.review_types = review_types
        self.review_card = review_card
        """The request's review card, redrawn after a decision is assigned from it."""
        self.clock = clock
        self.kick = kick
        """Sweep soon: a notice was just written (the new owner, the requester)."""

    def act(
        self,
        person: PersonRef,
        action_id: str,
        value: str,
        inputs: Mapping[str, str] | None = None,
    ) -> ActResult:
        parsed = parse_choice(value)
        if action_id not in ACTIONS or parsed is None:
            log.warning("refused decision action %r %r from %s", action_id, value, person.user_id)
            return ActResult(False, copy.UNKNOWN_BUTTON)
        number, choice = parsed
        if action_id == DecisionAction.ASSIGN:
            return self._assign(person, number, inputs)
        if action_id == DecisionAction.SNOOZE:
            return self._done(self.desk.snooze(decision_id=number, choice=choice, by=person))
        if action_id == DecisionAction.FOLLOW_UP:
            note = ((inputs or {}).get("note") or "").strip() or None
            return self._done(
                self.desk.answer_follow_up(decision_id=number, answer=choice, note=note, by=person)
            )
        found = self.desk.form_for(decision_id=number, by=person)
        if isinstance(found, str):
            return ActResult(False, found)
        decision, reference = found
        if action_id == DecisionAction.RECORD:
            if inputs is None:
                return ActResult(True, form=record_form(number, reference, decision.next_decision))
            outcome = (inputs.get("outcome") or "").strip()
            if not outcome:
                return ActResult(
                    False, copy.PICK_AN_OUTCOME, errors={"outcome": copy.PICK_AN_OUTCOME}
                )
            note = (inputs.get("note") or "").strip() or None
            return self._done(
                self.desk.record(decision_id=number, outcome=outcome, note=note, by=person)
            )
        if inputs is None:
            people = self._people(person)
            return ActResult(True, form=reassign_form(number, reference, people))
        owner = self._picked(person, inputs)
        if owner is None:
            return ActResult(False, copy.PICK_AN_OWNER, errors={"owner": copy.PICK_AN_OWNER})
        return self._done(self.desk.reassign(decision_id=number, owner=owner, by=person))

    def _assign(
        self, person: PersonRef, request_id: int, inputs: Mapping[str, str] | None
    ) -> ActResult:
        if not self.reviewers(person):
            return ActResult(False, copy.NOT_A_REVIEWER)
        if inputs is None:
            card = self.review_card(request_id)
            reference = card.title.removeprefix("Review ") if card else f"TR-{request_id:04d}"
            form = assign_form(request_id, reference, self.review_types, self._people(person))
            return ActResult(True, form=form)
        errors: dict[str, str] = {}
        owner = self._picked(person, inputs)
        if owner is None:
            errors["owner"] = copy.PICK_AN_OWNER
        due = _date(inputs.get("due"))
        today = self.clock().date()
        if due is None:
            errors["due"] = copy.PICK_A_DATE
        elif due < today:
            errors["due"] = copy.DATE_IN_THE_PAST.format(due=due.isoformat())
        next_decision = (inputs.get("next") or "").strip()
        if not next_decision:
            errors["next"] = copy.NEXT_NEEDED
        if errors or owner is None or due is None:
            return ActResult(False, next(iter(errors.values())), errors=errors)
        result = self.desk.assign(
            request_id=request_id,
            owner=owner,
            due=due,
            next_decision=next_decision,
            review_type=(inputs.get("review_type") or "").strip(),
            by=person,
        )
        done = self._done(result)
        return replace(done, card=self.review_card(request_id)) if result.ok else done

    def _people(self, person: PersonRef) -> tuple[Choice, ...]:
        """Whom a picker lists where the platform has no people search: the people of the
        actor's own tenant or workspace that the bot has met."""
        if person.platform not in PICKS_FROM_KNOWN_PEOPLE:
            return ()
        known = self.desk.people_on(person.platform, workspace_id=person.workspace_id)
        return tuple(Choice(user_id, name) for user_id, name in known)

    def _picked(
        self, actor: PersonRef, inputs: Mapping[str, str], field: str = "owner"
    ) -> PersonRef | None:
        """The person a form picked, on the actor's platform. A channel may add what it knows
        of them (``owner.name``, ``owner.time_zone``); a platform without a people search can
        only pick people the bot has met, so anyone else is refused there."""
        user_id = (inputs.get(field) or "").strip()
        if not user_id or len(user_id) > 200:
            return None
        known = self.desk.known_person(actor.platform, actor.workspace_id, user_id)
        name = (inputs.get(f"{field}.name") or "").strip()
        zone = (inputs.get(f"{field}.time_zone") or "").strip() or None
        if known is not None:
            return replace(
                known, display_name=name or known.display_name, time_zone=zone or known.time_zone
            )
        if actor.platform in PICKS_FROM_KNOWN_PEOPLE:
            return None
        return PersonRef(
            platform=actor.platform,
            user_id=user_id,
            workspace_id=actor.workspace_id,
            display_name=name,
            time_zone=zone,
        )

    def _done(self, result: DecisionResult) -> ActResult:
        if result.ok:
            self.kick()
        return ActResult(result.ok, result.message)


def assign_form(
    request_id: int, reference: str, review_types: tuple[str, ...], people: tuple[Choice, ...]
) -> Form:
    types = tuple(Choice(t, t.replace("_", " ")) for t in review_types)
    return Form(
        DecisionAction.ASSIGN.value,
        str(request_id),
        copy.FORM_ASSIGN_TITLE,
        copy.FORM_ASSIGN_SUBMIT,
        (
            PersonField("owner", copy.LABEL_OWNER, people),
            DateField("due", copy.LABEL_DUE),
            TextField("next", copy.LABEL_NEXT),
            ChoiceField("review_type", copy.LABEL_REVIEW_TYPE, types),
        ),
        intro=copy.FORM_ASSIGN_INTRO.format(reference=reference),
    )


def record_form(decision_id: int, reference: str, next_decision: str) -> Form:
    outcomes = tuple(Choice(k, label) for k, label in reminder_copy.OUTCOME_LABELS.items())
    return Form(
        DecisionAction.RECORD.value,
        str(decision_id),
        copy.FORM_RECORD_TITLE,
        copy.FORM_RECORD_SUBMIT,
        (
            ChoiceField("outcome", copy.LABEL_OUTCOME, outcomes),
            TextField("note", copy.LABEL_NOTE, required=False),
        ),
        intro=f"{reference}: {next_decision}",
    )


def reassign_form(decision_id: int, reference: str, people: tuple[Choice, ...]) -> Form:
    return Form(
        DecisionAction.REASSIGN.value,
        str(decision_id),
        copy.FORM_REASSIGN_TITLE,
        copy.FORM_REASSIGN_SUBMIT,
        (PersonField("owner", copy.LABEL_NEW_OWNER, people),),
        intro=copy.FORM_REASSIGN_INTRO.format(reference=reference),
    )


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
