from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import AppConfig, load_app_config
from bot.conversation.engine import Engine
from bot.messages import PersonRef
from bot.storage.database import Database
from tests.support.clock import FakeClock
from tests.support.databases import (
    current_sqlite_file,
    postgres_problem,
    postgres_schema_url,
    sqlite_url,
)
from tests.support.transcript import Transcript

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_POSTGRES_PROBLEM: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _POSTGRES_PROBLEM
    _POSTGRES_PROBLEM = postgres_problem()
    if _POSTGRES_PROBLEM and os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs PostgreSQL, but there is {_POSTGRES_PROBLEM}")


def pytest_report_header() -> str:
    return "postgresql: " + (_POSTGRES_PROBLEM or "available; storage tests run on it too")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    if _POSTGRES_PROBLEM:
        pytest.skip(f"PostgreSQL skipped: {_POSTGRES_PROBLEM}")
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    if database_url == sqlite_url(tmp_path):
        current_sqlite_file(tmp_path / "triage.db")
    database = Database(database_url)
    database.upgrade()  # PostgreSQL: every migration; SQLite: nothing left to do
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def app_config() -> AppConfig:
    return load_app_config(PROJECT_ROOT / "app.yaml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(database: Database, app_config: AppConfig, clock: FakeClock) -> Engine:
    return Engine(database=database, config=app_config, clock=clock)


@pytest.fixture
def ana() -> PersonRef:
    return PersonRef(platform="terminal", user_id="ana", display_name="Ana")


@pytest.fixture
def chat(engine: Engine, ana: PersonRef) -> Transcript:
    return Transcript(engine, ana)


GOOD_ANSWERS = [
    "New reps put discount codes in the wrong CRM field",
    "About 40 account managers in EMEA",
    "When a quote is converted into an order",
    "A wiki page nobody can find, and a 2019 onboarding course",
    "Order corrections below 5 a week by March",
    "https://wiki.example.com/discounts",
]
