"""`triage-bot remind --once` from cron: one sweep through every configured channel, then exit."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import AppConfig
from bot.conversation.engine import Engine
from bot.decisions.desk import DecisionDesk
from bot.messages import PersonRef
from bot.storage.database import Database
from bot.storage.models import Reminder
from tests.conftest import GOOD_ANSWERS
from tests.decisions.test_desk import LEAD
from tests.support.cli import PROJECT_ROOT, clean_env
from tests.support.clock import FakeClock
from tests.support.fake_slack import TEAM_ID, FakeSlack
from tests.support.slack_requests import SIGNING_SECRET
from tests.support.transcript import Transcript

OWNERS = [
    PersonRef(platform="slack", user_id=f"U0OWNER{n}", workspace_id=TEAM_ID) for n in range(5)
]


@pytest.fixture
def fake_slack() -> FakeSlack:
    fake = FakeSlack()
    yield fake  # type: ignore[misc]
    fake.stop()


def assign_to_slack_owners(database: Database, app_config: AppConfig) -> None:
    """Decisions owned by Slack people, assigned just now: each owner's notice is due."""
    clock = FakeClock(datetime.now(UTC) - timedelta(minutes=1))
    review = app_config.review.model_copy(update={"terminal_reviewers": (LEAD.user_id,)})
    config = app_config.model_copy(update={"review": review})
    engine = Engine(database=database, config=config, clock=clock)
    desk = DecisionDesk(database=database, config=config, clock=clock)
    for number, owner in enumerate(OWNERS, start=1):
        chat = Transcript(engine, PersonRef(platform="terminal", user_id=f"requester{number}"))
        chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
        assert desk.assign(
            request_id=number,
            owner=owner,
            due=(clock() + timedelta(days=60)).date(),
            next_decision=f"Decide {number}",
            review_type="risk",
            by=LEAD,
        ).ok


def remind_once(database: Database, fake: FakeSlack) -> subprocess.Popen[str]:
    env = clean_env(
        DATABASE_URL=database.url,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "remind", "--once"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def sent_count(stderr: str) -> int:
    line = next(line for line in stderr.splitlines() if "reminder(s) sent" in line)
    return int(line.split()[0])


def test_remind_once_reaches_slack_owners_and_exits(
    database: Database, app_config: AppConfig, fake_slack: FakeSlack
) -> None:
    assign_to_slack_owners(database, app_config)
    child = remind_once(database, fake_slack)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert sent_count(err) == len(OWNERS)
    told = Counter(call.params["channel"] for call in fake_slack.of("chat.postMessage"))
    assert told == {f"D{owner.user_id}": 1 for owner in OWNERS}
    with database.session() as session:
        rows = session.exec(select(Reminder)).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    assert {r.status for r in rows if r.due_at.replace(tzinfo=None) <= now} == {"sent"}
    assert {r.status for r in rows if r.due_at.replace(tzinfo=None) > now} <= {"pending"}


@pytest.mark.postgres
def test_two_crons_at_once_send_each_reminder_exactly_once(
    database: Database, app_config: AppConfig, fake_slack: FakeSlack
) -> None:
    if not database.is_postgresql:
        pytest.skip("two processes take turns through PostgreSQL's advisory lock")
    assign_to_slack_owners(database, app_config)
    children = [remind_once(database, fake_slack) for _ in range(2)]
    reported = 0
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        reported += sent_count(err)
    assert reported == len(OWNERS)
    told = Counter(call.params["channel"] for call in fake_slack.of("chat.postMessage"))
    assert told == {f"D{owner.user_id}": 1 for owner in OWNERS}
