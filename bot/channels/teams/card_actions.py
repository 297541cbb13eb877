"""A press on a card: Universal Actions (an ``adaptiveCard/action`` invoke) and, from hosts
without them, an ``Action.Submit`` that arrives as a message.

Review and decision actions go to their flow, which answers with the card redrawn, a form to
fill in first, or a sentence; a triage button is a turn like any message, and its card is settled
so it cannot be pressed twice. Kept apart from the typed messages (bot.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import (
    ActivityHandler,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)

from bot.channels.teams import cards, forms
from bot.channels.teams.activities import delivery_id, person_of, reference_of
from bot.channels.teams.sending import TeamsSending, with_retries
from bot.conversation import copy
from bot.decisions import flows as decision_flows
from bot.decisions.flows import DecisionFlow
from bot.messages import ActResult, Inbound, Outbound, PersonRef, TurnResult
from bot.review import forms as review_forms
from bot.runtime.turns import Turns

log = logging.getLogger(__name__)

Act = Callable[[PersonRef, str, str, Mapping[str, str] | None], ActResult]


class CardActions(TeamsSending, ActivityHandler):
    decision_flow: DecisionFlow | None
    turns: Turns

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Universal Actions (adaptiveCard/action). The answer replaces the card in place, so a
        used card loses its buttons; a refused press leaves the card and says why."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        value = turn_context.activity.value
        if isinstance(value, dict) and value.get("trigger") == "automatic":
            # A refresh Teams asks for when the card is shown, not a press: nothing to do, and
            # nothing to say in the chat; the card stays as it is.
            return _invoke_message("")
        data = cards.card_data(value)
        act = self._flow_for(data[0]) if data is not None else None
        if data is not None and act is not None:
            answer = await self._flow_action(turn_context, act, *data)
            if answer.card is None:
                return _invoke_message(answer.text)
            return InvokeResponse(
                status=200,
                body={"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": answer.card},
            )
        if data is None:
            log.warning(
                "refused an unknown card action from %s", turn_context.activity.from_property.id
            )
            return _invoke_message(copy.UNKNOWN_ACTION)  # shown on the card: said once
        result = await self._press(turn_context, *data)
        self._reply(turn_context, result)
        if result.refused:
            return _invoke_message(copy.STALE_ACTION)
        card = cards.settled_card(_label(data[0]))
        return InvokeResponse(
            status=200, body={"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": card}
        )

    async def _on_card_submit(self, turn_context: TurnContext) -> None:
        """An Action.Submit, from a host without Universal Actions: it comes as a message whose
        value is the card's data, and the answer is a new message, sent after the HTTP answer
        (what the flow decided is already stored)."""
        activity = turn_context.activity
        data = cards.card_data(activity.value)
        if data is None:
            log.warning("refused card data %r from %s", activity.value, activity.from_property.id)
            self._say_soon(turn_context, [Outbound(copy.UNKNOWN_ACTION)], "a refusal")
            return
        act = self._flow_for(data[0])
        if act is not None:
            answer = await self._flow_action(turn_context, act, *data)
            if answer.card is not None:
                card = MessageFactory.attachment(CardFactory.adaptive_card(answer.card))
                self.after_answer.send(
                    lambda: with_retries(lambda: turn_context.send_activity(card)),
                    "a card's answer",
                )
            elif answer.text:
                self._say_soon(turn_context, [Outbound(answer.text)], "a card's answer")
            return
        result = await self._press(turn_context, *data)
        if not result.refused and activity.reply_to_id:
            self._settle(turn_context, activity.reply_to_id, data[0])
        self._reply(turn_context, result)

    def _flow_for(self, action_id: str) -> Act | None:
        """Which flow answers an action: the review flow's or the decision flow's ids."""
        if self.review is not None and action_id in review_forms.ACTIONS:
            return self.review.act
        if self.decision_flow is not None and action_id in decision_flows.ACTIONS:
            return self.decision_flow.act
        return None

    async def _flow_action(
        self, turn_context: TurnContext, act: Act, action_id: str, value: str
    ) -> _CardOrText:
        """A flow's action (a verdict, a question, an answer, a decision): the flow decides;
        the answer is the card redrawn, a form to fill in first, or a sentence."""
        inputs = forms.inputs_for(cards.card_inputs(turn_context.activity.value), action_id, value)
        person = person_of(turn_context.activity)
        result = await asyncio.to_thread(act, person, action_id, value, inputs)
        if result.form is not None:
            return _CardOrText(forms.form_card(result.form), "")
        if not result.ok:
            return _CardOrText(None, result.message)
        if result.card is not None:
            return _CardOrText(forms.card_json(result.card), result.message)
        return _CardOrText(cards.settled_card(result.message), result.message)

    async def _press(self, turn_context: TurnContext, action_id: str, value: str) -> TurnResult:
        """A triage button: a turn like any message."""
        activity = turn_context.activity
        reference = reference_of(activity)
        inbound = Inbound.press(
            person_of(activity),
            action_id,
            value,
            event_id=delivery_id(activity),
            conversation_ref=reference,
            reply_to=reference if self.outbox is not None else None,
        )
        return await self.turns.handle(inbound)

    def _settle(self, turn_context: TurnContext, activity_id: str, action_id: str) -> None:
        """The pressed card loses its buttons, after the HTTP answer; the turn already refuses
        a second press, so a card left as it was costs nothing but a stale button."""
        update = MessageFactory.attachment(
            CardFactory.adaptive_card(cards.settled_card(_label(action_id)))
        )
        update.id = activity_id
        self.after_answer.send(
            lambda: with_retries(lambda: turn_context.update_activity(update)),
            f"the settled card {activity_id}",
        )


@dataclass(frozen=True)
class _CardOrText:
    card: dict[str, Any] | None
    text: str


def _invoke_message(text: str) -> InvokeResponse:
    return InvokeResponse(
        status=200,
        body={
            "statusCode": 200,
            "type": "application/vnd.microsoft.activity.message",
            "value": text,
        },
    )


def _label(action_id: str) -> str:
    words = {
        "triage-request-continue": "Continued",
        "triage-request-restart": "Started a new request",
        "triage-request-submit": "Submitted",
        "triage-question-skip": "Skipped",
        "triage-answer-keep": "Kept the answer",
        "triage-choice-select": "Chosen",
        "triage-answer-edit": "Editing",
    }
    return words.get(action_id, "Done")
