"""Fault bench: whole triages over signed Slack DMs while the bot is knocked over, then counts.

N simulated requesters walk the triage (hello, the six answers, submit) against `triage-bot
serve`, each behaving like Slack: an event without a 200 within 3 s is sent again with the same
event id. Meanwhile a seeded chaos task kills serve or its turn worker with SIGKILL, terminates
the bot's PostgreSQL connections, and makes the fake Slack Web API answer 429, 500 or stall.
Afterwards the database and the fake API's records say what was lost, stored twice or sent out
of order. Nothing is assumed: every count comes from what the bot stored and what it posted.

Run: `.venv/bin/python bench/faults.py [--database sqlite|postgresql|both] [--requesters 20]
[--seed N]`. Serve's log goes to a file in a temporary folder, named at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs

import aiohttp
import psycopg
from aiohttp import web
from harness import ROOT, bot_command, free_port
from sqlmodel import col, select

sys.path.insert(0, str(ROOT))
from bot.channels.slack.blocks import fallback_text
from bot.channels.slack.channel import STILL_SAVING
from bot.config import load_app_config
from bot.delivery import codec
from bot.storage.database import Database
from bot.storage.models import Answer, Draft, OutboxMessage, Person, ProcessedEvent
from bot.storage.models import Request as TriageRequest
from tests.conftest import GOOD_ANSWERS
from tests.support.databases import POSTGRES_URL, postgres_schema_url
from tests.support.fake_slack import TEAM_ID
from tests.support.slack_requests import dm_event, event_envelope, signature_headers

SECRET = "bench-signing-secret"
APP_NAME = "faultbench"
"""The bot's PostgreSQL application_name: the only connections the chaos task terminates."""
STEPS = ["hi", *GOOD_ANSWERS, "submit"]
RATE_LIMITED = {"ok": False, "error": "ratelimited"}
CANNED = {
    "auth.test": {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": TEAM_ID, "url": "x"},
    "users.info": {"ok": True, "user": {"real_name": "Bench", "tz": "UTC"}},
}
PROGRESS = re.compile(r"Question (\d+) of \d+")
ACK_TIMEOUT, DELIVERY_PATIENCE, REPLY_TIMEOUT = 3.0, 60.0, 90.0
STALL_SECONDS, DRAIN_SECONDS, DEADLINE_SECONDS = 20.0, 180.0, 900.0
THINK, STAGGER, FAULT_GAP = (1.0, 5.0), 10.0, (2.0, 6.0)
STARTED = time.monotonic()


def say(what: str) -> None:
    """A line with the wall clock (to find it in serve's log) and the seconds since start."""
    print(f"[{time.strftime('%H:%M:%S')} {time.monotonic() - STARTED:7.1f}s] {what}", flush=True)


@dataclass
class Posted:
    text: str
    blocks: str
    at: float
    late: bool
    """Posted while stalling: the bot's call timed out although the message landed."""
    ts: str = ""
    metadata: Any = None
    thread_ts: str | None = None


@dataclass
class FakeSlack:
    """The Web API the bot calls. It records each chat.postMessage it accepts, with its
    metadata, and answers conversations.history and .replies from them; while a fault is on it
    answers 429 (Retry-After: 1) or 500 without posting, or posts and then holds the answer past
    the bot's 15 s timeout, as a slow Slack does (the bot cannot know it landed)."""

    posts: dict[str, list[Posted]] = field(default_factory=lambda: defaultdict(list))
    ephemeral: int = 0
    mode: str = "ok"
    until: float = 0.0
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def fail(self, mode: str, seconds: float) -> None:
        self.mode, self.until = mode, time.monotonic() + seconds

    async def next_reply(self, channel: str, since: int, timeout: float) -> bool:
        """Until a message new to ``channel`` arrives after its first ``since`` (a copy of an
        earlier one, or the "saving is slow" notice, is not a reply); False after timeout."""
        posts = self.posts[channel]

        def arrived() -> bool:
            earlier = {p.text for p in posts[:since]} | {STILL_SAVING}
            return any(p.text not in earlier for p in posts[since:])

        async with self.arrived:
            try:
                await asyncio.wait_for(self.arrived.wait_for(arrived), timeout)
            except TimeoutError:
                return False
        return True

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params: dict[str, Any] = await request.json()
        else:
            params = dict(await request.post()) if request.method == "POST" else {}
        params.update({k: v[0] for k, v in parse_qs(request.query_string).items()})
        mode = self.mode if time.monotonic() < self.until else "ok"
        if mode == "429":
            return web.json_response(RATE_LIMITED, status=429, headers={"Retry-After": "1"})
        if mode == "500":  # a plain-text body, as a proxy in front of an API answers
            return web.Response(status=500, text="fault bench")
        answer = CANNED.get(method, {"ok": True, "ts": f"{time.time():.6f}"})
        if method == "chat.postMessage":
            text, blocks = str(params.get("text") or ""), params.get("blocks") or ""
            blocks = blocks if isinstance(blocks, str) else json.dumps(blocks)
            metadata = params.get("metadata")
            metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
            post = Posted(
                text,
                blocks,
                time.monotonic(),
                late=mode == "stall",
                ts=answer["ts"],
                metadata=metadata,
                thread_ts=params.get("thread_ts"),
            )
            self.posts[str(params.get("channel"))].append(post)
            async with self.arrived:
                self.arrived.notify_all()
        elif method == "chat.postEphemeral":
            self.ephemeral += 1
        elif method in ("conversations.history", "conversations.replies"):
            answer = self.history(params, thread=method == "conversations.replies")
        if mode == "stall":
            await asyncio.sleep(STALL_SECONDS)
        return web.json_response(answer)

    def history(self, params: dict[str, Any], *, thread: bool) -> dict[str, Any]:
        """Newest first after ``oldest``, ``limit`` at a time (the cursor is an offset)."""
        oldest = float(params.get("oldest") or 0)
        in_view = [
            p
            for p in reversed(self.posts[str(params.get("channel"))])
            if float(p.ts) > oldest and (p.thread_ts == params.get("ts") if thread else True)
        ]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page = in_view[start : start + limit]
        more = start + limit < len(in_view)
        return {
            "ok": True,
            "messages": [{"ts": p.ts, "text": p.text, "metadata": p.metadata} for p in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }


class Serve:
    """`triage-bot serve` as a child process, started again on the same database and port."""

    def __init__(self, env: dict[str, str], port: int, log: BinaryIO) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> int:
        self.starts += 1
        self.log.write(f"\n=== faultbench: serve start {self.starts} ===\n".encode())
        self.log.flush()
        self.process = process = await asyncio.create_subprocess_exec(
            *bot_command(self.port),
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self.log,
        )
        while True:  # nothing to await but the port: aiohttp binds it once start-up is done
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return process.pid
            except OSError:
                if process.returncode is not None:
                    raise RuntimeError(f"serve exited with {process.returncode}") from None
                await asyncio.sleep(0.05)

    async def kill(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        return self.process.pid

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), 90)

    def worker_pid(self) -> int | None:
        """The turn worker: serve's child whose command line names bot.runtime.turn_worker."""
        pid = self.process.pid if self.process is not None else 0
        with contextlib.suppress(OSError):
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                if b"bot.runtime.turn_worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                    return int(child)
        return None


def drop_connections() -> int:
    """Terminate the bot's PostgreSQL backends (only the bench's, by application_name)."""
    libpq = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True, application_name="faultbench-chaos") as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'test'"
            " AND application_name = %s AND pid <> pg_backend_pid()",
            (APP_NAME,),
        ).fetchall()
    return len(rows)


