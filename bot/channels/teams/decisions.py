"""Decisions in Teams: reminder cards with Record / Snooze / Reassign, the reviewer's Assign
form, and the sender the reminder sweep uses to reach Teams owners.

A button that needs more (an outcome, a person, a date) answers with a form card in place of
the reminder; its own button carries the same action id, and the inputs arrive with it. The
decision desk re-checks who acts, so a stranger, a stale card or tampered data changes nothing.
Adaptive Cards 1.5 have no people search, so pickers list the people the bot knows in Teams
(anyone who has chatted with it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.assist.service import Assistant
from bot.channels.teams import cards
from bot.config import AppConfig
from bot.flows import copy
from bot.flows.decisions import DecisionDesk, DecisionResult
from bot.flows.nudges import DecisionAction, escalation_text, nudge_messages, parse_choice
from bot.messages import Button, ButtonStyle, Outbound, PersonRef
from bot.reminders import Nudge, Undeliverable

if TYPE_CHECKING:
    from bot.channels.teams.bot import TeamsBot

log = logging.getLogger(__name__)

PLATFORM = "teams"
UNREACHABLE_STATUSES = {403, 404}
"""The Bot Connector's answer for a user who blocked or removed the bot, or left the tenant."""
NOT_A_REVIEWER = "Only L&D reviewers can assign decisions."
# the answer to an action: a card to put in place of the one pressed, or None, and a message
Answer = tuple[dict[str, Any] | None, str]


def _card(body: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }


def _choices(input_id: str, label: str, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "isRequired": True,
        "errorMessage": f"Choose {label.lower()}.",
        "choices": [{"title": title, "value": value} for value, title in pairs],
    }


def _note(input_id: str, label: str, *, required: str | None = None) -> dict[str, Any]:
    """A text input; ``required`` is what to say when it is left empty."""
    return {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": True,
        "maxLength": 2000,
        "isRequired": required is not None,
        **({"errorMessage": required} if required else {}),
    }


def _buttons(buttons: Sequence[Button]) -> dict[str, Any]:
    return {"type": "ActionSet", "actions": [cards.action(b) for b in buttons]}


def nudge_card(messages: Sequence[Outbound]) -> dict[str, Any]:
    """A reminder, or a digest: each decision keeps its own buttons under its own text."""
    body: list[dict[str, Any]] = []
    for message in messages:
        body.append(cards.typed(message.text))
        if message.buttons:
            body.append(_buttons(message.buttons))
    return _card(body)


def record_form(decision_id: int, reference: str, next_decision: str) -> dict[str, Any]:
    value = str(decision_id)
    return _card(
        [
            cards.typed(f"Record the decision on {reference}: {next_decision}"),
            _choices("outcome", "Outcome", list(copy.OUTCOME_LABELS.items())),
            _note("note", "Note (what was decided, by whom)"),
            _buttons([Button("Record", DecisionAction.RECORD, value, ButtonStyle.PRIMARY)]),
        ]
    )


def reassign_form(
    decision_id: int, reference: str, people: Sequence[tuple[int, str]]
) -> dict[str, Any]:
    pairs = [(str(person_id), name) for person_id, name in people]
    return _card(
        [
            cards.typed(f"Who should decide on {reference}?"),
            _choices("owner", "New owner", pairs),
            _buttons([Button("Reassign", DecisionAction.REASSIGN, str(decision_id))]),
        ]
    )


def assign_form(
    request_id: int,
    reference: str,
    review_types: Sequence[str],
    people: Sequence[tuple[int, str]],
) -> dict[str, Any]:
    owners = [(str(person_id), name) for person_id, name in people]
    types = [(t, t.replace("_", " ")) for t in review_types]
    return _card(
        [
            cards.typed(f"Assign the decision {reference} waits for"),
            _choices("owner", "Decision owner", owners),
            {
                "type": "Input.Date",
                "id": "due",
                "label": "Due date",
                "isRequired": True,
                "errorMessage": "Pick a due date.",
            },
            _note("next", "Next decision needed", required="Say which decision is needed next."),
            _choices("review_type", "Review type", types),
            _buttons(
                [Button("Assign", DecisionAction.ASSIGN, str(request_id), ButtonStyle.PRIMARY)]
            ),
        ]
    )


