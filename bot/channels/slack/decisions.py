"""The sender the reminder sweep uses to reach Slack people: reminders and their buttons,
notices, and escalations to the review channel. The buttons themselves are answered by the
decision flow (bot/decisions/flows.py) through channels/slack/flow_actions.py.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.assist.service import Assistant
from bot.channels.slack.blocks import escape, turn_payloads
from bot.channels.slack.errors import slack_error
from bot.config import AppConfig
from bot.reminders.nudges import escalation_text, nudge_messages
from bot.reminders.sweep import Nudge, Undeliverable

log = logging.getLogger(__name__)

UNREACHABLE_ERRORS = {
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "user_is_restricted",
}
"""Slack's answers for a person the bot can never reach; anything else is worth a retry."""


class SlackSender:
    """How the sweep (on a scheduler thread) reaches Slack people: through the shared client on
    the server's event loop, whose retry handlers already honour 429 Retry-After."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        assistant: Assistant,
        config: AppConfig,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.client = client
        self.assistant = assistant
        self.config = config
        self.loop = loop

    def deliver(self, nudges: list[Nudge]) -> None:
        asyncio.run_coroutine_threadsafe(self._deliver(nudges), self.loop).result(timeout=120)

    def escalate(self, nudge: Nudge, problem: str | None) -> None:
        channel = self.config.review.slack_review_channel
        if not channel:
            log.warning("no review channel to escalate %s to", nudge.reference)
            return
        text = escape(escalation_text(nudge, problem))
        asyncio.run_coroutine_threadsafe(
            self.client.chat_postMessage(channel=channel, text=text), self.loop
        ).result(timeout=120)

    async def _deliver(self, nudges: list[Nudge]) -> None:
        user_id = nudges[0].recipient_user_id
        try:
            found = await asyncio.to_thread(self.assistant.person_channel, "slack", user_id)
            channel = (found or {}).get("channel") or await _open_dm(self.client, user_id)
            for payload in turn_payloads(nudge_messages(nudges)):
                await self.client.chat_postMessage(channel=channel, **payload)
        except SlackApiError as exc:
            error = slack_error(exc)
            if error in UNREACHABLE_ERRORS:
                raise Undeliverable(f"cannot be reached in Slack ({error})") from exc
            raise


async def _open_dm(client: AsyncWebClient, user_id: str) -> str:
    response = await client.conversations_open(users=user_id)
    return str(response["channel"]["id"])
