"""The Slack listeners: translate payloads to Inbound, run the turn off the event loop, draw it.

Nothing is acknowledged before it is stored: a listener acknowledges a button, command or
shortcut after its turn has committed (or, if the database keeps it waiting, just before Slack
would show the person an error, since an interaction is never sent again), and an event's
200 is held back (``hold_ack``, used by the request gate) until its turn has committed, so a
crash before then leaves Slack to deliver the event again. Turns run off the event loop (in a
worker process or threads, see bot/runtime/turns.py). Replies are written to the outbox with
the turn and sent through one shared AsyncWebClient whose retry handlers honour 429
Retry-After and retry connection and server errors; what still cannot be delivered stays in
the outbox and goes out later, in order (bot/delivery/outbox.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks
from bot.channels.slack.payloads import (
    attachments_of,
    conversation_ref,
    interaction_id,
    is_answer_changed,
    is_plain_direct_message,
    message_link,
    thread_of,
    typed_text,
)
from bot.channels.slack.people import SlackPeople, identity_of, team_id_of
from bot.channels.slack.replies import refuse, replies_through, settle
from bot.conversation import copy
from bot.conversation.commands import TriageAction
from bot.conversation.engine import Engine
from bot.decisions.waiting import WaitingItem
from bot.delivery.outbox import Outbox
from bot.messages import Inbound, PersonRef, TurnResult
from bot.runtime.turns import ThreadTurns, TurnFailed, Turns, TurnWorkerUnavailable

log = logging.getLogger(__name__)

SLASH_COMMAND = "/triage"
MESSAGE_SHORTCUT = "triage-message-shortcut"
SLOW_TURN_SECONDS = 3.0
"""A turn still waiting (on a database lock) after this long: the person hears it is coming."""
ACK_WITHIN_SECONDS = 2.0
"""How long a command, shortcut or button waits on its turn before acknowledging anyway: Slack
shows the person an error after 3 s and never sends an interaction again, so a later ack gains
nothing. The turn carries on and its replies go out when it lands."""
# Buttons whose card is settled once used; Edit opens a form and leaves the summary usable.
_SETTLING_ACTIONS = {
    TriageAction.CONTINUE,
    TriageAction.RESTART,
    TriageAction.SUBMIT,
    TriageAction.SKIP,
    TriageAction.KEEP,
    TriageAction.CHOOSE,
    TriageAction.CONFIRM,
    TriageAction.DECLINE,
}

OPENING_IN_DM = "I've opened your triage in our direct messages."
TOO_LONG_FOR_FORM = "That answer is too long to edit in a form, so I've asked the question here."
STILL_SAVING = "Got it. Saving is slow at the moment; my reply is on its way."


class SlackChannel:
    def __init__(
        self,
        *,
        engine: Engine,
        turns: Turns | None = None,
        waiting: Callable[[PersonRef], list[WaitingItem]] | None = None,
        outbox: Outbox,
    ) -> None:
        self.engine = engine
        self.turns = turns or ThreadTurns(engine)
        self.waiting = waiting
        self.outbox = outbox
        self.people = SlackPeople()
        self._committing: dict[str, asyncio.Future[bool]] = {}

    def hold_ack(self, body: dict[str, Any]) -> asyncio.Future[bool] | None:
        """For the request gate: a direct message's 200 waits on this. True once the turn has
        committed, or failed and the person was told; False when it never ran (something broke
        before it), so the gate answers 503 and Slack delivers the message again. Anything
        else is acknowledged as Bolt does."""
        event = body.get("event")
        event_id = body.get("event_id")
        if not (
            body.get("type") == "event_callback"
            and isinstance(event, dict)
            and isinstance(event_id, str)
            and event.get("type") == "message"
            and is_plain_direct_message(event)
        ):
            return None
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._committing[event_id] = waiter

        def forget(done: asyncio.Future[bool]) -> None:
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
        if is_answer_changed(event):
            await client.chat_postMessage(channel=event["channel"], text=copy.EDITS_NOT_FILED)
            return
        if not is_plain_direct_message(event):
            return
        committed = self._committing.get(str(body.get("event_id")))
        thread = thread_of(event)
        stored = False
        try:
            person = await self.people.person(client, identity_of(body), event["user"], wait=True)
            reference = conversation_ref(body, event["channel"])
            inbound = Inbound.say(
                person,
                typed_text(event.get("text")),
                attachments=attachments_of(event),
                event_id=body.get("event_id"),
                conversation_ref=reference,
                reply_to=self._reply_to({**reference, **({"thread_ts": thread} if thread else {})}),
            )
            try:
                result = await self._turn(inbound, client, event["channel"])
            except TurnWorkerUnavailable:  # it never ran: Slack must deliver it again
                raise
            except Exception:  # it ran and failed (rolled back); the person hears so
                stored = True
                raise
            stored = True
        finally:
            if committed is not None and not committed.done():
                committed.set_result(stored)
        await self._deliver(client, event["channel"], result, thread_ts=thread)

    async def on_slash_command(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        arrived = asyncio.get_running_loop().time()
        try:
            user_id = command["user_id"]
            person = await self.people.person(client, identity_of(command), user_id, wait=True)
            title = (command.get("text") or "").strip() or None
            inbound = Inbound.start(
                person,
                title=title,
                event_id=interaction_id(command),
                reply_to=self._reply_to(conversation_ref(command, user_id)),
            )
            turn = await self._turn_by_ack(inbound, arrived)
        finally:
            await ack(text=OPENING_IN_DM)
        result = await self._landed(turn, command, client)
        if result is None:
            return
        await self._deliver(client, await self._open_dm(client, user_id), result)

    async def on_message_shortcut(
        self, ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient
    ) -> None:
        arrived = asyncio.get_running_loop().time()
        try:
            user_id = shortcut["user"]["id"]
            person = await self.people.person(client, identity_of(shortcut), user_id, wait=True)
            message = shortcut.get("message") or {}
            link = await message_link(client, shortcut, message.get("ts"))
            inbound = Inbound.start(
                person,
                title=(message.get("text") or "").strip() or None,
                fresh=True,
                source_link=link,
                event_id=interaction_id(shortcut),  # a replayed request cancels nothing
                reply_to=self._reply_to(conversation_ref(shortcut, user_id)),
            )
            turn = await self._turn_by_ack(inbound, arrived)
        finally:
            await ack()
        result = await self._landed(turn, shortcut, client)
        if result is None:
            return
        await self._deliver(client, await self._open_dm(client, user_id), result)

    async def on_new_request(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        arrived = asyncio.get_running_loop().time()
        try:
            user_id = body["user"]["id"]
            person = await self.people.person(client, identity_of(body), user_id, wait=True)
            inbound = Inbound.start(
                person,
                event_id=interaction_id(body),
                reply_to=self._reply_to(conversation_ref(body, user_id)),
            )
            turn = await self._turn_by_ack(inbound, arrived)
        finally:
            await ack()
        result = await self._landed(turn, body, client)
        if result is None:
            return
        await self._deliver(client, await self._open_dm(client, user_id), result)

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        arrived = asyncio.get_running_loop().time()
        action_id = blocks.action_id_of(action.get("action_id", ""))
        if action_id == TriageAction.EDIT:  # opens a form: nothing is stored yet
            await ack()
        try:
            user_id = body["user"]["id"]
            channel = (body.get("channel") or {}).get("id") or await self._open_dm(client, user_id)
            person = await self.people.person(client, identity_of(body), user_id)
            value = str(action.get("value") or "")
            if action_id == TriageAction.EDIT and await self._open_answer_form(
                client, body, person, value, channel
            ):
                return
            reference = conversation_ref(body, channel)
            inbound = Inbound.press(
                person,
                action_id,
                value,
                event_id=interaction_id(body, action),
                conversation_ref=reference,
                reply_to=self._reply_to(reference),
            )
            turn = await self._turn_by_ack(inbound, arrived)
        finally:
            if action_id != TriageAction.EDIT:
                await ack()
        result = await self._landed(turn, body, client)
        if result is None:
            return
        if result.refused:
            await refuse(client, channel, user_id, result.messages)
            return
        message = body.get("message")
        if message and action_id in _SETTLING_ACTIONS:
            label = (action.get("text") or {}).get("text") or action_id
            await settle(client, channel, message, label)
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
        arrived = asyncio.get_running_loop().time()
        user_id = body["user"]["id"]
        person = await self.people.person(client, identity_of(body), user_id, look_up=False)
        state = view.get("state", {}).get("values", {})
        text = (state.get(blocks.ANSWER_BLOCK, {}).get(blocks.ANSWER_INPUT, {}) or {}).get("value")
        inbound = Inbound.press(
            person,
            TriageAction.REPLACE,
            view.get("private_metadata", ""),
            text=text or "",
            event_id=interaction_id(body),
            reply_to=self._reply_to({"channel": user_id, "team_id": team_id_of(body)}),
        )
        turn = await self._turn_by_ack(inbound, arrived)
        landed = turn.result() if turn.done() else None
        if landed is not None and landed.problem and not landed.refused:
            self.outbox.discard(landed)  # shown inside the form instead
            await ack(response_action="errors", errors={blocks.ANSWER_BLOCK: landed.problem})
            return
        await ack()
        result = await self._landed(turn, body, client)
        if result is None:
            return
        channel = await self._open_dm(client, user_id)
        if result.refused:
            await refuse(client, channel, user_id, result.messages)
            return
        await self._deliver(client, channel, result)

    async def on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        person = await self.people.person(client, identity_of(body), event["user"])
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

    async def _turn_by_ack(self, inbound: Inbound, arrived: float) -> asyncio.Future[TurnResult]:
        """The turn, done unless it ran past the moment the ack must go (ACK_WITHIN_SECONDS
        after the listener started); the caller acknowledges, then awaits it."""
        turn = asyncio.ensure_future(self.turns.handle(inbound))
        loop = asyncio.get_running_loop()
        await asyncio.wait({turn}, timeout=max(0.0, arrived + ACK_WITHIN_SECONDS - loop.time()))
        if not turn.done():
            log.warning("acknowledging before the turn for %s landed", inbound.person.user_id)
        return turn

    async def _landed(
        self, turn: asyncio.Future[TurnResult], body: dict[str, Any], client: AsyncWebClient
    ) -> TurnResult | None:
        """An acknowledged turn's result; a failure is told here rather than raised, because
        Bolt, seeing a listener fail just after its ack, drops an ack it has not sent yet."""
        try:
            return await turn
        except Exception as error:
            await self.on_error(error, body, client)
            return None

    def _reply_to(self, reference: dict[str, Any]) -> dict[str, Any] | None:
        """Where the replies go, kept in the outbox with the turn."""
        return reference

    async def _open_dm(self, client: AsyncWebClient, user_id: str) -> str:
        response = await client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

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

    async def _deliver(
        self,
        client: AsyncWebClient,
        channel: str,
        result: TurnResult,
        *,
        thread_ts: str | None = None,
    ) -> None:
        destination = {"channel": channel, **({"thread_ts": thread_ts} if thread_ts else {})}
        await self.outbox.deliver(result, destination, send=replies_through(client))
