"""``triage-bot socket``: everything ``serve`` offers in Slack (review card, decisions,
reminders) over a WebSocket the bot opens itself."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.app import App, keep_drafting_caught_up, start_channels
from bot.channels.slack.app import WEB_API_TIMEOUT
from bot.channels.slack.socket import socket_handler
from bot.config import reveal
from bot.reminders.scheduler import start_scheduler
from bot.runtime.heap import freeze_startup_objects


async def run_socket_mode(app: App, *, run_scheduler: bool = True) -> None:
    await app.turns.start()
    async with aiohttp.ClientSession(timeout=WEB_API_TIMEOUT) as session:
        live = start_channels(app, session, teams=False)
        assert live.slack is not None, "Socket Mode needs Slack configured"
        await live.start()
        scheduler = start_scheduler(app.reminders) if run_scheduler else None
        catching_up = asyncio.get_running_loop().create_task(keep_drafting_caught_up(app))
        handler = socket_handler(
            live.slack.bolt,
            reveal(app.settings.slack_app_token) or "",
            hold=live.slack.channel.hold_ack,
        )
        freeze_startup_objects()
        try:
            await handler.start_async()
        except asyncio.CancelledError:
            await handler.close_async()
        finally:
            catching_up.cancel()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app.turns.close()
            await live.close()
