"""Web desk pages on a desk of 10,000 requests. Run `.venv/bin/python bench/desk_pages.py`.

Fills a database with N submitted requests (answers, two drafts each, decisions for most,
some decided, overdue and checked on), serves it with ``serve``'s own aiohttp application on
127.0.0.1, signs in through a real sign-in link and times each page over HTTP: the desk, the
desk filtered and searched, a request's page and the insights. Beside each, in the same run, is
the bare query of the rows that page shows (the same filter or the same tables, no rendering),
so what the page adds to the database's own time is plain. SQLite, and PostgreSQL when this
machine's server answers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from aiohttp import web
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_turns import available_backends  # noqa: E402
from labelled import load  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.server import build_web_app  # noqa: E402
from bot.storage import sign_in  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.models import Answer, Decision, Draft, Person, Request  # noqa: E402

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
QUESTIONS = ("failing_task", "performer", "failure_point", "existing_support", "evidence")
CATEGORIES = (
    "training_need",
    "workflow_process",
    "documentation",
    "manager_support",
    "platform_governance",
    "evidence_reporting",
    "content_maintenance",
    "ownership",
    "unclear",
)
STATUSES = ("in_review", "awaiting_decision", "decided", "submitted")


def fill(database: Database, count: int) -> None:
    """N requests over the year before NOW, written in a few large inserts."""
    shuffle = random.Random(7)
    cases = load()
    with database.session() as session:
        connection = session.connection()
        people = [
            {
                "platform": "terminal",
                "workspace_id": "",
                "platform_user_id": f"person-{n}",
                "display_name": f"Person {n}",
                "created_at": NOW - timedelta(days=400),
            }
            for n in range(60)
        ]
        people.append({**people[0], "platform_user_id": "lnd-lead", "display_name": "Lee Lead"})
        connection.execute(insert(Person), people)
        requests_, answers, drafts, decisions = [], [], [], []
        for number in range(1, count + 1):
            case = cases[number % len(cases)]
            submitted = NOW - timedelta(minutes=shuffle.randrange(365 * 24 * 60))
            status = STATUSES[number % len(STATUSES)]
            category = case["category"] if status in ("awaiting_decision", "decided") else None
            requests_.append(
                {
                    "id": number,
                    "requester_id": 1 + number % 60,
                    "platform": "terminal",
                    "title": None,
                    "status": status,
                    "category": category,
                    "created_at": submitted - timedelta(minutes=12),
                    "submitted_at": submitted,
                    "updated_at": submitted,
                }
            )
            for question in QUESTIONS:
                answers.append(
                    {
                        "request_id": number,
                        "question_id": question,
                        "text": f"{case['answers'][question]} (#{number})",
                        "skipped": False,
                        "version": 1,
                        "answered_by": 1 + number % 60,
                        "answered_at": submitted,
                    }
                )
            verdict = "pending" if status in ("submitted", "in_review") else "approved"
            for kind, content in (
                ("classification", {"category": case["category"], "training_fit": False}),
                ("reviewer_questions", {"sme_facts": ["Which source is authoritative?"]}),
            ):
                drafts.append(
                    {
                        "request_id": number,
                        "kind": kind,
                        "content": content,
                        "source": "rules",
                        "status": verdict,
                        "created_at": submitted,
                    }
                )
            if status in ("awaiting_decision", "decided"):
                decided = status == "decided"
                decisions.append(
                    {
                        "request_id": number,
                        "owner_id": 1 + number % 5,
                        "next_decision": "Fix the workflow or build training?",
                        "review_type": "workflow_judgment",
                        "due_at": submitted + timedelta(days=10),
                        "status": "decided" if decided else "open",
                        "outcome": "fix_workflow" if decided else None,
                        "decided_at": submitted + timedelta(days=3) if decided else None,
                        "created_at": submitted + timedelta(days=1),
                        "follow_up_at": submitted + timedelta(days=40) if decided else None,
                        "follow_up_answer": ("moved", "not_yet", "no", None)[number % 4]
                        if decided
                        else None,
                    }
                )
        connection.execute(insert(Request), requests_)
        connection.execute(insert(Answer), answers)
        connection.execute(insert(Draft), drafts)
        connection.execute(insert(Decision), decisions)
    if database.url.startswith("postgresql"):
        with database.session() as session:
            session.execute(text("SELECT setval('request_id_seq', :n)"), {"n": count})
            session.execute(text("ANALYZE"))


class Served:
    """serve's aiohttp application on 127.0.0.1, on its own thread and loop."""

    def __init__(self, database_url: str) -> None:
        settings = Settings(
            database_url=database_url,
            triage_config=ROOT / "app.yaml",
            public_url="http://127.0.0.1",
        )
        self.app = build_app(settings, clock=lambda: NOW)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            runner = web.AppRunner(build_web_app(self.app))
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            assert site._server is not None
            self.port = site._server.sockets[0].getsockname()[1]

        self.loop.run_until_complete(start())
        self.ready.set()
        self.loop.run_forever()

    def signed_in(self) -> requests.Session:
        with self.app.database.session() as session:
            token = sign_in.issue(session, person_id=61, now=NOW)
        browser = requests.Session()
        browser.post(f"http://127.0.0.1:{self.port}/desk/sign-in/{token}")
        assert browser.cookies.get("triage_desk"), "sign-in failed"
        return browser


