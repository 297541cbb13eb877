"""Reading Slack payloads: which messages are a person talking to the bot, what identifies one
interaction, where a person can be reached later, and a shared message's link."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import unescape
from bot.channels.slack.errors import slack_error
from bot.channels.slack.people import LOOKUP_BEFORE_ACK_SECONDS, enterprise_id_of, team_id_of
from bot.messages import Attachment

log = logging.getLogger(__name__)

_PLAIN_MESSAGE_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}


def is_plain_direct_message(event: dict[str, Any]) -> bool:
    """A person typing in our DM: not a bot, not an edit or deletion, not a channel."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _PLAIN_MESSAGE_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def typed_text(text: str | None) -> str:
    """What the person typed. Slack sends message text with &, < and > escaped (its markup);
    a form's input comes as typed. One encoding is stored, the person's, and it is escaped
    again only when drawn."""
    return unescape(text or "")


def attachments_of(event: dict[str, Any]) -> tuple[Attachment, ...]:
    files = event.get("files")
    if not isinstance(files, list):
        return ()
    return tuple(
        Attachment(
            name=str(file.get("name") or file.get("title") or ""),
            link=str(file.get("permalink") or file.get("url_private") or ""),
        )
        for file in files
        if isinstance(file, dict)
    )


def thread_of(event: dict[str, Any]) -> str | None:
    """The thread a reply was typed in, so the next question is asked there too."""
    thread = event.get("thread_ts")
    return str(thread) if thread and thread != event.get("ts") else None


def is_answer_changed(event: dict[str, Any]) -> bool:
    """A person edited or deleted their own message in our DM (not the bot updating a card,
    not Slack adding a link preview, which also arrives as message_changed)."""
    if event.get("channel_type") != "im":
        return False
    subtype = event.get("subtype")
    before = event.get("previous_message") or {}
    after = event.get("message") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return False
    if subtype == "message_changed":
        return _by_a_person(after) and after.get("text") != before.get("text")
    return subtype == "message_deleted" and _by_a_person(before)


def _by_a_person(message: dict[str, Any]) -> bool:
    return (
        bool(message.get("user")) and not message.get("bot_id") and message["user"] != "USLACKBOT"
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
        "enterprise_id": enterprise_id_of(body),
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
        log.warning("chat.getPermalink failed: %s", slack_error(exc))
    except Exception as exc:
        log.warning("chat.getPermalink failed: %r", exc)
    domain = (shortcut.get("team") or {}).get("domain")
    if not domain:
        return None
    return f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
