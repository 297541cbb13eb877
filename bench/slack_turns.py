"""Slack turns under load: `triage-bot serve` on SQLite beside a bare Bolt echo app.

Closed-loop simulated requesters (1, 10, 50, 200 at once) each send a signed DM event, wait for
the reply to reach the fake Slack Web API, then send the next; every requester walks the whole
triage (greeting, six answers, submit) and starts again. Per level it prints turns per second,
turn latency (event sent -> reply recorded) p50/p95/p99, the acknowledgement (HTTP response)
p99 and the server's peak memory, for the bot and for the echo app, measured in the same run on
the same harness. Run: `make bench-slack` or `.venv/bin/python bench/slack_turns.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
SCRIPT = [
    "hi",
    "New reps put discount codes in the wrong CRM field",
    "About 40 account managers in EMEA",
    "When a quote is converted into an order",
    "A wiki page nobody can find",
    "Order corrections below 5 a week by March",
    "https://wiki.example.com/discounts",
    "submit",
]


@dataclass
class FakeSlackApi:
    """The Web API side: records each reply and wakes the requester waiting for it."""

    waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    replies: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            body = await request.json()
        else:
            body = dict(await request.post()) if request.method == "POST" else {}
        params = {**body, **{k: v[0] for k, v in parse_qs(request.query_string).items()}}
        if method == "chat.postMessage":
            self.replies += 1
            future = self.waiting.pop(str(params.get("channel")), None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


@dataclass
class LevelResult:
    turns: int
    seconds: float
    latencies: list[float]
    acks: list[float]
    rss: float
    errors: int


async def run_level(
    url: str,
    api: FakeSlackApi,
    http: aiohttp.ClientSession,
    requesters: int,
    seconds: float,
    level_tag: str,
    pid: int,
) -> LevelResult:
    latencies: list[float] = []
    acks: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def requester(n: int) -> None:
        nonlocal errors
        user = f"U{level_tag}{n:04d}"
        channel = f"D{user}"
        step = 0
        while time.perf_counter() < deadline:
            text = SCRIPT[step % len(SCRIPT)]
            step += 1
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
            }
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T1",
                    "api_app_id": "A1",
                    "event_id": f"Ev{level_tag}{next(counter)}",
                    "event": event,
                    "event_time": int(time.time()),
                }
            )
            reply: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            api.waiting[channel] = reply
            sent = time.perf_counter()
            async with http.post(url, data=body, headers=signed(body)) as response:
                await response.read()
                acks.append(time.perf_counter() - sent)
                if response.status != 200:
                    errors += 1
                    continue
            try:
                arrived = await asyncio.wait_for(reply, timeout=10)
            except TimeoutError:
                errors += 1
                continue
            latencies.append(arrived - sent)

    started = time.perf_counter()
    await asyncio.gather(*(requester(n) for n in range(requesters)))
    return LevelResult(
        len(latencies), time.perf_counter() - started, latencies, acks, peak_rss_mib(pid), errors
    )


@contextmanager
def server(kind: str, api_url: str, database: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "TRIAGE_CONFIG": str(ROOT / "app.yaml"),
        "LOG_LEVEL": "ERROR",
    }
    if kind == "bot" and os.environ.get("BENCH_PROFILE"):
        command = [sys.executable, os.environ["BENCH_PROFILE"], str(port)]
    elif kind == "bot":
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-scheduler",
        ]
    else:
        command = [sys.executable, str(ROOT / "bench" / "slack_echo_app.py"), str(port)]
    child = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if child.poll() is not None:
                    raise RuntimeError(f"{kind} server exited: {child.stderr.read()}") from None
                time.sleep(0.05)
        yield base + "/slack/events", child.pid
    finally:
        child.terminate()
        child.wait(timeout=30)


async def main_async(levels: list[int], seconds: float) -> None:
    api = FakeSlackApi()
    web_app = web.Application()
    web_app.router.add_route("*", "/api/{method}", api.handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    api_url = f"http://127.0.0.1:{api_port}/api/"
    print(f"{seconds:.0f} s per level, closed loop, one machine ({os.cpu_count()} cores)")
    header = (
        f"{'app':<10}{'requesters':>11}{'turns/s':>10}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'ack p99':>9}{'peak MiB':>10}{'errors':>8}"
    )
    print(header)
    results: dict[tuple[str, int], LevelResult] = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("echo", "bot"):
            with server(kind, api_url, Path(folder) / f"{kind}.db") as (url, pid):
                connector = aiohttp.TCPConnector(limit=0)
                async with aiohttp.ClientSession(connector=connector) as http:
                    await run_level(url, api, http, 1, 0.5, f"w{kind}", pid)  # warm-up
                    for level in levels:
                        result = await run_level(
                            url, api, http, level, seconds, f"{kind}{level}x", pid
                        )
                        results[(kind, level)] = result
                        print(
                            f"{kind:<10}{level:>11}{result.turns / result.seconds:>10.0f}"
                            f"{pct(result.latencies, 0.5):>9.1f}{pct(result.latencies, 0.95):>9.1f}"
                            f"{pct(result.latencies, 0.99):>9.1f}{pct(result.acks, 0.99):>9.1f}"
                            f"{result.rss:>10.0f}{result.errors:>8}"
                        )
    await runner.cleanup()
    print("\nbot / echo at each level: throughput ratio, p99 ratio")
    for level in levels:
        bot, echo = results[("bot", level)], results[("echo", level)]
        throughput = (bot.turns / bot.seconds) / max(echo.turns / echo.seconds, 1e-9)
        p99 = pct(bot.latencies, 0.99) / max(pct(echo.latencies, 0.99), 1e-9)
        print(f"  {level:>3} requesters: {throughput:.2f}x throughput, {p99:.2f}x p99")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(main_async([int(x) for x in args.levels.split(",")], args.seconds))


if __name__ == "__main__":
    main()
