"""Reading Slack payloads: which messages are a person talking to the bot, what identifies one
interaction, where a person can be reached later, and a shared message's link."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.people import LOOKUP_BEFORE_ACK_SECONDS, team_id_of

log = logging.getLogger(__name__)

_PLAIN_MESSAGE_SUBTYPES = {None, "file_share", "thread_broadcast"}


def is_plain_direct_message(event: dict[str, Any]) -> bool:
    """A person typing in our DM: not a bot, not an edit or deletion, not a channel."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _PLAIN_MESSAGE_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def interaction_id(body: dict[str, Any], action: dict[str, Any] | None = None) -> str | None:
    """A button press, command or shortcut as one delivery: Slack gives each interaction its
    own trigger id, so the same request replayed (or run again after a crash) is recognised."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return None
    return f"trigger:{trigger}:{(action or {}).get('action_ts', '')}"[:200]


def conversation_ref(body: dict[str, Any], channel: str) -> dict[str, Any]:
    """Where to reach this person later (reminders, outcomes), kept on the conversation row."""
    return {
        "channel": channel,
        "team_id": team_id_of(body),
        "enterprise_id": body.get("enterprise_id"),
    }


async def message_link(
    client: AsyncWebClient, shortcut: dict[str, Any], ts: str | None
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
