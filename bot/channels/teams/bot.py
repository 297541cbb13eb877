"""The Teams side: Bot Framework activities in, Adaptive Cards out, proactive sends later.

Each activity becomes one neutral turn, run off the event loop (a worker process or threads, see
bot/runtime/turns.py) so the loop stays free. The conversation reference is saved on every turn, so
results that come later (reviews, reminders) reach the person proactively even after a restart.
Only this folder imports botbuilder, so moving to the Microsoft 365 Agents SDK stays a
one-folder change.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from botbuilder.core import (
    ActivityHandler,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
    serializer_helper,
)
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ChannelAccount, ConversationReference

from bot.assist.service import Assistant
from bot.channels.teams import cards, forms
from bot.channels.teams.auth import KeyRegistry, token_problem
from bot.config import Settings, reveal
from bot.conversation import copy
from bot.conversation.engine import Engine
from bot.decisions import flows as decision_flows
from bot.decisions.flows import DecisionFlow
from bot.messages import ActResult, Inbound, Outbound, PersonRef, TurnResult
from bot.review import forms as review_forms
from bot.review.flows import ReviewFlow
from bot.runtime.turns import ThreadTurns, TurnFailed, Turns

log = logging.getLogger(__name__)

PLATFORM = "teams"
RETRY_STATUSES = {412, 429, 502, 504}
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
T = TypeVar("T")


class _BotConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = reveal(settings.microsoft_app_password) or ""
        self.APP_TYPE = settings.microsoft_app_type or "MultiTenant"
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""


def build_adapter(settings: Settings) -> CloudAdapter:
    """Bot Framework authentication is on whenever MICROSOFT_APP_ID is set; with no app id the
    adapter accepts unauthenticated activities, which is how botbuilder serves a local emulator."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_BotConfig(settings)))
    if settings.microsoft_app_id:
        KeyRegistry(metadata_url=settings.microsoft_openid_metadata_url).install()

    async def on_error(context: TurnContext, error: Exception) -> None:
        if isinstance(error, TurnFailed):  # the worker logged the details under its id
            error_id = error.error_id
        else:
            error_id = uuid.uuid4().hex[:8]
            log.error("error %s in a Teams turn", error_id, exc_info=error)
        try:
            await context.send_activity(copy.ERROR_APOLOGY.format(error_id=error_id))
        except Exception:
            log.warning("could not tell the user about error %s", error_id)

    adapter.on_turn_error = on_error
    return adapter


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


