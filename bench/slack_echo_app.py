"""The baseline for bench/slack_turns.py: a bare Bolt AsyncApp that echoes every DM.

Same harness, same transport as the bot (aiohttp, Bolt's aiohttp adapter, one shared client
session, slack_sdk retry handlers), but no database and no conversation: the floor that any
Slack bot on this machine pays per turn.
"""

from __future__ import annotations

import os
import sys

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

BOLT = web.AppKey("bolt", AsyncApp)


def build() -> web.Application:
    web_app = web.Application()

    async def lifecycle(web_app: web.Application):  # type: ignore[no-untyped-def]
        async with aiohttp.ClientSession() as session:
            client = AsyncWebClient(
                token=os.environ["SLACK_BOT_TOKEN"],
                base_url=os.environ["SLACK_API_URL"],
                session=session,
            )
            app = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

            @app.event("message")
            async def echo(event: dict, client: AsyncWebClient) -> None:  # type: ignore[type-arg]
                await client.chat_postMessage(channel=event["channel"], text=event.get("text", ""))

            web_app[BOLT] = app
            yield

    async def events(request: web.Request) -> web.Response:
        response = await request.app[BOLT].async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app.cleanup_ctx.append(lifecycle)
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    return web_app


if __name__ == "__main__":
    web.run_app(build(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
