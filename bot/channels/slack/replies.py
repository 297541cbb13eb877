"""Getting replies to Slack: outbox rows sent, refusals shown to the one who pressed, used
cards settled, and the review channel told about a reply that never arrived.

A turn's replies are one or more chat.postMessage calls (more when its blocks pass Slack's
50-block limit); a retry starts after the ones already delivered. The client's retry handlers
have already tried again on 429 and 5xx by the time an error reaches here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import escape, settled_blocks, turn_payloads
from bot.channels.slack.decisions import UNREACHABLE_ERRORS
from bot.channels.slack.errors import slack_error
from bot.delivery.outbox import UNDELIVERED_NOTICE, DeliveryFailed, Send, Undelivered
from bot.messages import Outbound
from bot.storage.database import Database
from bot.storage.models import Person

log = logging.getLogger(__name__)

ClientFor = Callable[[dict[str, Any]], Awaitable[AsyncWebClient]]


def replies_through(client: AsyncWebClient) -> Send:
    """A Send over one client (a listener's, which holds the right workspace's token)."""

    async def send(destination: dict[str, Any], messages: list[Outbound], skip: int) -> None:
        await post_replies(client, destination, messages, skip)

    return send


def replies_by_workspace(client_for: ClientFor) -> Send:
    """A Send that finds each destination's workspace client (for the retry loop, outside
    any request)."""

    async def send(destination: dict[str, Any], messages: list[Outbound], skip: int) -> None:
        try:
            client = await client_for(destination)
        except Exception as exc:
            raise DeliveryFailed(skip, f"no token for the workspace: {exc!r}") from exc
        await post_replies(client, destination, messages, skip)

    return send


async def post_replies(
    client: AsyncWebClient, destination: dict[str, Any], messages: list[Outbound], skip: int
) -> None:
    channel = destination.get("channel")
    if not channel:
        raise DeliveryFailed(skip, "no channel to reply in", permanent=True)
    sent = skip
    thread = {"thread_ts": destination["thread_ts"]} if destination.get("thread_ts") else {}
    for payload in turn_payloads(messages)[skip:]:
        try:
            await client.chat_postMessage(channel=channel, **thread, **payload)
        except SlackApiError as exc:
            error = slack_error(exc)
            raise DeliveryFailed(
                sent,
                f"Slack answered {exc.response.status_code}: {error}",
                permanent=error in UNREACHABLE_ERRORS,
            ) from exc
        except Exception as exc:  # a timeout or dropped connection, after the retry handlers
            raise DeliveryFailed(sent, f"no answer from Slack ({type(exc).__name__})") from exc
        sent += 1


def undelivered_notice(
    database: Database, client: AsyncWebClient, review_channel: str | None
) -> Callable[[Undelivered], Awaitable[None]]:
    async def notify(undelivered: Undelivered) -> None:
        if not review_channel:
            return
        with database.session(write=False) as session:
            person = session.get(Person, undelivered.person_id)
        who = f"<@{escape(person.platform_user_id)}>" if person else "a requester"
        text = UNDELIVERED_NOTICE.format(
            person=who,
            reference=undelivered.reference or "their request",
            error=escape(undelivered.error),
        )
        await client.chat_postMessage(channel=review_channel, text=text)

    return notify


async def refuse(
    client: AsyncWebClient, channel: str, user_id: str, messages: list[Outbound]
) -> None:
    """Only to the person who pressed: nobody else sees a refusal."""
    log.info("refused an action from %s", user_id)
    for payload in turn_payloads(messages):
        await client.chat_postEphemeral(channel=channel, user=user_id, **payload)


async def settle(client: AsyncWebClient, channel: str, message: dict[str, Any], label: str) -> None:
    """A used card loses its buttons, so nothing on it is pressed twice."""
    try:
        await client.chat_update(
            channel=channel,
            ts=message["ts"],
            text=message.get("text") or label,
            blocks=settled_blocks(message.get("blocks") or [], label),
        )
    except SlackApiError as exc:
        log.warning("could not settle card %s: %s", message.get("ts"), slack_error(exc))
