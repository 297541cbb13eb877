"""What the chat benchmarks share: child servers, closed-loop requesters, percentiles, output.

A level runs N requesters at once for a fixed time; each sends one message, waits until the
reply reaches the local fake platform API (which resolves the requester's future), and sends the
next, walking the whole triage again and again.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
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
# send(requester, text, reply_future) -> HTTP status of the acknowledgement
Send = Callable[[int, str, "asyncio.Future[float]"], Awaitable[int]]


@dataclass
class Replies:
    """Futures keyed by conversation, resolved by the fake platform API when a reply arrives."""

    waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)

    def expect(self, key: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future

    def arrived(self, key: str) -> None:
        future = self.waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())


@dataclass
class LevelResult:
    turns: int
    seconds: float
    latencies: list[float]
    acks: list[float]
    rss: float
    errors: int
    cpu: float
    """CPU seconds the server and its child processes used during the level."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def _family(pid: int) -> list[int]:
    """The server and its child processes (the bot's turn worker)."""
    return [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]


def peak_rss_mib(pid: int) -> float:
    return sum(_peak_rss_one(p) for p in _family(pid))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the server and its child processes so far."""
    ticks = 0
    for member in _family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _peak_rss_one(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:
        return 0.0
    for line in lines:
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run_level(send: Send, requesters: int, seconds: float, pid: int) -> LevelResult:
    latencies: list[float] = []
    acks: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def requester(n: int) -> None:
        nonlocal errors
        step = 0
        while time.perf_counter() < deadline:
            reply: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            sent = time.perf_counter()
            status = await send(n, SCRIPT[step % len(SCRIPT)], reply)
            step += 1
            acks.append(time.perf_counter() - sent)
            if status >= 300:
                errors += 1
                continue
            try:
                latencies.append(await asyncio.wait_for(reply, timeout=10) - sent)
            except TimeoutError:
                errors += 1

    started, cpu_before = time.perf_counter(), cpu_seconds(pid)
    await asyncio.gather(*(requester(n) for n in range(requesters)))
    return LevelResult(
        len(latencies),
        time.perf_counter() - started,
        latencies,
        acks,
        peak_rss_mib(pid),
        errors,
        cpu_seconds(pid) - cpu_before,
    )


@contextmanager
def child_server(command: list[str], env: dict[str, str], port: int) -> Iterator[int]:
    """Start a server process, wait until its port accepts connections, yield its pid."""
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if child.poll() is not None:
                    raise RuntimeError(f"server exited: {child.stderr.read()}") from None
                time.sleep(0.05)
        yield child.pid
    finally:
        child.terminate()
        child.wait(timeout=30)


def bot_command(port: int) -> list[str]:
    return [
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


HEADER = (
    f"{'app':<10}{'requesters':>11}{'turns/s':>10}{'p50 ms':>9}{'p95 ms':>9}"
    f"{'p99 ms':>9}{'ack p99':>9}{'peak MiB':>10}{'cpu ms/turn':>12}{'errors':>8}"
)


def report_row(kind: str, level: int, result: LevelResult) -> None:
    print(
        f"{kind:<10}{level:>11}{result.turns / result.seconds:>10.0f}"
        f"{pct(result.latencies, 0.5):>9.1f}{pct(result.latencies, 0.95):>9.1f}"
        f"{pct(result.latencies, 0.99):>9.1f}{pct(result.acks, 0.99):>9.1f}"
        f"{result.rss:>10.0f}{result.cpu * 1000 / max(result.turns, 1):>12.2f}{result.errors:>8}"
    )


def report_ratios(
    results: dict[tuple[str, int], LevelResult], baseline: str, levels: list[int]
) -> None:
    print(f"\nbot / {baseline} at each level: throughput ratio, p99 ratio")
    for level in levels:
        bot, base = results[("bot", level)], results[(baseline, level)]
        throughput = (bot.turns / bot.seconds) / max(base.turns / base.seconds, 1e-9)
        p99 = pct(bot.latencies, 0.99) / max(pct(base.latencies, 0.99), 1e-9)
        print(f"  {level:>3} requesters: {throughput:.2f}x throughput, {p99:.2f}x p99")


@dataclass(frozen=True)
class Contender:
    kind: str  # "echo" (the baseline) or "bot"
    command: list[str]
    env: dict[str, str]
    port: int
    path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


def echo_and_bot(folder: str, echo_script: str, path: str, env: dict[str, str]) -> list[Contender]:
    """The baseline echo app and triage-bot, each with its own SQLite file and port."""
    contenders = []
    for kind in ("echo", "bot"):
        port = free_port()
        command = (
            bot_command(port)
            if kind == "bot"
            else [sys.executable, str(ROOT / "bench" / echo_script), str(port)]
        )
        database = {
            "DATABASE_URL": f"sqlite:///{Path(folder) / kind}.db",
            "TRIAGE_CONFIG": str(ROOT / "app.yaml"),
            "LOG_LEVEL": "ERROR",
        }
        contenders.append(Contender(kind, command, {**env, **database}, port, path))
    return contenders


# make_sender(http, url, tag) -> Send: how one platform's requests are built
SenderFactory = Callable[[aiohttp.ClientSession, str, str], Send]


async def compare(
    title: str,
    contenders: list[Contender],
    make_sender: SenderFactory,
    levels: list[int],
    seconds: float,
) -> None:
    """Each contender in turn: start it, warm up, run every level, print rows and ratios."""
    print(f"{seconds:.0f} s per level, closed loop, {title}")
    print(HEADER)
    results: dict[tuple[str, int], LevelResult] = {}
    for contender in contenders:
        with child_server(contender.command, contender.env, contender.port) as pid:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                for warm_up, level in [(True, 1)] + [(False, n) for n in levels]:
                    tag = f"{contender.kind}{level}{time.monotonic_ns()}"
                    send = make_sender(http, contender.url, tag)
                    result = await run_level(send, level, 0.5 if warm_up else seconds, pid)
                    if not warm_up:
                        results[(contender.kind, level)] = result
                        report_row(contender.kind, level, result)
    report_ratios(results, "echo", levels)


def main(run: Callable[[list[int], float], Awaitable[None]], description: str) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--levels", default="1,10,50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(run([int(x) for x in args.levels.split(",")], args.seconds))
