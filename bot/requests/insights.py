"""The figures leaders ask L&D for, each with the table it is drawn from and what it counts.

Every figure is read with a handful of grouped queries, so the page stays quick on a desk of
ten thousand requests: the database counts and subtracts timestamps (bot/storage/expressions.py),
and only medians and percentiles, simple here and awkward in portable SQL, are worked out in
Python.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from bot.config import AppConfig
from bot.conversation.copy import FOLLOW_UP_ANSWERS
from bot.conversation.views import ASSET_NOTE_ID
from bot.requests.listing import drafted_category
from bot.storage import service
from bot.storage.expressions import seconds_between, utc_day
from bot.storage.models import Answer, Decision, Draft, Request
from bot.storage.statuses import DecisionStatus

NOT_CLASSIFIED = "not classified yet"
TRAINING = "training_need"
AGE_BUCKETS = ((7, "under a week"), (14, "1-2 weeks"), (28, "2-4 weeks"), (None, "over 4 weeks"))


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass(frozen=True)
class Figure:
    """One chart and the table beside it: ``rows`` are the table, ``labels`` and ``series``
    what the chart draws of it."""

    key: str
    title: str
    definition: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    chart: str = "bar"
    stacked: bool = False
    headline: str = ""

    def chart_data(self) -> dict[str, Any]:
        """What the page's script draws (plain data, no markup)."""
        return {
            "type": self.chart,
            "stacked": self.stacked,
            "labels": self.labels,
            "series": [{"name": s.name, "values": s.values} for s in self.series],
        }


def figures(session: Session, config: AppConfig, *, now: datetime) -> list[Figure]:
    labels = {category.id: category.label for category in config.categories}
    decided = _decided(session)
    overdue = _overdue(session, now)
    owner_ids = {row.owner_id for row in decided} | {row.owner_id for row in overdue}
    people = service.people_by_id(session, ids=owner_ids)
    owner_names = {pid: p.display_name or p.platform_user_id for pid, p in people.items()}
    return [
        per_week(_submitted_by_day(session), labels),
        asked_for_asset(session, labels),
        *time_to_decision(decided, labels, owner_names),
        open_by_age(_open_by_age(session, now)),
        overdue_by_owner(overdue, owner_names, now),
        draft_verdicts(session),
        evidence_check_ins(session),
    ]


# -- reading: grouped in the database, so few rows and no timestamps come back ----------------


@dataclass(frozen=True)
class _DayCount:
    day: date
    category: str
    requests: int


@dataclass(frozen=True)
class _Decided:
    owner_id: int
    category: str
    days: float


@dataclass(frozen=True)
class _Overdue:
    owner_id: int
    decisions: int
    oldest_due_at: datetime


def _submitted_by_day(session: Session) -> list[_DayCount]:
    """A request's category is the reviewer's, else its newest classification draft's: the
    draft is looked up only for requests nobody has reviewed (COALESCE stops at the first)."""
    day = utc_day(col(Request.submitted_at))
    category = func.coalesce(col(Request.category), drafted_category())
    rows = session.execute(
        select_columns(day, category, func.count())
        .where(col(Request.submitted_at).is_not(None))
        .group_by(day, category)
    ).all()
    return [_DayCount(_as_date(on), found or NOT_CLASSIFIED, count) for on, found, count in rows]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _decided(session: Session) -> list[_Decided]:
    seconds = seconds_between(col(Decision.decided_at), col(Request.submitted_at))
    rows = session.execute(
        select_columns(col(Decision.owner_id), col(Request.category), seconds)
        .join(Request, col(Request.id) == col(Decision.request_id))
        .where(col(Decision.decided_at).is_not(None), col(Request.submitted_at).is_not(None))
    ).all()
    return [
        _Decided(owner, category or NOT_CLASSIFIED, _days(timedelta(seconds=round(took, 3))))
        for owner, category, took in rows
    ]


def _open_by_age(session: Session, now: datetime) -> Counter[str]:
    """Open decisions counted by AGE_BUCKETS: an age under N days is created after now - N."""
    bucket = case(
        *(
            (col(Decision.created_at) > now - timedelta(days=limit), name)
            for limit, name in AGE_BUCKETS
            if limit is not None
        ),
        else_=AGE_BUCKETS[-1][1],
    )
    rows = session.execute(
        select_columns(bucket, func.count())
        .where(col(Decision.status) == DecisionStatus.OPEN)
        .group_by(bucket)
    ).all()
    return Counter({name: count for name, count in rows})