class TeamsBot(ActivityHandler):
    def __init__(
        self,
        *,
        engine: Engine,
        adapter: CloudAdapter,
        app_id: str,
        assistant: Assistant | None = None,
        decision_flow: DecisionFlow | None = None,
        turns: Turns | None = None,
        review: ReviewFlow | None = None,
    ) -> None:
        self.engine = engine
        self.review = review
        self.turns = turns or ThreadTurns(engine)
        self.decision_flow = decision_flow
        self.adapter = adapter
        self.app_id = app_id
        self.assistant = assistant

    # -- incoming ---------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        data = cards.card_data(activity.value) if activity.value is not None else None
        if activity.value is not None and data is None:
            log.warning("refused card data %r from %s", activity.value, activity.from_property.id)
            await self._send(turn_context, [Outbound(copy.UNKNOWN_ACTION)])
            return
        act = self._flow_for(data[0]) if data is not None else None
        if data is not None and act is not None:  # a host without Universal Actions
            answer = await self._flow_action(turn_context, act, *data)
            if answer.card is not None:
                card = answer.card
                await with_retries(
                    lambda: turn_context.send_activity(
                        MessageFactory.attachment(CardFactory.adaptive_card(card))
                    )
                )
            elif answer.text:
                await self._send(turn_context, [Outbound(answer.text)])
            return
        if data is not None:  # an Action.Submit from a host without Universal Actions
            result = await self._press(turn_context, *data)
            if not result.refused and activity.reply_to_id:
                await self._settle(turn_context, activity.reply_to_id, data[0])
            await self._send(turn_context, result.messages)
            return
        text = TurnContext.remove_recipient_mention(activity) or activity.text or ""
        inbound = Inbound.say(
            self._person(activity),
            text.strip(),
            # Teams activity ids are unique within a conversation only
            event_id=f"{activity.conversation.id}:{activity.id}" if activity.id else None,
            conversation_ref=_reference(activity),
        )
        result = await self._turn(inbound)
        await self._send(turn_context, result.messages)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Installed for someone: say what the bot does and show the first question."""
        bot_id = turn_context.activity.recipient.id
        for member in members_added:
            if member.id == bot_id:
                continue
            person = self._person(turn_context.activity, member)
            result = await self._turn(
                Inbound.start(person, conversation_ref=_reference(turn_context.activity))
            )
            await self._send(turn_context, result.messages)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Universal Actions (adaptiveCard/action). The answer replaces the card in place, so a
        used card loses its buttons; a refused press leaves the card and says why."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        data = cards.card_data(turn_context.activity.value)
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
            await self._send(turn_context, [Outbound(copy.UNKNOWN_ACTION)])
            return _invoke_message(copy.UNKNOWN_ACTION)
        result = await self._press(turn_context, *data)
        await self._send(turn_context, result.messages)
        if result.refused:
            return _invoke_message(copy.STALE_ACTION)
        card = cards.settled_card(_label(data[0]))
        return InvokeResponse(
            status=200, body={"statusCode": 200, "type": cards.CARD_CONTENT_TYPE, "value": card}
        )

    async def handle_http(self, request: web.Request) -> web.Response:
        """POST /api/messages. CloudAdapter.process would serialise an invoke response twice
        (ActivityHandler already did), so the few lines it does are done here. A token that
        cannot be a Bot Framework token is refused before the body is even read."""
        authorization = request.headers.get("Authorization", "")
        problem = token_problem(authorization) if self.app_id else None
        if problem is not None:
            log.warning("refused a Teams request before checking its token: %s", problem)
            return web.Response(status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        try:
            body = await request.json()
            activity = Activity().deserialize(body) if isinstance(body, dict) else None
        except (ValueError, RecursionError):  # bad JSON or UTF-8, nested past the limit, bad fields
            activity = None
        if activity is None:
            return web.Response(status=400, text="not an activity")
        if not activity.type:
            return web.Response(status=400, text="no activity type")
        try:
            invoke_response = await self.adapter.process_activity(
                authorization, activity, self.on_turn
            )
        except Exception as exc:  # turn errors are handled inside; what escapes is the token check
            log.warning("refused a Teams request whose token did not check out: %r", exc)
            return web.Response(status=401)
        if invoke_response is None:
            return web.Response(status=201)
        body = invoke_response.body
        if body is not None and not isinstance(body, dict | list | str | int | float | bool):
            body = serializer_helper(body)
        return web.json_response(body, status=invoke_response.status)

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
        person = self._person(turn_context.activity)
        result = await asyncio.to_thread(act, person, action_id, value, inputs)
        if result.form is not None:
            return _CardOrText(forms.form_card(result.form), "")
        if not result.ok:
            return _CardOrText(None, result.message)
        if result.card is not None:
            return _CardOrText(forms.card_json(result.card), result.message)
        return _CardOrText(cards.settled_card(result.message), result.message)

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

    # -- outgoing ---------------------------------------------------------------------------

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

    async def _send(self, turn_context: TurnContext, messages: list[Outbound]) -> None:
        if not messages:
            return
        card = cards.turn_card(messages)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        activity.summary = cards.fallback_text(messages)
        await with_retries(lambda: turn_context.send_activity(activity))

    async def _settle(self, turn_context: TurnContext, activity_id: str, action_id: str) -> None:
        update = MessageFactory.attachment(
            CardFactory.adaptive_card(cards.settled_card(_label(action_id)))
        )
        update.id = activity_id
        try:
            await with_retries(lambda: turn_context.update_activity(update))
        except Exception as exc:
            log.warning("could not settle card %s: %s", activity_id, exc)

    # -- helpers ----------------------------------------------------------------------------

    async def _press(self, turn_context: TurnContext, action_id: str, value: str) -> TurnResult:
        activity = turn_context.activity
        inbound = Inbound.press(
            self._person(activity), action_id, value, conversation_ref=_reference(activity)
        )
        return await self._turn(inbound)

    async def _turn(self, inbound: Inbound) -> TurnResult:
        return await self.turns.handle(inbound)

    def _person(self, activity: Activity, member: ChannelAccount | None = None) -> PersonRef:
        """Teams identity: the AAD object id within the tenant (the same person in every chat)."""
        who = member or activity.from_property
        tenant = (activity.conversation.tenant_id if activity.conversation else None) or (
            (activity.channel_data or {}).get("tenant", {}).get("id", "")
        )
        return PersonRef(
            platform=PLATFORM,
            user_id=who.aad_object_id or who.id,
            workspace_id=tenant or "",
            display_name=who.name or "",
        )


def _reference(activity: Activity) -> dict[str, Any]:
    return TurnContext.get_conversation_reference(activity).serialize()


Act = Callable[[PersonRef, str, str, Mapping[str, str] | None], ActResult]


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
