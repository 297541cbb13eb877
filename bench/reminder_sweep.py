"""Reminder sweep cost by reminders pending and due. Run `.venv/bin/python bench/reminder_sweep.py`.

A table holds N pending decisions, each with five planned reminders, nearly all due weeks ahead;
only a few are due now. One sweep (``bot.reminders.sweep.claim_due``) should cost what the due
reminders cost to claim, whatever N is, because an owner with a thousand open decisions must not
slow down everyone's nudges. Beside it, in the same run and through the same SQLAlchemy engine,
is the bare indexed query that finds the due rows, so a plan that starts walking the pending
rows shows up as a ratio that climbs with N. Extra rows at one size vary the number due instead,
to show what does grow. Sizes are loaded one after another into one table (1,000, then 9,000
more, and so on), so the whole run stays within a few minutes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, insert, text
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_turns import available_backends  # noqa: E402

from bot.reminders.sweep import claim_due  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.models import UtcDateTime  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # fixed, so every run plans the same rows
REMINDERS_PER_DECISION = 5
LIMIT = 100
BATCH = 10_000
BARE_QUERY = text(
    "SELECT id FROM reminder WHERE due_at <= :now AND status = 'pending' ORDER BY due_at LIMIT 100"
).bindparams(bindparam("now", type_=UtcDateTime()))
DUE_NOW = text(
    "SELECT count(*) FROM reminder WHERE due_at <= :now AND status = 'pending'"
).bindparams(bindparam("now", type_=UtcDateTime()))
RESET_CLAIMS = text(
    "UPDATE reminder SET status = 'pending', claimed_at = NULL WHERE status = 'claimed'"
)


@dataclass(frozen=True)
class Row:
    database: str
    pending: int
    due: int
    claimed: int
    sweep: list[float]
    bare: list[float]
    peak_kib: float


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


class Loader:
    """Adds decisions to one table in order, so each size only loads what the last one lacked.

    Decision ``i`` (0-based) gets five reminders. For ``i < due`` the first is due a few minutes
    ago and pending; for ``due <= i < most_due`` it is also in the past but already sent, ready
    to be turned back to pending for the rows that vary the number due; the rest lie 30 days
    ahead or later. Ids are given explicitly so the rows to flip are known without a lookup.
    """

    def __init__(self, database: Database, *, due: int, most_due: int) -> None:
        self.database = database
        self.due = due
        self.most_due = most_due
        self.loaded = 0
        with database.engine.begin() as connection:
            connection.execute(
                insert(table("person")),
                [
                    {
                        "id": 1,
                        "platform": "bench",
                        "workspace_id": "",
                        "platform_user_id": "owner",
                        "display_name": "Owner",
                        "time_zone": "UTC",
                        "created_at": NOW,
                    }
                ],
            )

    def grow_to(self, size: int) -> None:
        for start in range(self.loaded, size, BATCH):
            self._load(range(start, min(size, start + BATCH)))
        self.loaded = max(self.loaded, size)
        with self.database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

    def _load(self, indices: range) -> None:
        requests: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        reminders: list[dict[str, Any]] = []
        for i in indices:
            decision_due = NOW + timedelta(days=30 + i % 300)
            requests.append(
                {
                    "id": i + 1,
                    "requester_id": 1,
                    "platform": "bench",
                    "title": f"Request {i + 1}",
                    "status": "awaiting_decision",
                    "category": "process",
                    "created_at": NOW,
                    "submitted_at": NOW,
                    "updated_at": NOW,
                }
            )
            decisions.append(
                {
                    "id": i + 1,
                    "request_id": i + 1,
                    "owner_id": 1,
                    "next_decision": "Fix the workflow, or train the team?",
                    "review_type": "risk",
                    "due_at": decision_due,
                    "status": "open",
                    "created_by": 1,
                    "created_at": NOW,
                }
            )
            for sequence in range(REMINDERS_PER_DECISION):
                due_at = decision_due + timedelta(days=2 * sequence - 3)
                status, sent_at = "pending", None
                if sequence == 0 and i < self.most_due:
                    due_at = NOW - timedelta(minutes=1 + i)
                    if i >= self.due:
                        status, sent_at = "sent", due_at
                reminders.append(
                    {
                        "id": i * REMINDERS_PER_DECISION + sequence + 1,
                        "decision_id": i + 1,
                        "sequence": sequence,
                        "kind": "before_due" if sequence == 0 else "overdue",
                        "due_at": due_at,
                        "status": status,
                        "claimed_at": None,
                        "sent_at": sent_at,
                    }
                )
        with self.database.engine.begin() as connection:
            connection.execute(insert(table("request")), requests)
            connection.execute(insert(table("decision")), decisions)
            connection.execute(insert(table("reminder")), reminders)

    def set_due(self, count: int) -> None:
        """Make exactly ``count`` reminders due (up to ``most_due``) by flipping the sent ones."""
        ids = [i * REMINDERS_PER_DECISION + 1 for i in range(self.due, self.most_due)]
        if not ids:
            return
        pending = ids[: max(0, count - self.due)]
        with self.database.engine.begin() as connection:
            connection.execute(
                text("UPDATE reminder SET status = 'sent' WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": ids},
            )
            if pending:
                connection.execute(
                    text("UPDATE reminder SET status = 'pending' WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": pending},
                )


def reset_claims(database: Database) -> None:
    """Put claimed rows back to pending, so every timed sweep finds the same work."""
    with database.engine.begin() as connection:
        connection.execute(RESET_CLAIMS)


def time_sweep(database: Database, repeats: int) -> tuple[list[float], int]:
    samples: list[float] = []
    claimed = 0
    for _ in range(repeats):
        started = time.perf_counter()
        nudges = claim_due(database, now=NOW, limit=LIMIT)
        samples.append(time.perf_counter() - started)
        claimed = len(nudges)
        reset_claims(database)
    return samples, claimed


def time_bare(database: Database, repeats: int) -> list[float]:
    samples: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        with database.read_engine.connect() as connection:
            connection.execute(BARE_QUERY, {"now": NOW}).all()
        samples.append(time.perf_counter() - started)
    return samples


def sweep_peak_kib(database: Database) -> float:
    """Peak Python memory of one sweep; measured apart, since tracing slows everything down."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        claim_due(database, now=NOW, limit=LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    reset_claims(database)
    return peak / 1024