@dataclass
class Run:
    """One database's run: what the requesters saw and what the chaos task did."""

    kind: str
    url: str
    serve: Serve
    fake: FakeSlack
    seed: int
    sent: dict[tuple[int, int], str] = field(default_factory=dict)
    """(requester, step) -> event id."""
    acked: dict[tuple[int, int], str] = field(default_factory=dict)
    """(requester, step) -> wall-clock time of its 200."""
    resends: int = 0
    never_acked: int = 0
    reply_timeouts: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    async def deliver(self, http: aiohttp.ClientSession, body: str) -> bool:
        """As Slack does: the same event again, X-Slack-Retry-Num counting up, until a 200."""
        url = f"http://127.0.0.1:{self.serve.port}/slack/events"
        started, retry, reason = time.monotonic(), 0, ""
        while True:
            headers = {"Content-Type": "application/json", **signature_headers(body, secret=SECRET)}
            if retry:
                headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": reason}
            try:
                timeout = aiohttp.ClientTimeout(total=ACK_TIMEOUT)
                async with http.post(url, data=body, headers=headers, timeout=timeout) as answer:
                    await answer.read()
                    if answer.status == 200:
                        return True
                    reason = "http_error"
            except TimeoutError:
                reason = "http_timeout"
            except aiohttp.ClientError:
                reason = "connection_failed"
            if time.monotonic() - started > DELIVERY_PATIENCE:
                return False
            retry += 1
            self.resends += 1
            await asyncio.sleep(min(0.25 * 2**retry, 5.0))

    async def requester(self, http: aiohttp.ClientSession, n: int) -> None:
        """One person's whole triage; each message once the bot has answered the last one."""
        pace = random.Random(f"{self.seed}/{n}")
        user = f"UFB{n:03d}"
        await asyncio.sleep(pace.uniform(0, STAGGER))
        for step, text in enumerate(STEPS):
            await asyncio.sleep(pace.uniform(*THINK))
            event_id = self.sent[(n, step)] = f"Ev{n:03d}s{step}"
            body = json.dumps(event_envelope(dm_event(user, text), event_id))
            since = len(self.fake.posts[f"D{user}"])
            if await self.deliver(http, body):
                self.acked[(n, step)] = time.strftime("%H:%M:%S")
            else:
                self.never_acked += 1
                say(f"{user}: event {event_id} never acknowledged")
            if not await self.fake.next_reply(f"D{user}", since, REPLY_TIMEOUT):
                self.reply_timeouts += 1
                say(f"{user}: no reply to {event_id} within {REPLY_TIMEOUT:.0f} s")

    async def chaos(self, stop: asyncio.Event) -> None:
        """A fault every few seconds, kind and timing from the seeded RNG, until ``stop``."""
        rng = random.Random(self.seed)
        kinds = ["kill serve", "kill worker", "api 429", "api 500", "api stall"]
        kinds += ["drop connections"] if self.kind == "postgresql" else []
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rng.uniform(*FAULT_GAP))
                return
            kind = rng.choice(kinds)
            if kind == "kill serve":
                pid, pause = await self.serve.kill(), rng.uniform(0.5, 2.0)
                say(f"kill -9 serve (pid {pid}); restarting in {pause:.1f} s")
                await asyncio.sleep(pause)
                say(f"serve up again (pid {await self.serve.start()})")
            elif kind == "kill worker":
                if (worker := self.serve.worker_pid()) is None:
                    say("kill -9 turn worker: none running, skipped")
                    continue
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)
                say(f"kill -9 turn worker (pid {worker})")
            elif kind == "drop connections":
                say(f"terminated {await asyncio.to_thread(drop_connections)} bot connections")
            else:
                seconds = rng.uniform(2.0, 10.0)
                self.fake.fail(kind.split()[1], seconds)
                say(f"Slack Web API {kind.split()[1]} for {seconds:.1f} s")
            self.faults[kind] += 1


