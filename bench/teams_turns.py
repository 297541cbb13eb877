"""Teams turns under load: `triage-bot serve` on SQLite beside a bare botbuilder echo bot.

The Slack benchmark's shape for Teams: closed-loop requesters post message activities to
/api/messages with serviceUrl pointing at a local Bot Connector stand-in, and wait for the reply
to arrive there. Per level: turns per second, latency p50/p95/p99, acknowledgement p99 and peak
memory, for the bot and for bench/teams_echo_app.py in the same run on the same harness.
Run: `.venv/bin/python bench/teams_turns.py` (also in `make bench`).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from urllib.parse import unquote

import aiohttp
from aiohttp import web
from harness import (
    Replies,
    Send,
    compare,
    echo_and_bot,
    free_port,
    main,
)


def fake_connector(replies: Replies) -> web.Application:
    async def activities(request: web.Request) -> web.Response:
        replies.arrived(unquote(request.match_info["conversation"]))
        return web.json_response({"id": "reply"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", activities)
    app.router.add_post("/v3/conversations/{conversation}/activities/{id}", activities)
    app.router.add_put("/v3/conversations/{conversation}/activities/{id}", activities)
    return app


def make_sender(
    http: aiohttp.ClientSession, url: str, service_url: str, replies: Replies, tag: str
) -> Send:
    async def send(n: int, text: str, reply: asyncio.Future[float]) -> int:
        user = f"29:{tag}-{n}"
        conversation = f"a:{tag}-{n}"
        replies.waiting[conversation] = reply
        activity = {
            "type": "message",
            "id": f"{tag}-{n}-{time.monotonic_ns()}",
            "text": text,
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": service_url,
            "channelId": "msteams",
            "from": {"id": user, "name": "Bench", "aadObjectId": user},
            "recipient": {"id": "28:bot", "name": "Triage"},
            "conversation": {
                "id": conversation,
                "conversationType": "personal",
                "tenantId": "tenant",
            },
        }
        async with http.post(
            url, data=json.dumps(activity), headers={"Content-Type": "application/json"}
        ) as response:
            await response.read()
            return response.status

    return send


async def main_async(levels: list[int], seconds: float) -> None:
    replies = Replies()
    runner = web.AppRunner(fake_connector(replies), access_log=None)
    await runner.setup()
    connector_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", connector_port).start()
    service_url = f"http://127.0.0.1:{connector_port}/"
    with tempfile.TemporaryDirectory() as folder:
        contenders = echo_and_bot(
            folder, "teams_echo_app.py", "/api/messages", {"TEAMS_EMULATOR": "1"}
        )
        await compare(
            "Teams activities",
            contenders,
            lambda http, url, tag: make_sender(http, url, service_url, replies, tag),
            levels,
            seconds,
        )
    await runner.cleanup()


if __name__ == "__main__":
    main(main_async, __doc__.splitlines()[0])
