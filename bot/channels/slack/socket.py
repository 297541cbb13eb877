"""Slack over Socket Mode: the same Bolt app and listeners, no public URL needed."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import App
from bot.channels.slack.app import build_slack_app


async def run_socket_mode(app: App) -> None:
    async with aiohttp.ClientSession() as session:
        bolt_app = build_slack_app(
            settings=app.settings, engine=app.engine, database=app.database, session=session
        )
        handler = AsyncSocketModeHandler(bolt_app, app.settings.slack_app_token)
        try:
            await handler.start_async()
        except asyncio.CancelledError:
            await handler.close_async()
