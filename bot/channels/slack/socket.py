"""Slack over Socket Mode: the WebSocket handler for a Bolt app, no public URL needed."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp


def socket_handler(bolt: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    return AsyncSocketModeHandler(bolt, app_token)