def _overdue(session: Session, now: datetime) -> list[_Overdue]:
    rows = session.execute(
        select_columns(col(Decision.owner_id), func.count(), func.min(col(Decision.due_at)))
        .where(col(Decision.status) == DecisionStatus.OPEN, col(Decision.due_at) < now)
        .group_by(col(Decision.owner_id))
    ).all()
    return [_Overdue(owner, count, oldest) for owner, count, oldest in rows]


# -- the figures --------------------------------------------------------------------------


def per_week(submitted: Sequence[_DayCount], labels: dict[str, str]) -> Figure:
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for row in submitted:
        counts[row.day - timedelta(days=row.day.weekday())][row.category] += row.requests
    categories = [c for c in [*labels, NOT_CLASSIFIED] if any(c in w for w in counts.values())]
    weeks = sorted(counts)
    since = f" since the week of {weeks[0]:%d %b %Y}" if weeks else ""
    return Figure(
        key="requests-per-week",
        title="Requests per week, by category",
        definition=(
            "Requests submitted each week (weeks start on Monday, UTC), counted by the category "
            "a reviewer settled on, or the draft's category while nobody has reviewed it"
            f"{since}. Requests still being written and cancelled before submitting are left "
            "out."
        ),
        columns=("week", *(labels.get(c, c) for c in categories), "total"),
        rows=[
            (f"{week:%Y-%m-%d}", *(counts[week][c] for c in categories), sum(counts[week].values()))
            for week in weeks
        ],
        labels=[f"{week:%d %b}" for week in weeks],
        series=[
            Series(labels.get(c, c), [float(counts[week][c]) for week in weeks]) for c in categories
        ],
        stacked=True,
    )


def asked_for_asset(session: Session, labels: dict[str, str]) -> Figure:
    asset_first = exists().where(
        col(Answer.request_id) == col(Request.id), col(Answer.question_id) == ASSET_NOTE_ID
    )
    rows = session.exec(
        select(col(Request.category), func.count())
        .where(asset_first, col(Request.submitted_at).is_not(None))
        .group_by(col(Request.category))
    ).all()
    reviewed = Counter({category: count for category, count in rows if category})
    waiting = sum(count for category, count in rows if not category)
    total = sum(reviewed.values())
    elsewhere = total - reviewed[TRAINING]
    share = elsewhere / total if total else 0.0
    ordered = sorted(reviewed.items(), key=lambda item: (-item[1], item[0]))
    headline = (
        f"{elsewhere} of {total} ({share:.0%}) turned out not to be a training need."
        if total
        else "No reviewed request has asked for an asset first yet."
    )
    return Figure(
        key="asked-for-asset",
        title="Requests that first asked for a course, a video or another asset",
        definition=(
            "Submitted requests whose first answer asked for an asset (the desk kept it as the "
            "asset idea, whether or not it asked again for the behaviour), counted by the "
            "category a reviewer approved or chose. The share is of reviewed ones only"
            + (f"; {waiting} more wait for a review." if waiting else ".")
        ),
        columns=("reviewed category", "requests", "share"),
        rows=[(labels.get(c, c), n, f"{n / total:.0%}") for c, n in ordered],
        labels=[labels.get(c, c) for c, _ in ordered],
        series=[Series("requests", [float(n) for _, n in ordered])],
        headline=headline,
    )


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def time_to_decision(
    decided: Sequence[_Decided], labels: dict[str, str], owners: dict[int, str]
) -> list[Figure]:
    by_category: dict[str, list[float]] = defaultdict(list)
    by_owner: dict[str, list[float]] = defaultdict(list)
    for row in decided:
        by_category[labels.get(row.category, row.category)].append(row.days)
        by_owner[owners.get(row.owner_id, "?")].append(row.days)
    definition = (
        "Days from the requester's submit to the decision being recorded (decision.decided_at "
        "minus request.submitted_at), over every decided decision; the 90th percentile is the "
        "time nine in ten decisions took at most."
    )
    return [
        _durations("time-to-decision-by-category", "category", by_category, definition),
        _durations("time-to-decision-by-owner", "owner", by_owner, definition),
    ]


def _durations(key: str, group: str, values: dict[str, list[float]], definition: str) -> Figure:
    names = sorted(values, key=lambda name: (-len(values[name]), name))
    medians = [round(statistics.median(values[n]), 1) for n in names]
    p90s = [_p90(values[n]) for n in names]
    return Figure(
        key=key,
        title=f"Time from submitted to decided, by {group}",
        definition=definition,
        columns=(group, "decided", "median days", "90th percentile days"),
        rows=[(n, len(values[n]), m, p) for n, m, p in zip(names, medians, p90s, strict=True)],
        labels=names,
        series=[Series("median", medians), Series("90th percentile", p90s)],
    )


