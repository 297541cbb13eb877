"""Teams turns under load: `triage-bot serve` on SQLite beside a bare botbuilder echo bot.

The Slack benchmark's shape for Teams: closed-loop requesters post message activities to
/api/messages with serviceUrl pointing at a local Bot Connector stand-in, and wait for the reply
to arrive there. Per level: turns per second, latency p50/p95/p99, acknowledgement p99 and peak
memory, for the bot and for bench/teams_echo_app.py in the same run on the same harness.
Run: `.venv/bin/python bench/teams_turns.py` (also in `make bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import aiohttp
from aiohttp import web
from harness import (
    HEADER,
    ROOT,
    LevelResult,
    Replies,
    Send,
    bot_command,
    child_server,
    free_port,
    report_ratios,
    report_row,
    run_level,
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
    print(f"{seconds:.0f} s per level, closed loop, Teams activities")
    print(HEADER)
    results: dict[tuple[str, int], LevelResult] = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("echo", "bot"):
            port = free_port()
            env = {
                "TEAMS_EMULATOR": "1",
                "DATABASE_URL": f"sqlite:///{Path(folder) / kind}.db",
                "TRIAGE_CONFIG": str(ROOT / "app.yaml"),
                "LOG_LEVEL": "ERROR",
            }
            command = (
                bot_command(port)
                if kind == "bot"
                else [sys.executable, str(ROOT / "bench/teams_echo_app.py"), str(port)]
            )
            url = f"http://127.0.0.1:{port}/api/messages"
            with child_server(command, env, port) as pid:
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    for warm_up, level in [(True, 1)] + [(False, n) for n in levels]:
                        tag = f"{kind}{level}{time.monotonic_ns()}"
                        send = make_sender(http, url, service_url, replies, tag)
                        result = await run_level(send, level, 0.5 if warm_up else seconds, pid)
                        if not warm_up:
                            results[(kind, level)] = result
                            report_row(kind, level, result)
    await runner.cleanup()
    report_ratios(results, "echo", levels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(main_async([int(x) for x in args.levels.split(",")], args.seconds))


if __name__ == "__main__":
    main()