def measure(name: str, database: Database, loader: Loader, repeats: int) -> Row:
    with database.read_engine.connect() as connection:
        due = int(connection.execute(DUE_NOW, {"now": NOW}).scalar_one())
    claim_due(database, now=NOW, limit=LIMIT)  # warm the statement caches and the pool
    reset_claims(database)
    time_bare(database, 2)
    sweep, claimed = time_sweep(database, repeats)
    bare = time_bare(database, repeats)
    return Row(name, loader.loaded, due, claimed, sweep, bare, sweep_peak_kib(database))


HEADER = (
    f"{'database':<11} {'pending decisions':>17} {'due':>5} {'claimed':>7} {'sweep p50 ms':>12}"
    f" {'sweep p95 ms':>12} {'bare p50 ms':>11} {'ratio':>7} {'sweep peak KiB':>14}"
)


def print_row(row: Row) -> None:
    sweep_p50 = statistics.median(row.sweep) * 1000
    bare_p50 = statistics.median(row.bare) * 1000
    print(
        f"{row.database:<11} {row.pending:>17,} {row.due:>5} {row.claimed:>7} {sweep_p50:>12.2f}"
        f" {percentile(row.sweep, 0.95) * 1000:>12.2f} {bare_p50:>11.3f}"
        f" {sweep_p50 / bare_p50:>6.0f}x {row.peak_kib:>14.0f}"
    )


def reading(base: list[Row], varied: list[Row]) -> str:
    """One line: how much the sweep grew across pending sizes, and across numbers due."""

    def p50(row: Row) -> float:
        return statistics.median(row.sweep) * 1000

    first, last = base[0], base[-1]
    grown = last.pending / first.pending
    line = (
        f"reading: {first.pending:,} -> {last.pending:,} pending ({grown:.0f}x)"
        f" moves the sweep {p50(first):.2f} -> {p50(last):.2f} ms ({p50(last) / p50(first):.2f}x)"
    )
    if varied:
        same = next(row for row in base if row.pending == varied[0].pending)
        most = varied[-1]
        line += (
            f"; {same.due} -> {most.due} due at {same.pending:,} pending ({most.claimed} claimed)"
            f" moves it {p50(same):.2f} -> {p50(most):.2f} ms ({p50(most) / p50(same):.2f}x)"
        )
    return line


def counts(value: str) -> list[int]:
    numbers = sorted({int(part.replace("_", "")) for part in value.split(",") if part.strip()})
    if not numbers or numbers[0] < 1:
        raise argparse.ArgumentTypeError("give positive whole numbers, e.g. 1000,10000")
    return numbers


def run(name: str, database: Database, args: argparse.Namespace) -> None:
    sizes: list[int] = args.sizes
    vary_at = args.vary_at if args.vary_at in sizes else sizes[len(sizes) // 2]
    more_due = [count for count in args.more_due if count > args.due]
    loader = Loader(database, due=args.due, most_due=max([args.due, *more_due]))
    base: list[Row] = []
    varied: list[Row] = []
    started = time.perf_counter()
    print(HEADER)
    for size in sizes:
        loader.grow_to(size)
        row = measure(name, database, loader, args.repeats)
        base.append(row)
        print_row(row)
        if size == vary_at:
            for count in more_due:
                loader.set_due(count)
                row = measure(name, database, loader, args.repeats)
                varied.append(row)
                print_row(row)
            loader.set_due(args.due)
    print(reading(base, varied))
    print(f"({name}: {time.perf_counter() - started:.0f} s with loading)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=counts, default=[1_000, 10_000, 100_000], help="pending decisions"
    )
    parser.add_argument("--due", type=int, default=20, help="reminders due at every size")
    parser.add_argument(
        "--more-due",
        type=counts,
        default=[200],
        help="further numbers due, measured at one size only",
    )
    parser.add_argument(
        "--vary-at", type=int, default=10_000, help="the size at which --more-due is measured"
    )
    parser.add_argument("--repeats", type=int, default=20, help="timed sweeps per row")
    args = parser.parse_args()
    python = sys.version.split()[0]
    print(
        f"claim_due(limit={LIMIT}) against pending decisions x {REMINDERS_PER_DECISION} reminders,"
        f" beside a bare indexed query for the due rows; {args.repeats} runs per row,"
        f" one thread, Python {python}"
    )
    for name, open_database in available_backends():
        print()
        with open_database() as database:
            run(name, database, args)


if __name__ == "__main__":
    main()
