"""Engine turns per second and per-turn latency, beside the floor: a bare insert-and-commit.

Each simulated requester runs the whole triage (start, six answers, submit: eight turns) through
the real engine on a fresh database, one turn at a time; on SQLite also in groups, as the turn
worker runs a queue of turns under load. The floor is one single-row INSERT and COMMIT through the
same SQLAlchemy engine, measured in the same run, so the ratio shows what the flow costs on top
of the database's own commit. Run: `make bench` or `.venv/bin/python bench/engine_turns.py`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import SCRIPT  # noqa: E402

from bot.config import load_app_config  # noqa: E402
from bot.conversation.engine import BATCH_LIMIT, Engine  # noqa: E402
from bot.messages import Inbound, PersonRef  # noqa: E402
from bot.storage.database import Database  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ANSWERS = SCRIPT[1:]  # the six answers and "submit"; the run starts each with a start


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(step: Callable[[], None], count: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        step()
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - started, latencies


def run_engine(database: Database, requesters: int) -> tuple[float, list[float]]:
    engine = Engine(database=database, config=load_app_config(ROOT / "app.yaml"))
    inbounds: list[Inbound] = []
    for n in range(requesters):
        person = PersonRef(platform="bench", user_id=f"user{n}", display_name=f"User {n}")
        inbounds.append(Inbound.start(person))
        inbounds.extend(Inbound.say(person, answer) for answer in ANSWERS)
    queue: Iterator[Inbound] = iter(inbounds)

    def one_turn() -> None:
        engine.handle(next(queue))

    return measure(one_turn, len(inbounds))


def run_engine_batched(database: Database, requesters: int) -> tuple[float, list[float]]:
    """What the turn worker does on SQLite under load: the queue's turns (here every
    requester's next turn) in groups of BATCH_LIMIT, one transaction each. A turn's latency
    is its group's: its reply waits for the group's commit."""
    engine = Engine(database=database, config=load_app_config(ROOT / "app.yaml"))
    people = [
        PersonRef(platform="bench", user_id=f"batched{n}", display_name=f"User {n}")
        for n in range(requesters)
    ]
    inbounds = [Inbound.start(p) for p in people]
    inbounds += [Inbound.say(p, answer) for answer in ANSWERS for p in people]
    latencies: list[float] = []
    started = time.perf_counter()
    for first in range(0, len(inbounds), BATCH_LIMIT):
        group = inbounds[first : first + BATCH_LIMIT]
        t0 = time.perf_counter()
        engine.handle_batch(group)
        latencies.extend([time.perf_counter() - t0] * len(group))
    return time.perf_counter() - started, latencies


def run_floor(database: Database, count: int) -> tuple[float, list[float]]:
    with database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, body TEXT)")
    counter = iter(range(1, count + 1))

    def one_commit() -> None:
        with database.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_floor (id, body) VALUES (:id, :body)"),
                {"id": next(counter), "body": "x" * 60},
            )

    return measure(one_commit, count)


@contextmanager
def sqlite_database() -> Iterator[Database]:
    """A migrated database in a temporary folder (shared with the other benchmarks)."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.db")
        database.upgrade()
        try:
            yield database
        finally:
            database.dispose()


@contextmanager
def postgres_database() -> Iterator[Database]:
    """A migrated throwaway schema on the local PostgreSQL, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = POSTGRES.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        database = Database(f"{POSTGRES}?options=-csearch_path%3D{schema}")
        database.upgrade()
        try:
            yield database
        finally:
            database.dispose()
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def report(name: str, what: str, elapsed: float, latencies: list[float]) -> None:
    print(
        f"{name:<11} {what:<24} {len(latencies):>7} {len(latencies) / elapsed:>10.0f}"
        f" {percentile(latencies, 0.5) * 1000:>9.2f} {percentile(latencies, 0.99) * 1000:>9.2f}"
    )


Backend = tuple[str, Callable[[], AbstractContextManager[Database]]]


def available_backends() -> list[Backend]:
    """SQLite always; PostgreSQL when this machine's server answers (a note says why not)."""
    backends: list[Backend] = [("sqlite", sqlite_database)]
    try:
        with psycopg.connect(POSTGRES.replace("+psycopg", ""), connect_timeout=3):
            backends.append(("postgresql", postgres_database))
    except psycopg.Error as exc:
        print(f"(postgresql skipped, unreachable: {str(exc).strip().splitlines()[0]})")
    return backends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requesters", type=int, default=250, help="simulated requesters")
    args = parser.parse_args()
    turns = args.requesters * (len(ANSWERS) + 1)
    python = sys.version.split()[0]
    print(f"{args.requesters} requesters x {len(ANSWERS) + 1} turns, one thread, Python {python}")
    print(f"{'database':<11} {'what':<24} {'count':>7} {'per sec':>10} {'p50 ms':>9} {'p99 ms':>9}")
    for name, open_database in available_backends():
        with open_database() as database:
            floor_elapsed, floor = run_floor(database, turns)
            report(name, "floor: insert+commit", floor_elapsed, floor)
            elapsed, latencies = run_engine(database, args.requesters)
            report(name, "engine turn", elapsed, latencies)
            ratio = statistics.median(latencies) / statistics.median(floor)
            print(f"{'':<11} {'turn p50 / floor p50':<24} {ratio:>7.1f}x")
            if database.is_sqlite:
                elapsed, latencies = run_engine_batched(database, args.requesters)
                report(name, f"turns in groups of {BATCH_LIMIT}", elapsed, latencies)


if __name__ == "__main__":
    main()