def observer(url: str) -> Database:
    """The bench's own connection, under a name the chaos task never terminates."""
    return Database(url.replace(f"={APP_NAME}", f"={APP_NAME}-observer"))


def unfinished(url: str) -> tuple[int, int]:
    """Outbox rows not yet sent, and submitted requests without drafts."""
    database = observer(url)
    with database.session(write=False) as session:
        unsent = session.exec(select(OutboxMessage.id).where(col(OutboxMessage.sent_at).is_(None)))
        stuck = session.exec(
            select(TriageRequest.id).where(
                TriageRequest.status == "submitted",
                col(TriageRequest.id).not_in(select(Draft.request_id)),
            )
        )
        left = len(unsent.all()), len(stuck.all())
    database.dispose()
    return left


def tally(run: Run, requesters: int) -> tuple[Counter[str], list[str]]:
    """The counts, from the database and the fake API's records; and what lies behind each."""
    questions = [q.id for q in load_app_config(ROOT / "app.yaml").questions]
    database = observer(run.url)
    with database.session(write=False) as session:
        people = {p.platform_user_id: p.id for p in session.exec(select(Person))}
        requests = session.exec(select(TriageRequest)).all()
        answers = session.exec(select(Answer)).all()
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        processed = set(session.exec(select(ProcessedEvent.event_id)))
        drafted = set(session.exec(select(Draft.request_id)))
    database.dispose()
    counts: Counter[str] = Counter()
    details: list[str] = []

    def found(what: str, many: int, detail: str) -> None:
        counts[what] += many
        details.append(f"{what}: {detail}")

    for n in range(requesters):
        user, channel = f"UFB{n:03d}", f"DUFB{n:03d}"
        mine = [r for r in requests if r.requester_id == people.get(user)]
        stored = [a for a in answers if a.request_id in {r.id for r in mine}]
        for step, at in ((s, at) for (m, s), at in sorted(run.acked.items()) if m == n):
            if run.sent[(n, step)] not in processed:
                found("acknowledged events never stored", 1, f"{user}: {STEPS[step]!r} acked {at}")
            if step == len(STEPS) - 1 and all(r.status in ("drafting", "cancelled") for r in mine):
                details.append(f"{user}: submit acknowledged at {at}; nothing submitted")
            if not 0 < step < len(STEPS) - 1:
                continue
            counts["answers acknowledged"] += 1
            rows_of = [a for a in stored if a.text == STEPS[step]]
            if not rows_of:
                found("acknowledged answers lost", 1, f"{user}: answer {step} acked {at}, no row")
            elif all(a.question_id != questions[step - 1] for a in rows_of):
                where = rows_of[0].question_id
                found("answers misfiled", 1, f"{user}: answer {step} stored under {where}")
        for request in mine:
            texts = Counter(a.text for a in stored if a.request_id == request.id)
            for text, times in ((t, k) for t, k in texts.items() if k > 1):
                found("stored twice", times - 1, f"{user}: {times} rows of {text!r}")
            if request.status == "submitted" and request.id not in drafted:
                found("requests stuck", 1, f"{user}: {request.reference} never drafted")
        # Each stored turn wrote one outbox row, and each row's reply must reach the channel.
        own = [row for row in rows if row.destination.get("channel") == channel]
        committed = sum(1 for (m, _), ev in run.sent.items() if m == n and ev in processed)
        if committed > len(own):
            found("replies lost", committed - len(own), f"{user}: {committed} turns, fewer rows")
        for row in (row for row in own if row.sent_at is None or row.undeliverable):
            found("outbox rows unsent or undeliverable", 1, f"{user}: {row.last_error}")
        expected = Counter(fallback_text(codec.decode(row.messages)) for row in own)
        posts = [p for p in run.fake.posts[channel] if p.text != STILL_SAVING]
        arrived = Counter(p.text for p in posts)
        for text in expected | arrived:
            short = text.splitlines()[0][:50]
            if expected[text] > arrived[text]:
                found("replies lost", expected[text] - arrived[text], f"{user}: never {short!r}")
            elif (extra := arrived[text] - expected[text]) > 0:
                at = [
                    f"{p.at - STARTED:.1f}s{' (stalled)' * p.late}" for p in posts if p.text == text
                ]
                found("replies sent twice", extra, f"{user}: {short!r} at {', '.join(at)}")
        highest = 0
        for post in posts:
            for k in map(int, PROGRESS.findall(post.blocks)[:1]):
                if k < highest:
                    found("replies out of order", 1, f"{user}: question {k} after {highest}")
                highest = max(highest, k)
    return counts, details


