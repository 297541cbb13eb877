"""Any flow's buttons and forms in Slack: the review flow's and the decision flow's alike.

A button goes to the flow's ``act``; what comes back is drawn: a modal for a form, the card it
was pressed on redrawn in place, or a message only the presser sees. A modal's submission
goes back to the same flow with its inputs, and field errors are shown on the modal. People
picked in a form come with the name and time zone Slack knows them by.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import action_id_of, escape
from bot.channels.slack.errors import slack_error
from bot.channels.slack.forms import card_blocks, form_of_view, form_view, view_inputs
from bot.channels.slack.people import identity_of
from bot.messages import ActResult, PersonRef

log = logging.getLogger(__name__)

Act = Callable[[PersonRef, str, str, Mapping[str, str] | None], ActResult]


class SlackFlowActions:
    def __init__(
        self,
        *,
        act: Act,
        actions: Sequence[str],
        form_callback: str,
        before: Callable[[AsyncWebClient], Awaitable[None]] | None = None,
    ) -> None:
        self.act = act
        self.actions = tuple(actions)
        self.form_callback = form_callback
        self.before = before
        """Run before each action (the reviewer user group's members are read here)."""

    def register(self, app: AsyncApp) -> None:
        for action_id in self.actions:
            # buttons sharing an action id in one block carry a '.N' suffix (blocks.actions_block)
            app.action(re.compile(rf"^{re.escape(action_id)}(\.\d+)?$"))(self.on_action)
        app.view(self.form_callback)(self.on_form)

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        if self.before is not None:
            await self.before(client)
        person = acting_person(body)
        channel, ts = _where(body)
        action_id = action_id_of(str(action.get("action_id") or ""))
        value = str(action.get("value") or "")
        result = await asyncio.to_thread(self.act, person, action_id, value, None)
        if result.form is not None:
            view = form_view(result.form, callback_id=self.form_callback, channel=channel, ts=ts)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        await _show(client, person, channel, ts, result)

    async def on_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        action_id, value, channel, ts = form_of_view(view)
        person = acting_person(body)
        inputs, picked = view_inputs(view)
        for field, user_id in picked.items():
            inputs.update(await _known_as(client, field, user_id))
        if self.before is not None:
            await self.before(client)
        result = await asyncio.to_thread(self.act, person, action_id, value, inputs)
        if result.errors:
            first = next(iter(inputs), "")
            errors = {field or first: problem for field, problem in result.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await _show(client, person, channel, ts, result)


async def _show(
    client: AsyncWebClient, person: PersonRef, channel: str, ts: str, result: ActResult
) -> None:
    """A refusal only the presser sees; a card redrawn where it was pressed, which shows what
    was done; otherwise what was done, in the conversation."""
    channel = channel or await _open_dm(client, person.user_id)
    if not result.ok:
        log.info("refused %s: %s", person.user_id, result.message)
        await client.chat_postEphemeral(
            channel=channel, user=person.user_id, text=escape(result.message)
        )
        return
    if result.card is not None and ts:
        card = result.card
        await client.chat_update(
            channel=channel, ts=ts, text=escape(card.text), blocks=card_blocks(card)
        )
        return
    if result.message:
        await client.chat_postMessage(channel=channel, text=escape(result.message))


async def _open_dm(client: AsyncWebClient, user_id: str) -> str:
    response = await client.conversations_open(users=user_id)
    return str(response["channel"]["id"])


async def _known_as(client: AsyncWebClient, field: str, user_id: str) -> dict[str, str]:
    """The name and time zone Slack has for a picked person (reminders land in their day)."""
    try:
        user = (await client.users_info(user=user_id)).get("user") or {}
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", user_id, slack_error(exc))
        return {}
    profile = user.get("profile") or {}
    name = profile.get("display_name") or user.get("real_name") or user.get("name") or ""
    return {f"{field}.name": str(name), f"{field}.time_zone": str(user.get("tz") or "")}


def acting_person(body: dict[str, Any]) -> PersonRef:
    """Keyed as the triage keys people (bot.channels.slack.people.identity_of), so a
    reviewer is the same person in every flow."""
    user = body.get("user") or {}
    return PersonRef(
        platform="slack",
        user_id=str(user.get("id", "")),
        workspace_id=identity_of(body),
        display_name=str(user.get("name") or user.get("username") or ""),
    )


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """The channel and message a button was pressed on."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    ts = (body.get("message") or {}).get("ts") or container.get("message_ts") or ""
    return str(channel), str(ts)
