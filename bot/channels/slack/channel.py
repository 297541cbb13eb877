"""The Slack listeners: translate payloads to Inbound, run the turn off the event loop, draw it.

Nothing is acknowledged before it is stored: a listener acknowledges a button, command or
shortcut after its turn has committed, and an event's 200 is held back (``hold_ack``, used by
the request gate) until its turn has committed, so a crash before then leaves Slack to deliver
the event again. Turns run off the event loop (in a worker process or threads, see
bot/runtime/turns.py). Replies are written to the outbox with the turn and sent through one
shared AsyncWebClient whose retry handlers honour 429 Retry-After and retry connection and
server errors; what still cannot be delivered stays in the outbox and goes out later, in order
(bot/delivery/outbox.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks
from bot.channels.slack.replies import post_replies, replies_through
from bot.conversation import copy
from bot.conversation.commands import TriageAction
from bot.conversation.engine import Engine
from bot.decisions.waiting import WaitingItem
from bot.delivery.outbox import DeliveryFailed, Outbox
from bot.messages import Inbound, Outbound, PersonRef, TurnResult
from bot.runtime.turns import ThreadTurns, TurnFailed, Turns

log = logging.getLogger(__name__)

PLATFORM = "slack"
SLASH_COMMAND = "/triage"
MESSAGE_SHORTCUT = "triage-message-shortcut"
PEOPLE_CACHE_SECONDS = 3600
LOOKUP_BEFORE_ACK_SECONDS = 1.0
SLOW_TURN_SECONDS = 3.0
"""A turn still waiting (on a database lock) after this long: the person hears it is coming."""
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
STILL_SAVING = "Got it. Saving is slow at the moment; my reply is on its way."


@dataclass
class _Known:
    name: str
    time_zone: str | None
    fetched: float


class SlackChannel:
    def __init__(
        self,
        *,
        engine: Engine,
        turns: Turns | None = None,
        waiting: Callable[[PersonRef], list[WaitingItem]] | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.engine = engine
        self.turns = turns or ThreadTurns(engine)
        self.waiting = waiting
        self.outbox = outbox
        self._people: dict[tuple[str, str], _Known] = {}
        self._committing: dict[str, asyncio.Future[None]] = {}

    def hold_ack(self, body: dict[str, Any]) -> asyncio.Future[None] | None:
        """For the request gate: a direct message's 200 waits on this, which is done once the
        turn has committed (or failed for good). Anything else is acknowledged as Bolt does."""
        event = body.get("event")
        event_id = body.get("event_id")
        if not (
            body.get("type") == "event_callback"
            and isinstance(event, dict)
            and isinstance(event_id, str)
            and event.get("type") == "message"
            and _is_plain_direct_message(event)
        ):
            return None
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._committing[event_id] = waiter

        def forget(done: asyncio.Future[None]) -> None:
            if self._committing.get(event_id) is done:
                del self._committing[event_id]

        waiter.add_done_callback(forget)
        return waiter

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
        committed = self._committing.get(str(body.get("event_id")))
        try:
            person = await self._person(client, _team_id(body), event["user"])
            reference = _conversation_ref(body, event["channel"])
            inbound = Inbound.say(
                person,
                event.get("text") or "",
                event_id=body.get("event_id"),
                conversation_ref=reference,
                reply_to=self._reply_to(reference),
            )
            result = await self._turn(inbound, client, event["channel"])
        finally:
            if committed is not None and not committed.done():
                committed.set_result(None)
        await self._deliver(client, event["channel"], result)

    async def on_slash_command(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        try:
            user_id = command["user_id"]
            person = await self._person(client, command.get("team_id", ""), user_id, wait=True)
            title = (command.get("text") or "").strip() or None
            inbound = Inbound.start(
                person,
                title=title,
                event_id=_interaction_id(command),
                reply_to=self._reply_to(_conversation_ref(command, user_id)),
            )
            result = await self._turn(inbound)
        finally:
            await ack(text=OPENING_IN_DM)
        await self._deliver(client, await self._open_dm(client, user_id), result)

    async def on_message_shortcut(
        self, ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient
    ) -> None:
        try:
            user_id = shortcut["user"]["id"]
            person = await self._person(client, _team_id(shortcut), user_id, wait=True)
            message = shortcut.get("message") or {}
            link = await self._permalink(client, shortcut, message.get("ts"))
            inbound = Inbound.start(
                person,
                title=(message.get("text") or "").strip() or None,
                fresh=True,
                source_link=link,
                event_id=_interaction_id(shortcut),  # a replayed request cancels nothing
                reply_to=self._reply_to(_conversation_ref(shortcut, user_id)),
            )
            result = await self._turn(inbound)
        finally:
            await ack()
        await self._deliver(client, await self._open_dm(client, user_id), result)

    async def on_new_request(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        try:
            user_id = body["user"]["id"]
            person = await self._person(client, _team_id(body), user_id, wait=True)
            inbound = Inbound.start(
                person,
                event_id=_interaction_id(body),
                reply_to=self._reply_to(_conversation_ref(body, user_id)),
            )
            result = await self._turn(inbound)
        finally:
            await ack()
        await self._deliver(client, await self._open_dm(client, user_id), result)

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        action_id = blocks.action_id_of(action.get("action_id", ""))
        if action_id == TriageAction.EDIT:  # opens a form: nothing is stored yet
            await ack()
        try:
            user_id = body["user"]["id"]
            channel = (body.get("channel") or {}).get("id") or await self._open_dm(client, user_id)
            person = await self._person(client, _team_id(body), user_id)
            value = str(action.get("value") or "")
            if action_id == TriageAction.EDIT and await self._open_answer_form(
                client, body, person, value, channel
            ):
                return
            reference = _conversation_ref(body, channel)
            inbound = Inbound.press(
                person,
                action_id,
                value,
                event_id=_interaction_id(body, action),
                conversation_ref=reference,
                reply_to=self._reply_to(reference),
            )
            result = await self._turn(inbound)
        finally:
            if action_id != TriageAction.EDIT:
                await ack()
        if result.refused:
            await self._refuse(client, channel, user_id, result.messages)
            return
        message = body.get("message")
        if message and action_id in _SETTLING_ACTIONS:
            label = (action.get("text") or {}).get("text") or action_id
            await self._settle(client, channel, message, label)
        await self._deliver(client, channel, result)

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
        person = await self._person(client, _team_id(body), user_id, look_up=False)
        state = view.get("state", {}).get("values", {})
        text = (state.get(blocks.ANSWER_BLOCK, {}).get(blocks.ANSWER_INPUT, {}) or {}).get("value")
        inbound = Inbound.press(
            person,
            TriageAction.REPLACE,
            view.get("private_metadata", ""),
            text=text or "",
            event_id=_interaction_id(body),
            reply_to=self._reply_to({"channel": user_id, "team_id": _team_id(body)}),
        )
        result = await self._turn(inbound)
        if result.problem and not result.refused:
            if self.outbox is not None:
                self.outbox.discard(result)  # shown inside the form instead
            await ack(response_action="errors", errors={blocks.ANSWER_BLOCK: result.problem})
            return
        await ack()
        channel = await self._open_dm(client, user_id)
        if result.refused:
            await self._refuse(client, channel, user_id, result.messages)
            return
        await self._deliver(client, channel, result)

    async def on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        person = await self._person(client, _team_id(body), event["user"])
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

    async def _turn(
        self, inbound: Inbound, client: AsyncWebClient | None = None, channel: str | None = None
    ) -> TurnResult:
        """The turn, and a word to the person if it is stuck behind a lock for a while."""
        turn = asyncio.ensure_future(self.turns.handle(inbound))
        if client is None or channel is None:
            return await turn
        done, _ = await asyncio.wait({turn}, timeout=SLOW_TURN_SECONDS)
        if not done:
            log.warning("a turn for %s is waiting on the database", inbound.person.user_id)
            try:
                await client.chat_postMessage(channel=channel, text=STILL_SAVING)
            except Exception as exc:
                log.warning("could not say the reply is on its way: %r", exc)
        return await turn

    def _reply_to(self, reference: dict[str, Any]) -> dict[str, Any] | None:
        """Where the replies go, to keep in the outbox with the turn (if this channel has one)."""
        return reference if self.outbox is not None else None

    async def _person(
        self,
        client: AsyncWebClient,
        team_id: str,
        user_id: str,
        *,
        look_up: bool = True,
        wait: bool = False,
    ) -> PersonRef:
        """Name and time zone from users.info, cached for an hour (one call per person, not per
        turn). Without them the conversation still works, just less personally; ``look_up=False``
        uses only the cache, ``wait=True`` waits on Slack only briefly (both for listeners that
        acknowledge after their turn: Slack allows 3 s in all)."""
        key = (team_id, user_id)
        known = self._people.get(key)
        stale = known is None or time.monotonic() - known.fetched > PEOPLE_CACHE_SECONDS
        if not look_up and known is None:
            known = _Known("", None, 0.0)
        elif stale:
            # A failed look-up is tried again in a minute, not an hour.
            known = _Known("", None, time.monotonic() - PEOPLE_CACHE_SECONDS + 60)
            try:
                lookup = client.users_info(user=user_id)
                response = await (
                    asyncio.wait_for(lookup, LOOKUP_BEFORE_ACK_SECONDS) if wait else lookup
                )
                user = response.get("user") or {}
                profile = user.get("profile") or {}
                name = profile.get("display_name") or user.get("real_name") or user.get("name")
                known = _Known(name or "", user.get("tz"), time.monotonic())
            except SlackApiError as exc:
                log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            except Exception as exc:  # a timeout or dropped connection: carry on without a name
                log.warning("users.info failed for %s: %r", user_id, exc)
            self._people[key] = known
        assert known is not None
        return PersonRef(
            platform=PLATFORM,
            user_id=user_id,
            workspace_id=team_id,
            display_name=known.name,
            time_zone=known.time_zone,
        )

    async def _open_dm(self, client: AsyncWebClient, user_id: str) -> str:
        response = await client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def _permalink(
        self, client: AsyncWebClient, shortcut: dict[str, Any], ts: str | None
    ) -> str | None:
        """The message's link, from Slack if it answers quickly, else built from the
        workspace's domain the way Slack builds it (before the acknowledgement)."""
        channel = (shortcut.get("channel") or {}).get("id")
        if not (channel and ts):
            return None
        try:
            response = await asyncio.wait_for(
                client.chat_getPermalink(channel=channel, message_ts=ts),
                LOOKUP_BEFORE_ACK_SECONDS,
            )
            return str(response["permalink"])
        except SlackApiError as exc:
            log.warning("chat.getPermalink failed: %s", exc.response.get("error"))
        except Exception as exc:
            log.warning("chat.getPermalink failed: %r", exc)
        domain = (shortcut.get("team") or {}).get("domain")
        if not domain:
            return None
        return f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"

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

    async def _refuse(
        self, client: AsyncWebClient, channel: str, user_id: str, messages: list[Outbound]
    ) -> None:
        log.info("refused an action from %s", user_id)
        for payload in blocks.turn_payloads(messages):
            await client.chat_postEphemeral(channel=channel, user=user_id, **payload)

    async def _settle(
        self, client: AsyncWebClient, channel: str, message: dict[str, Any], label: str
    ) -> None:
        try:
            await client.chat_update(
                channel=channel,
                ts=message["ts"],
                text=message.get("text") or label,
                blocks=blocks.settled_blocks(message.get("blocks") or [], label),
            )
        except SlackApiError as exc:
            log.warning(
                "could not settle card %s: %s", message.get("ts"), exc.response.get("error")
            )

    async def _deliver(self, client: AsyncWebClient, channel: str, result: TurnResult) -> None:
        if self.outbox is not None:
            await self.outbox.deliver(result, {"channel": channel}, send=replies_through(client))
            return
        if result.duplicate or not result.messages:
            return
        try:
            await post_replies(client, {"channel": channel}, result.messages, 0)
        except DeliveryFailed as exc:
            log.error(
                "could not deliver a reply for %s to %s: %s",
                result.request_reference or "no request",
                channel,
                exc.error,
            )


def _is_plain_direct_message(event: dict[str, Any]) -> bool:
    """A person typing in our DM: not a bot, not an edit or deletion, not a channel."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _PLAIN_MESSAGE_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team_id") or body.get("team")
    if isinstance(team, dict):
        return str(team.get("id") or "")
    return str(team or (body.get("user") or {}).get("team_id") or "")


def _interaction_id(body: dict[str, Any], action: dict[str, Any] | None = None) -> str | None:
    """A button press, command or shortcut as one delivery: Slack gives each interaction its
    own trigger id, so the same request replayed (or run again after a crash) is recognised."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return None
    return f"trigger:{trigger}:{(action or {}).get('action_ts', '')}"[:200]


def _conversation_ref(body: dict[str, Any], channel: str) -> dict[str, Any]:
    """Where to reach this person later (reminders, outcomes), kept on the conversation row."""
    return {
        "channel": channel,
        "team_id": _team_id(body),
        "enterprise_id": body.get("enterprise_id"),
    }