async def one_run(kind: str, url: str, folder: Path, requesters: int, seed: int) -> None:
    """Migrate, start the fake API and serve, run requesters beside chaos, drain, tally."""
    began, fake = time.monotonic(), FakeSlack()
    fake_app = web.Application()
    fake_app.router.add_route("*", "/api/{method}", fake.handle)
    runner = web.AppRunner(fake_app, access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MICROSOFT_"))}
    env |= {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/",
        "TRIAGE_CONFIG": str(ROOT / "app.yaml"),
        "LOG_LEVEL": "INFO",
    }
    log_path = folder / f"serve-{kind}.log"
    with log_path.open("ab") as log:
        command = [sys.executable, "-m", "bot", "db", "upgrade"]
        upgrade = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stderr=log)
        if await upgrade.wait() != 0:
            raise RuntimeError(f"triage-bot db upgrade failed; see {log_path}")
        run = Run(kind, url, Serve(env, free_port(), log), fake, seed)
        say(f"{kind}: serve on port {run.serve.port}, {requesters} requesters, seed {seed}")
        await run.serve.start()
        stop = asyncio.Event()
        chaos = asyncio.create_task(run.chaos(stop))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            people = [run.requester(http, n) for n in range(requesters)]
            try:
                await asyncio.wait_for(asyncio.gather(*people), DEADLINE_SECONDS)
            except TimeoutError:
                say(f"global deadline of {DEADLINE_SECONDS:.0f} s reached")
        stop.set()
        await chaos
        fake.fail("ok", 0)
        say("requesters done; Slack healthy; restarting serve to flush the outbox")
        await run.serve.stop()
        await run.serve.start()
        drain_until = time.monotonic() + DRAIN_SECONDS
        while (left := await asyncio.to_thread(unfinished, url)) != (0, 0):
            if time.monotonic() > drain_until:
                say(f"gave up waiting: {left[0]} outbox rows unsent, {left[1]} undrafted")
                break
            await asyncio.sleep(1.0)  # the database has nothing to await: poll it
        await run.serve.stop()
    await runner.cleanup()
    counts, details = await asyncio.to_thread(tally, run, requesters)
    report(run, requesters, counts, details, time.monotonic() - began, log_path)


