"""The triage in Slack over real HTTP: signed requests in, Web API calls out to a fake Slack."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.app import App, build_app
from bot.server import build_web_app
from bot.storage.models import Answer, Request
from tests.channels.conftest import slack_settings
from tests.conftest import GOOD_ANSWERS
from tests.support.clock import FakeClock
from tests.support.fake_slack import FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, block_action

ANA = "U0ANA"


def answers(app: App, question_id: str | None = None) -> list[Answer]:
    with app.database.session() as session:
        statement = select(Answer)
        if question_id:
            statement = statement.where(Answer.question_id == question_id)
        return list(session.exec(statement).all())


def last_post(fake: FakeSlack, count: int) -> dict[str, Any]:
    return fake.wait_for("chat.postMessage", count)[-1].params


def button(post: dict[str, Any], label: str) -> dict[str, Any]:
    for block in post["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element
    raise AssertionError(f"no {label!r} button in {post['blocks']}")


def run_full_triage(app: App, fake: FakeSlack, slack: SlackSender) -> None:
    assert slack.dm(ANA, "hi").status == 200
    first = last_post(fake, 1)
    assert first["channel"] == f"D{ANA}"
    assert "Question 1 of 6" in fake.posted_text()
    assert "Hi Person U0ANA" in fake.posted_text()
    for number, answer in enumerate(GOOD_ANSWERS, start=2):
        assert slack.dm(ANA, answer).status == 200
        fake.wait_for("chat.postMessage", number)
    summary = last_post(fake, 7)
    assert "Here is request TR-0001" in summary["text"]
    submit = button(summary, "Submit")
    message = {"ts": "1700000000.000007", "text": summary["text"], "blocks": summary["blocks"]}
    response = slack.interactive(
        block_action(ANA, submit["action_id"], submit["value"], message=message, label="Submit")
    )
    assert response.status == 200
    assert "Submitted. Your reference is TR-0001" in last_post(fake, 8)["text"]
    updated = fake.wait_for("chat.update")[0].params
    assert updated["ts"] == message["ts"]
    assert not [b for b in updated["blocks"] if b["type"] == "actions"], "buttons must be gone"
    assert "✓ Submit" in str(updated["blocks"])
    app.drain()  # drafting runs beside the conversation, after the reply
    with app.database.session() as session:
        request = session.exec(select(Request)).one()
    assert request.status == "in_review"
    assert {a.question_id: a.text for a in answers(app)} == dict(
        zip(
            [
                "failing_task",
                "performer",
                "failure_point",
                "existing_support",
                "evidence",
                "source_material",
            ],
            GOOD_ANSWERS,
            strict=True,
        )
    )


def test_a_full_triage_over_http(slack_app: App, fake_slack: FakeSlack, slack: SlackSender) -> None:
    run_full_triage(slack_app, fake_slack, slack)
    assert fake_slack.of("auth.test"), "Bolt authorizes the single-workspace token once"
    assert all(c.token == "xoxb-test-token" for c in fake_slack.of("chat.postMessage"))


def test_a_full_triage_over_http_on_each_database(database_url: str, fake_slack: FakeSlack) -> None:
    app = build_app(slack_settings(database_url, fake_slack), clock=FakeClock())
    server = ServerThread(lambda: build_web_app(app)).start()
    try:
        run_full_triage(app, fake_slack, SlackSender(server.url))
    finally:
        server.stop()
