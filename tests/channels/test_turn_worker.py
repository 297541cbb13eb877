"""Turns in a worker process (what ``serve`` runs): the triage over HTTP, drafts announced,
a worker that dies replaced, a worker that cannot start reported in words."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import App, build_app
from bot.config import Settings
from bot.messages import Inbound, PersonRef
from bot.runtime.turns import ProcessTurns, TurnWorkerUnavailable
from bot.server import build_web_app
from bot.storage.database import Database
from bot.storage.models import Answer, Draft, Request
from tests.channels.conftest import slack_settings
from tests.channels.test_slack_conversation import ANA, button, last_post
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.fake_slack import FakeSlack
from tests.support.processes import wait_until_gone
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, block_action

REVIEW_CHANNEL = "C0REVIEW"


@pytest.fixture
def review_config(tmp_path: Path) -> Path:
    """app.yaml with a review channel: the worker reads its configuration from the file."""
    text = (PROJECT_ROOT / "app.yaml").read_text(encoding="utf-8")
    assert "slack_review_channel: null" in text
    path = tmp_path / "app.yaml"
    path.write_text(
        text.replace("slack_review_channel: null", f"slack_review_channel: {REVIEW_CHANNEL}"),
        encoding="utf-8",
    )
    return path


def worker_app(database_url: str, fake: FakeSlack, config: Path) -> App:
    settings = slack_settings(database_url, fake).model_copy(update={"triage_config": config})
    app = build_app(settings)
    app.turns = ProcessTurns(app.engine, settings, on_drafted=app.announce_drafts)
    return app


@pytest.fixture
def served(
    database_url: str, fake_slack: FakeSlack, review_config: Path
) -> Iterator[tuple[App, SlackSender, ServerThread]]:
    app = worker_app(database_url, fake_slack, review_config)
    server = ServerThread(lambda: build_web_app(app)).start()
    yield app, SlackSender(server.url), server
    server.stop()


def test_a_full_triage_runs_in_the_worker_and_its_drafts_reach_reviewers(
    served: tuple[App, SlackSender, ServerThread], fake_slack: FakeSlack
) -> None:
    app, slack, _ = served
    assert isinstance(app.turns, ProcessTurns)
    worker = app.turns.worker_pid
    assert worker is not None and worker != os.getpid()
    assert slack.dm(ANA, "hi").status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    assert "Question 1 of 6" in fake_slack.posted_text()
    for number, answer in enumerate(GOOD_ANSWERS, start=2):
        assert slack.dm(ANA, answer).status == 200
        fake_slack.wait_for("chat.postMessage", number)
    summary = last_post(fake_slack, 7)
    submit = button(summary, "Submit")
    slack.interactive(block_action(ANA, submit["action_id"], submit["value"]))
    replies = fake_slack.wait_for(
        "chat.postMessage", 8, where=lambda c: c.params.get("channel") == f"D{ANA}"
    )
    assert "Submitted. Your reference is TR-0001" in replies[-1].params["text"]
    card = fake_slack.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") == REVIEW_CHANNEL
    )[0]
    assert "TR-0001" in str(card.params)
    with app.database.session() as session:
        request = session.exec(select(Request)).one()
        stored = {a.question_id: a.text for a in session.exec(select(Answer)).all()}
        drafts = session.exec(select(Draft)).all()
    assert request.status == "in_review"
    assert sorted(stored.values()) == sorted(GOOD_ANSWERS)
    assert {d.kind for d in drafts} == {"classification", "reviewer_questions"}
    assert app.turns.worker_pid == worker, "one worker served the whole triage"
    health = json.loads(urllib.request.urlopen(served[2].url + "/healthz", timeout=10).read())
    assert health == {"status": "ok", "database": "ok", "turns": "worker process"}


def test_a_worker_that_dies_is_replaced_and_the_conversation_goes_on(
    served: tuple[App, SlackSender, ServerThread], fake_slack: FakeSlack
) -> None:
    app, slack, _ = served
    assert isinstance(app.turns, ProcessTurns)
    slack.dm(ANA, "hi")
    fake_slack.wait_for("chat.postMessage", 1)
    first = app.turns.worker_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_until_gone(first)
    assert slack.dm(ANA, GOOD_ANSWERS[0]).status == 200
    fake_slack.wait_for_post("Question 2 of 6", timeout=30)  # a new worker may take a while
    assert app.turns.worker_pid not in (None, first)
    with app.database.session() as session:
        assert [a.text for a in session.exec(select(Answer)).all()] == [GOOD_ANSWERS[0]]


def test_a_worker_that_cannot_start_says_why(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    Database(empty).ping()  # the file exists, with no schema: the worker must not create one
    settings = Settings(database_url=empty, triage_config=PROJECT_ROOT / "app.yaml")
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'ok.db'}"))
    turns = ProcessTurns(app.engine, settings)
    with pytest.raises(TurnWorkerUnavailable, match="triage-bot db upgrade"):
        asyncio.run(turns.start())
    problem = turns.problem()
    assert problem is not None and "triage-bot db upgrade" in problem  # /healthz says so

    async def a_turn_meanwhile() -> None:
        await turns.handle(Inbound.say(PersonRef(platform="slack", user_id="U1"), "hi"))

    with pytest.raises(TurnWorkerUnavailable, match="db upgrade"):  # at once, no new worker
        asyncio.run(a_turn_meanwhile())