def timed(work: Callable[[], Any], rounds: int) -> list[float]:
    work()  # warm caches and the connection pool
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bare(database: Database, sql: str, **params: Any) -> Callable[[], Any]:
    def run() -> Any:
        with database.session(write=False) as session:
            return session.execute(text(sql), params).all()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    print(f"{args.requests:,} requests; {args.rounds} rounds each; times in ms")
    header = f"{'database':<11} {'page':<30} {'p50':>7} {'p95':>7}   {'bare query':<34} {'p50':>6}"
    print(header + f" {'p95':>6}")
    for name, open_database in available_backends():
        with open_database() as database:
            measure(name, database, args.requests, args.rounds)


def measure(name: str, database: Database, count: int, rounds: int) -> None:
    fill(database, count)
    served = Served(database.url)
    browser = served.signed_in()
    base = f"http://127.0.0.1:{served.port}/desk"
    picks = random.Random(3)

    def page(path: str) -> Callable[[], Any]:
        def get() -> None:
            response = browser.get(base + path)
            assert response.status_code == 200, response.status_code

        return get

    def some_request() -> None:
        page(f"/requests/TR-{picks.randrange(1, count):04d}")()

    rows = (
        (
            "desk, first page",
            page("/"),
            "50 newest requests + count",
            bare(database, "SELECT * FROM request ORDER BY id DESC LIMIT 50"),
        ),
        (
            "desk, searched",
            page("/?q=wiki"),
            "answers LIKE '%wiki%'",
            bare(
                database,
                "SELECT DISTINCT request_id FROM answer WHERE lower(text) LIKE '%wiki%' LIMIT 50",
            ),
        ),
        (
            "desk, category + overdue",
            page("/?category=documentation&overdue=1"),
            "open decisions past due",
            bare(
                database,
                "SELECT * FROM decision WHERE "
                "status = 'open' AND due_at < CURRENT_TIMESTAMP LIMIT 50",
            ),
        ),
        (
            "a request's page",
            some_request,
            "one request's answers and drafts",
            bare(database, "SELECT * FROM answer WHERE request_id = 4242"),
        ),
        (
            "insights",
            page("/insights"),
            "submitted_at, category of all",
            bare(database, "SELECT submitted_at, category FROM request"),
        ),
    )
    for label, work, bare_label, query in rows:
        pages = timed(work, rounds)
        plain = timed(query, rounds)
        print(
            f"{name:<11} {label:<30} {percentile(pages, 0.5) * 1000:>7.1f}"
            f" {percentile(pages, 0.95) * 1000:>7.1f}   {bare_label:<34}"
            f" {percentile(plain, 0.5) * 1000:>6.1f} {percentile(plain, 0.95) * 1000:>6.1f}"
        )


if __name__ == "__main__":
    main()