class TeamsDecisions:
    def __init__(
        self,
        *,
        desk: DecisionDesk,
        assistant: Assistant,
        config: AppConfig,
        kick: Callable[[], None] = lambda: None,
    ) -> None:
        self.desk = desk
        self.assistant = assistant
        self.config = config
        self.kick = kick
        """Sweep now: what was just decided has a notice for someone waiting to go out."""

    async def on_action(
        self, person: PersonRef, action_id: str, value: str, inputs: dict[str, Any]
    ) -> Answer:
        parsed = parse_choice(value)
        if parsed is None:
            log.warning("refused tampered %s data from %s", action_id, person.user_id)
            return None, copy.UNKNOWN_ACTION
        number, choice = parsed
        desk = self.desk
        if action_id == DecisionAction.ASSIGN:
            return await self._assign(person, number, inputs)
        if action_id == DecisionAction.SNOOZE:
            result = await asyncio.to_thread(
                lambda: desk.snooze(decision_id=number, choice=choice, by=person)
            )
            return _settled(result)
        if action_id == DecisionAction.FOLLOW_UP:
            result = await asyncio.to_thread(
                lambda: desk.answer_follow_up(
                    decision_id=number, answer=choice, note=None, by=person
                )
            )
            return _settled(result)
        if action_id not in (DecisionAction.RECORD, DecisionAction.REASSIGN):
            return None, copy.UNKNOWN_ACTION
        found = await asyncio.to_thread(lambda: desk.form_for(decision_id=number, by=person))
        if isinstance(found, str):
            return None, found
        decision, reference = found
        if action_id == DecisionAction.RECORD:
            outcome = str(inputs.get("outcome") or "")
            if not outcome:
                return record_form(number, reference, decision.next_decision), ""
            note = str(inputs.get("note") or "") or None
            result = await asyncio.to_thread(
                lambda: desk.record(decision_id=number, outcome=outcome, note=note, by=person)
            )
            return self._done(result)
        owner = await self._picked(inputs)
        if owner is None:
            people = await asyncio.to_thread(desk.people_on, PLATFORM)
            return reassign_form(number, reference, people), ""
        result = await asyncio.to_thread(
            lambda: desk.reassign(decision_id=number, owner=owner, by=person)
        )
        return self._done(result)

    async def _assign(self, person: PersonRef, request_id: int, inputs: dict[str, Any]) -> Answer:
        if not self.assistant.is_reviewer(person):
            return None, NOT_A_REVIEWER
        owner = await self._picked(inputs)
        if owner is None:
            card = await asyncio.to_thread(self.assistant.review_card, request_id)
            if card is None:
                return None, copy.UNKNOWN_ACTION
            people = await asyncio.to_thread(self.desk.people_on, PLATFORM)
            form = assign_form(request_id, card.reference, self.config.review.types, people)
            return form, ""
        try:
            due = date.fromisoformat(str(inputs.get("due") or ""))
        except ValueError:
            return None, "Pick a due date."
        next_decision = str(inputs.get("next") or "")
        review_type = str(inputs.get("review_type") or "")
        desk = self.desk
        result = await asyncio.to_thread(
            lambda: desk.assign(
                request_id=request_id,
                owner=owner,
                due=due,
                next_decision=next_decision,
                review_type=review_type,
                by=person,
            )
        )
        return self._done(result)

    async def _picked(self, inputs: dict[str, Any]) -> PersonRef | None:
        chosen = str(inputs.get("owner") or "")
        if not chosen.isdigit() or len(chosen) > 9:
            return None
        return await asyncio.to_thread(lambda: self.desk.person_ref(int(chosen), platform=PLATFORM))

    def _done(self, result: DecisionResult) -> Answer:
        if result.ok:
            self.kick()
        return _settled(result)


def _settled(result: DecisionResult) -> Answer:
    """Done: the card becomes what was done. Refused: the card stays, the reason is shown."""
    if not result.ok:
        return None, result.message
    return cards.settled_card(result.message), result.message


class TeamsSender:
    """How the sweep (on a scheduler thread) reaches Teams people: proactively, from the
    conversation reference kept at their last turn, on the server's event loop."""

    def __init__(
        self, *, teams: TeamsBot, assistant: Assistant, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.teams = teams
        self.assistant = assistant
        self.loop = loop

    def deliver(self, nudges: list[Nudge]) -> None:
        user_id = nudges[0].recipient_user_id
        reference = self.assistant.person_channel(PLATFORM, user_id)
        if reference is None:
            raise Undeliverable("has never chatted with the bot in Teams, so it cannot write")
        card = nudge_card(nudge_messages(nudges))
        self._run(self.teams.send_card_proactive(reference, card))

    def escalate(self, nudge: Nudge, problem: str | None) -> None:
        card = nudge_card([Outbound(escalation_text(nudge, problem))])
        self._run(self.teams.post_to_reviewers(nudge.request_id, card))

    def _run(self, work: Any) -> None:
        try:
            asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=120)
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in UNREACHABLE_STATUSES:
                raise Undeliverable(f"cannot be reached in Teams (HTTP {status})") from exc
            raise
