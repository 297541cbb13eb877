"""The Slack listeners: translate payloads to Inbound, run the turn off the event loop, draw it.

Every listener acknowledges first (events are acknowledged by Bolt before the listener runs);
turns run off the event loop (in a worker process or threads, see bot/runtime/turns.py) so a slow
database never delays an acknowledgement; replies go out through one shared AsyncWebClient whose
retry handlers honour 429 Retry-After and retry connection and server errors, and one that still
cannot be delivered is tried again later (replies.py). Who is talking, with their name and time
zone, comes from people.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks
from bot.channels.slack.people import SlackPeople, team_id_of
from bot.channels.slack.replies import SlackReplies
from bot.conversation import copy
from bot.conversation.commands import TriageAction
from bot.conversation.engine import Engine
from bot.decisions.waiting import WaitingItem
from bot.messages import Inbound, PersonRef, TurnResult
from bot.runtime.turns import ThreadTurns, TurnFailed, Turns

log = logging.getLogger(__name__)

SLASH_COMMAND = "/triage"
MESSAGE_SHORTCUT = "triage-message-shortcut"
_PLAIN_MESSAGE_SUBTYPES = {None, "file_share", "thread_broadcast"}
# Buttons whose card is settled once used; Edit opens a form and leaves the summary usable.
_SETTLING_ACTIONS = {
    TriageAction.CONTINUE,
    TriageAction.RESTART,
    TriageAction.SUBMIT,
    TriageAction.SKIP,
    TriageAction.KEEP,
    TriageAction.CHOOSE,
}

OPENING_IN_DM = "I've opened your triage in our direct messages."
TOO_LONG_FOR_FORM = "That answer is too long to edit in a form, so I've asked the question here."


class SlackChannel:
    def __init__(
        self,
        *,
        engine: Engine,
        turns: Turns | None = None,
        waiting: Callable[[PersonRef], list[WaitingItem]] | None = None,
    ) -> None:
        self.engine = engine
        self.turns = turns or ThreadTurns(engine)
        self.waiting = waiting
        self.people = SlackPeople()
        self.replies = SlackReplies()

    # -- wiring ------------------------------------------------------------------------------

    def register_events(self, app: AsyncApp) -> None:
        """Registered before every other listener: Bolt tries listeners in order, and a DM
        is by far the most frequent request."""
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)

    def register(self, app: AsyncApp) -> None:
        app.command(SLASH_COMMAND)(self.on_slash_command)
        app.shortcut(MESSAGE_SHORTCUT)(self.on_message_shortcut)
        app.action(blocks.NEW_REQUEST_ACTION)(self.on_new_request)
        app.action(re.compile(r"^triage-"))(self.on_action)
        app.action(re.compile(".*"))(self.on_unknown_action)
        app.view(blocks.ANSWER_FORM_CALLBACK)(self.on_answer_form)
        app.error(self.on_error)

    # -- listeners ---------------------------------------------------------------------------

    async def on_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if not _is_plain_direct_message(event):
            return
        person = await self.people.person(client, team_id_of(body), event["user"])
        inbound = Inbound.say(
            person,
            event.get("text") or "",
            event_id=body.get("event_id"),
            conversation_ref=_conversation_ref(body, event["channel"]),
        )
        await self.replies.deliver(client, event["channel"], await self._turn(inbound))

    async def on_slash_command(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack(text=OPENING_IN_DM)
        user_id = command["user_id"]
        person = await self.people.person(client, command.get("team_id", ""), user_id)
        channel = await self._open_dm(client, user_id)
        title = (command.get("text") or "").strip() or None
        inbound = Inbound.start(
            person, title=title, conversation_ref=_conversation_ref(command, channel)
        )
        await self.replies.deliver(client, channel, await self._turn(inbound))

    async def on_message_shortcut(
        self, ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = shortcut["user"]["id"]
        person = await self.people.person(client, team_id_of(shortcut), user_id)
        message = shortcut.get("message") or {}
        link = await self._permalink(
            client, shortcut.get("channel", {}).get("id"), message.get("ts")
        )
        channel = await self._open_dm(client, user_id)
        inbound = Inbound.start(
            person,
            title=(message.get("text") or "").strip() or None,
            fresh=True,
            source_link=link,
            conversation_ref=_conversation_ref(shortcut, channel),
        )
        await self.replies.deliver(client, channel, await self._turn(inbound))

    async def on_new_request(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        person = await self.people.person(client, team_id_of(body), user_id)
        channel = await self._open_dm(client, user_id)
        inbound = Inbound.start(person, conversation_ref=_conversation_ref(body, channel))
        await self.replies.deliver(client, channel, await self._turn(inbound))

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or await self._open_dm(client, user_id)
        person = await self.people.person(client, team_id_of(body), user_id)
        action_id = blocks.action_id_of(action.get("action_id", ""))
        value = str(action.get("value") or "")
        if action_id == TriageAction.EDIT and await self._open_answer_form(
            client, body, person, value, channel
        ):
            return
        inbound = Inbound.press(
            person, action_id, value, conversation_ref=_conversation_ref(body, channel)
        )
        result = await self._turn(inbound)
        if result.refused:
            await self.replies.refuse(client, channel, user_id, result.messages)
            return
        message = body.get("message")
        if message and action_id in _SETTLING_ACTIONS:
            label = (action.get("text") or {}).get("text") or action_id
            await self.replies.settle(client, channel, message, label)
        await self.replies.deliver(client, channel, result)

    async def on_unknown_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A button this app never drew (an old version's, or a forged payload)."""
        await ack()
        user_id = body["user"]["id"]
        log.warning("unknown action %r from %s", action.get("action_id"), user_id)
        channel = (body.get("channel") or {}).get("id") or await self._open_dm(client, user_id)
        await client.chat_postEphemeral(channel=channel, user=user_id, text=copy.UNKNOWN_ACTION)

    async def on_answer_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A form submission runs its (fast, database-only) turn before the ack, so a refused
        answer can be shown inside the form instead of in a message."""
        user_id = body["user"]["id"]
        person = await self.people.person(client, team_id_of(body), user_id, look_up=False)
        state = view.get("state", {}).get("values", {})
        text = (state.get(blocks.ANSWER_BLOCK, {}).get(blocks.ANSWER_INPUT, {}) or {}).get("value")
        inbound = Inbound.press(
            person, TriageAction.REPLACE, view.get("private_metadata", ""), text=text or ""
        )
        result = await self._turn(inbound)
        if result.problem and not result.refused:
            await ack(response_action="errors", errors={blocks.ANSWER_BLOCK: result.problem})
            return
        await ack()
        channel = await self._open_dm(client, user_id)
        if result.refused:
            await self.replies.refuse(client, channel, user_id, result.messages)
            return
        await self.replies.deliver(client, channel, result)

    async def on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        person = await self.people.person(client, team_id_of(body), event["user"])
        lines = await asyncio.to_thread(self.engine.requests_of, person)
        waiting = await asyncio.to_thread(self.waiting, person) if self.waiting else []
        await client.views_publish(user_id=event["user"], view=blocks.home_view(lines, waiting))

    async def on_error(
        self, error: Exception, body: dict[str, Any], client: AsyncWebClient | None
    ) -> None:
        if isinstance(error, TurnFailed):  # the worker logged the details under its id
            error_id = error.error_id
        else:
            error_id = uuid.uuid4().hex[:8]
            log.error("error %s handling a Slack request", error_id, exc_info=error)
        user = body.get("user")
        event = body.get("event") or {}
        user_id = (
            (user.get("id") if isinstance(user, dict) else None)
            or body.get("user_id")
            or (event.get("user"))
        )
        channel_info = body.get("channel")
        channel = (
            (channel_info.get("id") if isinstance(channel_info, dict) else None)
            or body.get("channel_id")  # slash commands are flat
            or event.get("channel")
        )
        if not (user_id and channel) or client is None:
            return
        try:
            await client.chat_postEphemeral(
                channel=channel, user=user_id, text=copy.ERROR_APOLOGY.format(error_id=error_id)
            )
        except Exception:
            log.warning("could not tell %s about error %s", user_id, error_id)

    # -- helpers ------------------------------------------------------------------------------

    async def _turn(self, inbound: Inbound) -> TurnResult:
        return await self.turns.handle(inbound)

    async def _open_dm(self, client: AsyncWebClient, user_id: str) -> str:
        response = await client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def _permalink(
        self, client: AsyncWebClient, channel: str | None, ts: str | None
    ) -> str | None:
        if not (channel and ts):
            return None
        try:
            response = await client.chat_getPermalink(channel=channel, message_ts=ts)
            return str(response["permalink"])
        except SlackApiError as exc:
            log.warning("chat.getPermalink failed: %s", exc.response.get("error"))
            return None

    async def _open_answer_form(
        self,
        client: AsyncWebClient,
        body: dict[str, Any],
        person: PersonRef,
        value: str,
        channel: str,
    ) -> bool:
        """Open the edit modal; False to fall back to asking the question in the chat."""
        request_part, _, question_id = value.partition(":")
        if not request_part.isdigit() or not body.get("trigger_id"):
            return False
        form = await asyncio.to_thread(
            self.engine.answer_form, person, int(request_part), question_id
        )
        view = blocks.answer_modal(form) if form else None
        if view is None:
            if form is not None:
                await client.chat_postEphemeral(
                    channel=channel, user=person.user_id, text=TOO_LONG_FOR_FORM
                )
            return False
        await client.views_open(trigger_id=body["trigger_id"], view=view)
        return True


def _is_plain_direct_message(event: dict[str, Any]) -> bool:
    """A person typing in our DM: not a bot, not an edit or deletion, not a channel."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _PLAIN_MESSAGE_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def _conversation_ref(body: dict[str, Any], channel: str) -> dict[str, Any]:
    """Where to reach this person later (reminders, outcomes), kept on the conversation row."""
    return {
        "channel": channel,
        "team_id": team_id_of(body),
        "enterprise_id": body.get("enterprise_id"),
    }