def open_by_age(counts: Counter[str]) -> Figure:
    names = [name for _, name in AGE_BUCKETS]
    return Figure(
        key="open-decisions-by-age",
        title="Open decisions, by age",
        definition=(
            "Decisions assigned and not yet recorded, by how long ago they were assigned "
            "(decision.created_at), today."
        ),
        columns=("age", "open decisions"),
        rows=[(name, counts[name]) for name in names],
        labels=names,
        series=[Series("open decisions", [float(counts[n]) for n in names])],
    )


def overdue_by_owner(rows: Sequence[_Overdue], owners: dict[int, str], now: datetime) -> Figure:
    count: Counter[str] = Counter()
    latest: dict[str, float] = {}
    for row in rows:  # two owners may share a name: their rows are counted together
        name = owners.get(row.owner_id, "?")
        count[name] += row.decisions
        latest[name] = max(latest.get(name, 0.0), _days(now - row.oldest_due_at))
    names = sorted(count, key=lambda name: (-count[name], name))
    return Figure(
        key="overdue-by-owner",
        title="Who has overdue decisions",
        definition=(
            "Open decisions past their due date (decision.due_at before now), by owner, with "
            "how many days the oldest is late."
        ),
        columns=("owner", "overdue decisions", "oldest, days late"),
        rows=[(n, count[n], latest[n]) for n in names],
        labels=names,
        series=[Series("overdue decisions", [float(count[n]) for n in names])],
        headline=(
            f"{sum(count.values())} overdue, with {len(names)} owner(s)."
            if names
            else "Nothing is overdue."
        ),
    )


VERDICTS = ("approved", "edited", "rejected", "pending")


def verdict_counts(
    session: Session, *, no_version: str = "none"
) -> list[tuple[str, str, str, str, int]]:
    """(kind, source, prompt version, status, drafts), grouped in the database; drafts made
    without a prompt (the rules) are counted under ``no_version``."""
    version = func.coalesce(col(Draft.prompt_version), no_version)
    rows = session.execute(
        select_columns(
            col(Draft.kind),
            col(Draft.source),
            version,
            col(Draft.status),
            func.count(),
        ).group_by(col(Draft.kind), col(Draft.source), version, col(Draft.status))
    ).all()
    return [(kind, source, version, str(status), n) for kind, source, version, status, n in rows]


def draft_verdicts(session: Session) -> Figure:
    groups: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for _kind, source, version, status, count in verdict_counts(session):
        groups[(source, version)][status] += count
    keys = sorted(groups)
    return Figure(
        key="draft-verdicts",
        title="AI and rule drafts: what reviewers did with them",
        definition=(
            "Every draft (classifications and reviewer questions) by where it came from "
            "(draft.source: llm or rules) and prompt version, counted by the reviewer's verdict; "
            "pending ones wait for a reviewer."
        ),
        columns=("source", "prompt version", *VERDICTS),
        rows=[
            (source, version, *(groups[(source, version)][v] for v in VERDICTS))
            for source, version in keys
        ],
        labels=[f"{source} {version}" for source, version in keys],
        series=[
            Series(verdict, [float(groups[key][verdict]) for key in keys]) for verdict in VERDICTS
        ],
        stacked=True,
    )


def evidence_check_ins(session: Session) -> Figure:
    rows = session.exec(
        select(col(Decision.follow_up_answer), func.count())
        .where(col(Decision.follow_up_at).is_not(None))
        .group_by(col(Decision.follow_up_answer))
    ).all()
    counts = {answer or "": n for answer, n in rows}
    names = [*FOLLOW_UP_ANSWERS, ""]
    shown = [FOLLOW_UP_ANSWERS.get(name, "not answered yet") for name in names]
    return Figure(
        key="evidence-check-ins",
        title="Evidence check-ins: did it move?",
        definition=(
            "Decisions whose owner was to be asked, on the date the request's evidence answer "
            "named, whether the evidence moved (decision.follow_up_answer), by answer."
        ),
        columns=("answer", "decisions"),
        rows=[(label, counts.get(name, 0)) for name, label in zip(names, shown, strict=True)],
        labels=shown,
        series=[Series("decisions", [float(counts.get(name, 0)) for name in names])],
        chart="doughnut",
    )
