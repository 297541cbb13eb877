from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from bot.app import App, build_app
from bot.config import Settings
from bot.server import build_web_app
from tests.conftest import PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.fake_connector import FakeConnector
from tests.support.fake_slack import FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import SIGNING_SECRET, SlackSender
from tests.support.teams import teams_settings

PLATFORM_PREFIXES = ("SLACK_", "MICROSOFT_", "OPENAI_", "DATABASE_URL", "TRIAGE_CONFIG")


@pytest.fixture(autouse=True)
def no_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the machine's environment may point a test at a real service."""
    import os

    for key in list(os.environ):
        if key.startswith(PLATFORM_PREFIXES):
            monkeypatch.delenv(key)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.stop()


def slack_settings(database_url: str, fake: FakeSlack, **extra: str) -> Settings:
    return Settings(
        database_url=database_url,
        triage_config=PROJECT_ROOT / "app.yaml",
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        **extra,
    )


@pytest.fixture
def slack_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'slack.db'}"


@pytest.fixture
def slack_app(slack_db_url: str, fake_slack: FakeSlack) -> App:
    return build_app(slack_settings(slack_db_url, fake_slack), clock=FakeClock())


@pytest.fixture
def slack_server(slack_app: App) -> Iterator[ServerThread]:
    server = ServerThread(lambda: build_web_app(slack_app)).start()
    yield server
    server.stop()


@pytest.fixture
def slack(slack_server: ServerThread) -> SlackSender:
    return SlackSender(slack_server.url)


SCHEMA = PROJECT_ROOT / "tests" / "data" / "adaptive-cards" / "adaptive-card-1.5.schema.json"


@pytest.fixture(scope="module")
def card_validator() -> jsonschema.Draft6Validator:
    return jsonschema.Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


@pytest.fixture
def connector(request: pytest.FixtureRequest) -> Iterator[FakeConnector]:
    """The connector stand-in; every card the bot sent in the test is validated afterwards."""
    validator = request.getfixturevalue("card_validator")
    fake = FakeConnector()
    yield fake
    fake.stop()
    for sent in fake.sent:
        if sent.card is not None:
            assert [e.message for e in validator.iter_errors(sent.card)] == []


@pytest.fixture
def teams_app(tmp_path: Path) -> App:
    return build_app(teams_settings(f"sqlite:///{tmp_path / 'teams.db'}"), clock=FakeClock())


@pytest.fixture
def teams(teams_app: App) -> Iterator[ServerThread]:
    """A Teams server (emulator mode: no tokens) on the real aiohttp app."""
    server = ServerThread(lambda: build_web_app(teams_app)).start()
    yield server
    server.stop()
