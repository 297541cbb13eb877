"""Getting a turn's replies to Slack after the turn is committed.

The conversation state is already stored when a reply goes out, so a reply that cannot be
delivered (after the client's own retries) is logged with the request reference and tried again
later rather than lost. Refusals go only to the person who pressed, and a used card is settled
so its buttons cannot be pressed twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import blocks
from bot.messages import Outbound, TurnResult

log = logging.getLogger(__name__)

REDELIVERY_DELAYS = (5.0, 30.0, 120.0)


class SlackReplies:
    def __init__(self) -> None:
        self._background: set[asyncio.Task[None]] = set()

    async def deliver(self, client: AsyncWebClient, channel: str, result: TurnResult) -> None:
        if result.duplicate:
            return
        for payload in blocks.turn_payloads(result.messages):
            try:
                await client.chat_postMessage(channel=channel, **payload)
            except Exception as exc:  # SlackApiError, or the network after the retry handlers
                log.error(
                    "could not deliver a reply for %s to %s (%s); retrying later",
                    result.request_reference or "no request",
                    channel,
                    exc,
                )
                self._redeliver_later(client, channel, payload, result.request_reference)

    async def refuse(
        self, client: AsyncWebClient, channel: str, user_id: str, messages: list[Outbound]
    ) -> None:
        log.info("refused an action from %s", user_id)
        for payload in blocks.turn_payloads(messages):
            await client.chat_postEphemeral(channel=channel, user=user_id, **payload)

    async def settle(
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

    def _redeliver_later(
        self, client: AsyncWebClient, channel: str, payload: dict[str, Any], reference: str | None
    ) -> None:
        async def redeliver() -> None:
            for delay in REDELIVERY_DELAYS:
                await asyncio.sleep(delay)
                try:
                    await client.chat_postMessage(channel=channel, **payload)
                    log.info("delivered the delayed reply for %s", reference or "no request")
                    return
                except Exception as exc:
                    log.warning("redelivery for %s failed again: %s", reference, exc)
            log.error("gave up delivering a reply for %s to %s", reference, channel)

        task = asyncio.get_running_loop().create_task(redeliver())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
