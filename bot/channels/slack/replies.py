"""Getting replies to Slack: outbox rows sent, refusals shown to the one who pressed, used
cards settled, and the review channel told about a reply that never arrived.

A turn's replies are one or more chat.postMessage calls (more when its blocks pass Slack's
50-block limit); a retry starts after the ones already delivered. The client's retry handlers
have already tried again on 429 (and where nothing can have landed) by the time an error reaches
here. Each part carries message metadata naming its outbox row and number; after a try that may
have landed without Slack saying so, the next one reads the conversation for that tag first.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import escape, settled_blocks, turn_payloads
from bot.channels.slack.decisions import UNREACHABLE_ERRORS
from bot.channels.slack.errors import slack_error
from bot.channels.slack.retries import never_reached_slack, posting_once
from bot.delivery.outbox import UNDELIVERED_NOTICE, Attempt, DeliveryFailed, Send, Undelivered
from bot.messages import Outbound
from bot.storage.database import Database
from bot.storage.models import Person

log = logging.getLogger(__name__)

ClientFor = Callable[[dict[str, Any]], Awaitable[AsyncWebClient]]
REPLY_EVENT = "triage_reply"
"""The metadata event type on every outbox reply: its payload names the row and the part."""
LOOK_BEFORE = timedelta(minutes=1)
"""How much earlier than the first uncertain try a history look starts: Slack's clock and ours
may differ a little."""
PAGE_SIZE = 15
"""Slack's most for conversations.history and .replies for apps outside its Marketplace."""
MOST_PAGES = 4
MAY_HAVE_POSTED = {"internal_error", "fatal_error"}
"""Slack's ok:false answers that say some of the call may have been done all the same."""


def replies_through(client: AsyncWebClient) -> Send:
    """A Send over one client (a listener's, which holds the right workspace's token)."""

    async def send(destination: dict[str, Any], messages: list[Outbound], attempt: Attempt) -> None:
        await post_replies(client, destination, messages, attempt)

    return send


def replies_by_workspace(client_for: ClientFor) -> Send:
    """A Send that finds each destination's workspace client (for the retry loop, outside
    any request)."""

    async def send(destination: dict[str, Any], messages: list[Outbound], attempt: Attempt) -> None:
        try:
            client = await client_for(destination)
        except Exception as exc:
            raise DeliveryFailed(attempt.skip, f"no token for the workspace: {exc!r}") from exc
        await post_replies(client, destination, messages, attempt)

    return send


async def post_replies(
    client: AsyncWebClient, destination: dict[str, Any], messages: list[Outbound], attempt: Attempt
) -> None:
    """Each part tagged with the row and its number, so a later try can find what landed."""
    channel = destination.get("channel")
    if not channel:
        raise DeliveryFailed(attempt.skip, "no channel to reply in", permanent=True)
    thread = {"thread_ts": destination["thread_ts"]} if destination.get("thread_ts") else {}
    payloads = turn_payloads(messages)
    sent = attempt.skip
    if attempt.maybe_sent_since is not None and sent < len(payloads):
        sent = await _already_posted(client, channel, destination.get("thread_ts"), attempt)
    for part in range(sent, len(payloads)):
        metadata = {
            "event_type": REPLY_EVENT,
            "event_payload": {"outbox": attempt.outbox_id, "part": part},
        }
        try:
            with posting_once():
                await client.chat_postMessage(
                    channel=channel, metadata=metadata, **thread, **payloads[part]
                )
        except SlackApiError as exc:
            error = slack_error(exc)
            status = exc.response.status_code
            raise DeliveryFailed(
                part,
                f"Slack answered {status}: {error}",
                permanent=error in UNREACHABLE_ERRORS,
                maybe_sent=status >= 500 or error in MAY_HAVE_POSTED,
            ) from exc
        except Exception as exc:  # a timeout or dropped connection, after the retry handlers
            raise DeliveryFailed(
                part,
                f"no answer from Slack ({type(exc).__name__})",
                maybe_sent=not never_reached_slack(exc),
            ) from exc


async def _already_posted(
    client: AsyncWebClient, channel: str, thread_ts: str | None, attempt: Attempt
) -> int:
    """The first part from ``attempt.skip`` on that is not in the conversation yet. Only after
    a try that may have landed unseen, so the first try of every reply costs no look."""
    assert attempt.maybe_sent_since is not None
    oldest = f"{(attempt.maybe_sent_since - LOOK_BEFORE).timestamp():.6f}"
    found: set[int] = set()
    cursor: str | None = None
    try:
        for _ in range(MOST_PAGES):
            query: dict[str, Any] = {
                "channel": channel,
                "oldest": oldest,
                "limit": PAGE_SIZE,
                "include_all_metadata": True,
                **({"cursor": cursor} if cursor else {}),
            }
            if thread_ts:  # a thread's replies are not in the channel's history
                page = await client.conversations_replies(ts=thread_ts, **query)
            else:
                page = await client.conversations_history(**query)
            found |= _parts_of(page.get("messages") or [], attempt.outbox_id)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        else:
            log.warning("reply %s: more history than one look reads", attempt.outbox_id)
    except SlackApiError as exc:
        status = exc.response.status_code
        if status == 429 or status >= 500:
            raise DeliveryFailed(
                attempt.skip,
                f"could not look for reply {attempt.outbox_id}: {status}",
                maybe_sent=True,
            ) from exc
        # Slack will not let us look (a workspace installed without im:history): at least once.
        log.warning(
            "cannot read the conversation to find reply %s (%s); sending it again",
            attempt.outbox_id,
            slack_error(exc),
        )
        return attempt.skip
    except Exception as exc:
        raise DeliveryFailed(
            attempt.skip,
            f"could not look for reply {attempt.outbox_id} ({type(exc).__name__})",
            maybe_sent=True,
        ) from exc
    part = attempt.skip
    while part in found:
        part += 1
    if part > attempt.skip:
        log.info(
            "reply %s had reached Slack already (%d part(s))",
            attempt.outbox_id,
            part - attempt.skip,
        )
    return part


def _parts_of(messages: list[Any], outbox_id: int) -> set[int]:
    parts: set[int] = set()
    for message in messages:
        metadata = message.get("metadata") if isinstance(message, dict) else None
        if not isinstance(metadata, dict) or metadata.get("event_type") != REPLY_EVENT:
            continue
        payload = metadata.get("event_payload") or {}
        if payload.get("outbox") == outbox_id and isinstance(payload.get("part"), int):
            parts.add(payload["part"])
    return parts


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
