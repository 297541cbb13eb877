"""The insight figures on a small desk whose answers are worked out by hand, on both databases:
the counting and the date arithmetic happen in SQL, which SQLite and PostgreSQL spell apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.config import AppConfig
from bot.requests import insights
from bot.storage.database import Database
from bot.storage.models import Decision, Draft, Person, Request
from bot.storage.statuses import DecisionStatus, RequestStatus

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _desk(database: Database) -> None:
    with database.session() as session:
        met = NOW - timedelta(days=60)
        ana = Person(
            platform="terminal", platform_user_id="ana", display_name="Ana", created_at=met
        )
        lee = Person(
            platform="terminal", platform_user_id="lee", display_name="Lee Park", created_at=met
        )
        session.add_all([ana, lee])
        session.flush()
        assert ana.id is not None and lee.id is not None

        def request(submitted: datetime, category: str | None = None) -> int:
            row = Request(
                requester_id=ana.id or 0,
                platform="terminal",
                status=RequestStatus.IN_REVIEW,
                category=category,
                created_at=submitted - timedelta(minutes=15),
                submitted_at=submitted,
                updated_at=submitted,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id

        def decision(request_id: int, owner: int, **fields: Any) -> None:
            session.add(
                Decision(
                    request_id=request_id,
                    owner_id=owner,
                    next_decision="Fix or train?",
                    review_type="workflow",
                    **fields,
                )
            )

        # Week of Monday 23 November: late on Sunday the 29th is still that week in UTC.
        reviewed = request(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "documentation")
        drafted = request(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
        session.add(
            Draft(
                request_id=drafted,
                kind="classification",
                content={"category": "training_need"},
                source="rules",
                created_at=datetime(2026, 11, 30, tzinfo=UTC),
            )
        )
        unclassified = request(datetime(2026, 11, 30, 0, 10, tzinfo=UTC))
        decision(
            reviewed,
            lee.id,
            due_at=NOW,
            created_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
            status=DecisionStatus.DECIDED,
            decided_at=datetime(2026, 11, 25, 22, 0, tzinfo=UTC),  # 2.5 days after submit
        )
        decision(
            drafted,
            lee.id,
            due_at=NOW,
            created_at=datetime(2026, 11, 30, tzinfo=UTC),
            status=DecisionStatus.DECIDED,
            decided_at=datetime(2026, 12, 9, 23, 30, tzinfo=UTC),  # 10 days
        )
        decision(  # open 3 days, 4 days overdue
            unclassified, lee.id, due_at=NOW - timedelta(days=4), created_at=NOW - timedelta(days=3)
        )
        decision(
            unclassified,
            ana.id,
            due_at=NOW + timedelta(days=1),
            created_at=NOW - timedelta(days=10),
        )
        decision(
            unclassified,
            ana.id,
            due_at=NOW + timedelta(days=9),
            created_at=NOW - timedelta(days=40),
        )


def _figure(found: list[insights.Figure], key: str) -> insights.Figure:
    return next(figure for figure in found if figure.key == key)


def test_the_figures_count_weeks_durations_ages_and_lateness_in_utc(
    database: Database, app_config: AppConfig
) -> None:
    _desk(database)
    with database.session(write=False) as session:
        if not database.is_sqlite:  # a server in another zone must not move the weeks
            session.execute(text("SET TIME ZONE 'Pacific/Auckland'"))
        found = insights.figures(session, app_config, now=NOW)
    labels = {category.id: category.label for category in app_config.categories}

    weekly = _figure(found, "requests-per-week")
    assert [row[0] for row in weekly.rows] == ["2026-11-23", "2026-11-30"]
    assert weekly.columns == (
        "week",
        labels["training_need"],
        labels["documentation"],
        insights.NOT_CLASSIFIED,
        "total",
    )
    assert weekly.rows == [("2026-11-23", 1, 1, 0, 2), ("2026-11-30", 0, 0, 1, 1)]

    by_owner = _figure(found, "time-to-decision-by-owner")
    assert by_owner.rows == [("Lee Park", 2, 6.2, 10.0)]
    by_category = _figure(found, "time-to-decision-by-category")
    assert sorted(by_category.rows) == [
        (labels["documentation"], 1, 2.5, 2.5),
        (insights.NOT_CLASSIFIED, 1, 10.0, 10.0),
    ]

    ages = _figure(found, "open-decisions-by-age")
    assert ages.rows == [
        ("under a week", 1),
        ("1-2 weeks", 1),
        ("2-4 weeks", 0),
        ("over 4 weeks", 1),
    ]

    overdue = _figure(found, "overdue-by-owner")
    assert overdue.rows == [("Lee Park", 1, 4.0)]
    assert overdue.headline == "1 overdue, with 1 owner(s)."