COUNTS = [
    "answers acknowledged",
    "acknowledged events never stored",
    "acknowledged answers lost",
    "answers misfiled",
    "stored twice",
    "replies lost",
    "outbox rows unsent or undeliverable",
    "replies out of order",
    "replies sent twice",
    "requests stuck",
]


def report(
    run: Run, requesters: int, counts: Counter[str], details: list[str], seconds: float, log: Path
) -> None:
    faults = ", ".join(f"{k} {v}" for k, v in sorted(run.faults.items())) or "none"
    lines = [
        ("requesters", requesters),
        ("faults injected", f"{run.faults.total()} ({faults})"),
        ("serve starts", run.serve.starts),
        ("events sent / re-sent", f"{len(run.sent)} / {run.resends}"),
        ("events never acknowledged", run.never_acked),
        ("reply waits timed out (90 s)", run.reply_timeouts),
        ("error notices (ephemeral)", run.fake.ephemeral),
        *((name, counts[name]) for name in COUNTS),
        ("total time", f"{seconds:.1f} s"),
    ]
    print(f"\n== {run.kind}, seed {run.seed} ==")
    print("\n".join(f"  {name:<38}{value}" for name, value in lines))
    print("".join(f"  - {line}\n" for line in details) + f"  serve's log: {log}\n", flush=True)


async def main_async(kinds: list[str], requesters: int, seed: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="faultbench-"))
    for kind in kinds:
        if kind == "sqlite":
            await one_run(kind, f"sqlite:///{folder / 'triage.db'}", folder, requesters, seed)
            continue
        with postgres_schema_url() as url:
            await one_run(kind, f"{url}&application_name={APP_NAME}", folder, requesters, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requesters", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    asyncio.run(main_async(kinds, args.requesters, args.seed))


if __name__ == "__main__":
    main()
