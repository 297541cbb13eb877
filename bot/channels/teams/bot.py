"""The Teams side: Bot Framework activities in, Adaptive Cards out, proactive sends later.

Each activity becomes one neutral turn, run off the event loop (a worker process or threads, see
bot/runtime/turns.py) so the loop stays free. The conversation reference is saved on every turn, so
results that come later (reviews, reminders) reach the person proactively even after a restart.
Only this folder imports botbuilder, so moving to the Microsoft 365 Agents SDK stays a
one-folder change. This file has the adapter, the HTTP entry and typed messages; card presses
are in card_actions.py and everything sent in sending.py.
"""

from __future__ import annotations

import logging
import uuid

from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, ChannelAccount

from bot.assist.service import Assistant
from bot.channels.teams.activities import (
    attachments_of,
    delivery_id,
    is_personal,
    mentions_bot,
    person_of,
    personal_chat_link,
    reference_of,
    text_of,
)
from bot.channels.teams.auth import KeyRegistry, token_problem
from bot.channels.teams.card_actions import CardActions
from bot.channels.teams.credentials import TokensOffTheLoop
from bot.channels.teams.sending import AfterTheAnswer, with_retries
from bot.config import Settings, reveal
from bot.conversation import copy
from bot.conversation.engine import Engine
from bot.decisions.flows import DecisionFlow
from bot.messages import Inbound, Outbound
from bot.review.flows import ReviewFlow
from bot.runtime.turns import ThreadTurns, TurnFailed, Turns

log = logging.getLogger(__name__)


class _BotConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = reveal(settings.microsoft_app_password) or ""
        self.APP_TYPE = settings.microsoft_app_type or "MultiTenant"
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""


def build_adapter(settings: Settings) -> CloudAdapter:
    """Bot Framework authentication is on whenever MICROSOFT_APP_ID is set; with no app id the
    adapter accepts unauthenticated activities, which is how botbuilder serves a local emulator.
    TeamsBot sets its turn error handler."""
    config = _BotConfig(settings)
    credentials = TokensOffTheLoop(ConfigurationServiceClientCredentialFactory(config))
    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials)
    )
    if settings.microsoft_app_id:
        KeyRegistry(metadata_url=settings.microsoft_openid_metadata_url).install()
    return adapter


class TeamsBot(CardActions):
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
        keep_replies: bool = False,
    ) -> None:
        """``keep_replies``: a turn's replies go through the outbox (serve); without it (the
        reminder sender of a process with no endpoint) they are only sent."""
        self.engine = engine
        self.review = review
        self.turns = turns or ThreadTurns(engine)
        self.decision_flow = decision_flow
        self.adapter = adapter
        self.app_id = app_id
        self.assistant = assistant
        self.outbox = self.keep_replies() if keep_replies else None
        self.after_answer = AfterTheAnswer()
        adapter.on_turn_error = self._on_turn_error

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.value is not None:  # a card's Action.Submit (a host without Universal Actions)
            await self._on_card_submit(turn_context)
            return
        if not is_personal(activity):  # a channel or group chat: public, not the triage
            if mentions_bot(activity):
                link = personal_chat_link(self.app_id)
                where = [Outbound(copy.PERSONAL_CHAT_ONLY.format(link=link))]
                self._say_soon(turn_context, where, "the way to the personal chat")
            return
        reference = reference_of(activity)
        inbound = Inbound.say(
            person_of(activity),
            text_of(activity),
            attachments=attachments_of(activity),
            event_id=delivery_id(activity),
            conversation_ref=reference,
            reply_to=reference if self.outbox is not None else None,
        )
        result = await self.turns.handle(inbound)
        self._reply(turn_context, result)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Installed for someone, in their personal chat: say what the bot does and show the
        first question. In a team or group chat nobody is greeted in public."""
        activity = turn_context.activity
        if not is_personal(activity):
            return
        bot_id = activity.recipient.id
        people = [member for member in members_added if member.id != bot_id]
        if not people and any(member.id == bot_id for member in members_added):
            people = [activity.from_property]  # a personal install adds only the bot
        for member in people:
            await self._greet(turn_context, member)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Some clients announce a personal install this way only; the greeting is the same
        one, and is said once (both activities share its delivery id)."""
        if is_personal(turn_context.activity):
            await self._greet(turn_context, turn_context.activity.from_property)

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        """An edited message does not change a stored answer; say how to change one."""
        if is_personal(turn_context.activity):
            self._say_soon(turn_context, [Outbound(copy.EDITS_NOT_FILED)], "the edits notice")

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        """Nor does a deleted one (Teams' soft delete): the same words."""
        if is_personal(turn_context.activity):
            self._say_soon(turn_context, [Outbound(copy.EDITS_NOT_FILED)], "the edits notice")

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """The apology follows the HTTP answer like any reply: a slow Bot Connector must not
        hold the request of a turn that has already failed."""
        if isinstance(error, TurnFailed):  # the worker logged the details under its id
            error_id = error.error_id
        else:
            error_id = uuid.uuid4().hex[:8]
            log.error("error %s in a Teams turn", error_id, exc_info=error)
        apology = copy.ERROR_APOLOGY.format(error_id=error_id)
        self.after_answer.send(
            lambda: with_retries(lambda: context.send_activity(apology)),
            f"the apology for error {error_id}",
        )

    async def _greet(self, turn_context: TurnContext, member: ChannelAccount) -> None:
        activity = turn_context.activity
        reference = reference_of(activity)
        conversation = activity.conversation.id if activity.conversation else ""
        result = await self.turns.handle(
            Inbound.start(
                person_of(activity, member),
                event_id=f"greeting:{conversation}:{member.id}"[:200],
                conversation_ref=reference,
                reply_to=reference if self.outbox is not None else None,
            )
        )
        self._reply(turn_context, result)

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
