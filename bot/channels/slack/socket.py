"""Slack over Socket Mode: the WebSocket handler for a Bolt app, no public URL needed.

As over HTTP, a direct message is acknowledged only once its turn has committed: Slack sends an
envelope it got no acknowledgement for again (``retry_attempt``), and the delivery id makes the
second copy change nothing if the first did land."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from time import time
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.channels.slack.http import HOLD_SECONDS

log = logging.getLogger(__name__)

HoldAck = Callable[[dict[str, Any]], "asyncio.Future[bool] | None"]


class HeldSocketModeHandler(AsyncSocketModeHandler):
    def __init__(self, app: AsyncApp, app_token: str, hold: HoldAck | None = None) -> None:
        super().__init__(app, app_token)
        self._hold = hold

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time()
        bolt_request = AsyncBoltRequest(
            mode="socket_mode", body=req.payload, headers=build_headers(req)
        )
        stored = self._hold(bolt_request.body) if self._hold is not None else None
        response = await self.app.async_dispatch(bolt_request)
        if stored is not None and response.status == 200:
            try:
                landed = await asyncio.wait_for(asyncio.shield(stored), HOLD_SECONDS)
            except TimeoutError:
                landed = False
            finally:
                stored.cancel()
            if not landed:
                log.warning("a direct message was not stored; Slack will send it again")
                return  # no acknowledgement
        elif stored is not None:
            stored.cancel()
        await send_async_response(client, req, response, start)


def socket_handler(
    bolt: AsyncApp, app_token: str, hold: HoldAck | None = None
) -> AsyncSocketModeHandler:
    return HeldSocketModeHandler(bolt, app_token, hold)
