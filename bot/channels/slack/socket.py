"""Slack over Socket Mode: the same Bolt app and listeners, no public URL needed."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.app import App
from bot.channels.slack.app import wire_slack
from bot.config import reveal
from bot.heap import freeze_startup_objects
from bot.scheduler import start_scheduler


async def run_socket_mode(app: App, *, run_scheduler: bool = True) -> None:
    """Everything ``serve`` offers in Slack (review card, decisions, reminders), over a
    WebSocket the bot opens itself."""
    await app.turns.start()
    async with aiohttp.ClientSession() as session:
        bolt_app = wire_slack(app, session)
        scheduler = start_scheduler(app.reminders) if run_scheduler else None
        handler = AsyncSocketModeHandler(bolt_app, reveal(app.settings.slack_app_token))
        freeze_startup_objects()
        try:
            await handler.start_async()
        except asyncio.CancelledError:
            await handler.close_async()
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app.turns.close()
