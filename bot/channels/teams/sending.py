"""Everything the Teams bot sends: replies in a turn, and later sends through the conversation
reference stored at a person's last turn (results, reminders, review cards to reviewers).

Every send goes through ``with_retries``, since the Bot Connector asks for retries, and a later
send that fails reaches its caller (a reminder must not count as sent when it was not). Nothing
sent in answer to an activity is awaited inside its HTTP request: a turn's replies go through the
outbox, and notices that keep nothing (a refusal, an apology, the way to the personal chat) go
through ``AfterTheAnswer``, so a slow Bot Connector never holds Teams past its 15 s.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.assist.service import Assistant
from bot.channels.teams import cards, forms
from bot.channels.teams.activities import PLATFORM, reference_of
from bot.conversation.engine import Engine
from bot.delivery.outbox import (
    UNDELIVERED_NOTICE,
    Attempt,
    DeliveryFailed,
    Outbox,
    Undelivered,
)
from bot.messages import Outbound, TurnResult
from bot.review.flows import ReviewFlow

log = logging.getLogger(__name__)

RETRY_STATUSES = {412, 429, 502, 504}
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
T = TypeVar("T")


async def with_retries(send: Callable[[], Awaitable[T]]) -> T:
    """The Bot Connector asks for a retry with 429, 412, 502 and 504: back off, with jitter."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return await send()
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if delay is None or status not in RETRY_STATUSES:
                raise
            wait = delay * (0.5 + random.random())
            log.info("Bot Connector answered %s; retrying in %.2fs", status, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


UNREACHABLE_STATUSES = {403, 404, 413}
"""The Bot Connector's answers that no retry changes: the bot was removed or blocked, the
conversation is gone, the card is too large."""


class AfterTheAnswer:
    """Sends that follow the HTTP answer instead of holding it. Each is a task kept here until
    it ends (a task nobody holds can be collected mid-send), and a clean stop waits for them. A
    failure is only logged: these are notices, and the state they speak of is already stored."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, work: Callable[[], Awaitable[object]], what: str) -> None:
        async def run() -> None:
            try:
                await work()
            except Exception as exc:
                log.warning("could not send %s: %r", what, exc)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Until every send under way has ended."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class TeamsSending:
    engine: Engine
    adapter: CloudAdapter
    app_id: str
    assistant: Assistant | None
    review: ReviewFlow | None
    outbox: Outbox | None
    after_answer: AfterTheAnswer

    def keep_replies(self) -> Outbox:
        """Replies through the outbox: kept with the turn, retried later through the stored
        conversation reference if the Bot Connector cannot take them now."""
        return Outbox(
            self.engine.database,
            platform=PLATFORM,
            send=self._send_owed,
            clock=self.engine.clock,
            on_undeliverable=self._tell_reviewers_undelivered,
        )

    async def settled(self) -> None:
        """Until nothing sent in answer to an activity is under way (tests, and a clean stop)."""
        await self.after_answer.settled()
        if self.outbox is not None:
            await self.outbox.settled()

    def _reply(self, turn_context: TurnContext, result: TurnResult) -> None:
        """A turn's replies, after the HTTP answer: the turn has committed them, and a slow Bot
        Connector (with its retries) must not hold Teams' request past its 15 s. Through the
        outbox when the turn kept them there; a refusal keeps nothing and is only a notice.
        Both go through this turn's connector client, which outlives the request; an invoke's
        own answer stays in the response."""
        if self.outbox is None or (result.outbox_id is None and not result.duplicate):
            self._say_soon(turn_context, result.messages, "a turn's reply")
            return

        async def in_this_turn(
            destination: dict[str, Any], messages: list[Outbound], attempt: Attempt
        ) -> None:
            if attempt.skip:  # a Teams reply is one activity: nothing is left once it went
                return
            try:
                await self._send(turn_context, messages)
            except Exception as exc:
                raise _failure(exc) from exc

        self.outbox.deliver_soon(result, reference_of(turn_context.activity), send=in_this_turn)

    async def _send_owed(
        self, destination: dict[str, Any], messages: list[Outbound], attempt: Attempt
    ) -> None:
        """The Bot Connector has no history a bot can search, so a reply whose first try may
        have landed unseen is sent again: at least once, in Teams."""
        if attempt.skip:
            return
        try:
            await self.send_proactive(destination, messages)
        except Exception as exc:
            raise _failure(exc) from exc

    async def _tell_reviewers_undelivered(self, undelivered: Undelivered) -> None:
        if self.assistant is None:
            return
        references = await asyncio.to_thread(
            self.assistant.reviewer_channels, PLATFORM, self.engine.config.review.teams_user_ids
        )
        text = UNDELIVERED_NOTICE.format(
            person="a requester",
            reference=undelivered.reference or "their request",
            error=undelivered.error,
        )
        for reference in references:
            try:
                await self.send_proactive(reference, [Outbound(text)])
            except Exception as exc:
                log.warning("could not tell a reviewer about an undelivered reply: %r", exc)

    async def announce_drafts(self, request_id: int) -> None:
        """Send a new request's review card to every Teams reviewer the bot can reach."""
        if self.review is None:
            return
        card = await asyncio.to_thread(self.review.card, request_id)
        if card is None:
            return
        await self.post_to_reviewers(request_id, forms.card_json(card))

    async def post_to_reviewers(self, request_id: int, body: dict[str, Any]) -> None:
        """A card for the reviewers: in each one's chat, and in review.teams_review_channel."""
        if self.assistant is None:
            return
        review = self.engine.config.review
        references = await asyncio.to_thread(
            self.assistant.reviewer_channels, PLATFORM, review.teams_user_ids
        )
        targets = [(reference, False) for reference in references]
        channel = await self._review_channel_reference(request_id, references)
        if channel is not None:
            targets.append((channel, True))
        for reference, new_thread in targets:
            try:  # one reviewer out of reach must not keep the card from the others
                await self.send_card_proactive(reference, body, new_thread=new_thread)
            except Exception as exc:
                log.warning("could not reach a reviewer about request %s: %r", request_id, exc)

    async def _review_channel_reference(
        self, request_id: int, known: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """review.teams_review_channel, reached through the service URL and tenant of any
        Teams conversation we know (posting to a channel id starts a new thread there)."""
        channel_id = self.engine.config.review.teams_review_channel
        if not channel_id or self.assistant is None:
            return None
        requester = await asyncio.to_thread(self.assistant.requester_channel, request_id)
        base = (
            known[0]
            if known
            else (requester[1] if requester and requester[0] == PLATFORM else None)
        )
        if base is None:
            log.warning("no Teams conversation known yet, so the review channel cannot be reached")
            return None
        tenant = (base.get("conversation") or {}).get("tenantId")
        return {
            **base,
            "activityId": None,
            "conversation": {
                "id": channel_id,
                "isGroup": True,
                "conversationType": "channel",
                "tenantId": tenant,
            },
        }

    async def send_card_proactive(
        self, reference: dict[str, Any], card: dict[str, Any], *, new_thread: bool = False
    ) -> None:
        """A card sent later. In a channel it must start a new thread, so it goes to the
        conversation itself rather than as a reply to the continuation activity."""
        conversation = ConversationReference().deserialize(reference)

        async def deliver(turn_context: TurnContext) -> None:
            activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
            if not new_thread:
                await with_retries(lambda: turn_context.send_activity(activity))
                return
            client = turn_context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            TurnContext.apply_conversation_reference(activity, conversation)
            activity.reply_to_id = None
            await with_retries(
                lambda: client.conversations.send_to_conversation(
                    conversation.conversation.id, activity
                )
            )

        await self._continue(conversation, deliver)

    async def _continue(
        self, conversation: ConversationReference, deliver: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        """continue_conversation, but a failed send reaches the caller: the adapter's turn
        error handler would otherwise swallow it, and a reminder would count as sent."""
        failures: list[Exception] = []

        async def guarded(turn_context: TurnContext) -> None:
            try:
                await deliver(turn_context)
            except Exception as exc:
                failures.append(exc)

        await self.adapter.continue_conversation(conversation, guarded, self.app_id)
        if failures:
            raise failures[0]

    async def send_proactive(self, reference: dict[str, Any], messages: list[Outbound]) -> None:
        """Reach someone later from the reference stored at their last turn (survives restarts)."""
        conversation = ConversationReference().deserialize(reference)

        async def deliver(turn_context: TurnContext) -> None:
            await self._send(turn_context, messages)

        await self._continue(conversation, deliver)

    def _say_soon(self, turn_context: TurnContext, messages: list[Outbound], what: str) -> None:
        """A notice in this turn's chat, after the HTTP answer."""
        if messages:
            self.after_answer.send(lambda: self._send(turn_context, messages), what)

    async def _send(self, turn_context: TurnContext, messages: list[Outbound]) -> None:
        """One card for the turn's messages (the Bot Connector's retries included)."""
        if not messages:
            return
        card = cards.turn_card(messages)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        activity.summary = cards.fallback_text(messages)
        await with_retries(lambda: turn_context.send_activity(activity))


def _failure(exc: Exception) -> DeliveryFailed:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return DeliveryFailed(
        0,
        f"the Bot Connector answered {status}" if status else f"no answer ({type(exc).__name__})",
        permanent=status in UNREACHABLE_STATUSES,
    )
