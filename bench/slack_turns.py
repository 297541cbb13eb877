"""Slack turns under load: `triage-bot serve` on SQLite beside a bare Bolt echo app.

Closed-loop simulated requesters (1, 10, 50, 200 at once) send signed DM events and wait for the
reply to reach a local fake Slack Web API. Per level it prints turns per second, turn latency
(event sent -> reply recorded) p50/p95/p99, the acknowledgement (HTTP response) p99 and the
server's peak memory, for the bot and for the echo app (bench/slack_echo_app.py), in the same run
on the same harness. Run: `.venv/bin/python bench/slack_turns.py` (also in `make bench`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import tempfile
import time
from collections.abc import Iterator
from itertools import count
from urllib.parse import parse_qs

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

SECRET = "bench-signing-secret"


def fake_slack_api(replies: Replies) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            body = await request.json()
        else:
            body = dict(await request.post()) if request.method == "POST" else {}
        params = {**body, **{k: v[0] for k, v in parse_qs(request.query_string).items()}}
        if method == "chat.postMessage":
            replies.arrived(str(params.get("channel")))
            return web.json_response({"ok": True, "ts": "1.0", "channel": params.get("channel")})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "team_id": "T1",
                    "team": "Bench",
                    "url": "https://x/",
                }
            )
        if method == "users.info":
            return web.json_response(
                {"ok": True, "user": {"id": params.get("user"), "real_name": "Bench", "tz": "UTC"}}
            )
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", handle)
    return app


def signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


def make_sender(
    http: aiohttp.ClientSession, url: str, replies: Replies, tag: str, event_ids: Iterator[int]
) -> Send:
    async def send(n: int, text: str, reply: asyncio.Future[float]) -> int:
        user = f"U{tag}x{n}"
        replies.waiting[f"D{user}"] = reply
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": event,
                "event_id": f"Ev{next(event_ids)}",
                "event_time": int(time.time()),
            }
        )
        async with http.post(url, data=body, headers=signed(body)) as response:
            await response.read()
            return response.status

    return send


async def main_async(levels: list[int], seconds: float) -> None:
    replies = Replies()
    runner = web.AppRunner(fake_slack_api(replies), access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    event_ids = count()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/",
        }
        contenders = echo_and_bot(folder, "slack_echo_app.py", "/slack/events", env)
        await compare(
            "Slack events",
            contenders,
            lambda http, url, tag: make_sender(http, url, replies, tag, event_ids),
            levels,
            seconds,
        )
    await runner.cleanup()


if __name__ == "__main__":
    main(main_async, __doc__.splitlines()[0])
