"""Slack behaviour that must hold under real traffic: signatures, retries, noise, escaping."""

from __future__ import annotations

import json
import time

from sqlmodel import select

from bot.app import App
from bot.server import SLACK_OUTBOX_KEY
from bot.storage.models import Answer, Request
from tests.channels.test_slack_conversation import ANA, answers, button, last_post
from tests.conftest import GOOD_ANSWERS
from tests.support.clock import FakeClock
from tests.support.fake_slack import BOT_USER_ID, FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import (
    SlackSender,
    block_action,
    dm_event,
    event_envelope,
    post,
    signature_headers,
)


def requests_in(app: App) -> list[Request]:
    with app.database.session() as session:
        return list(session.exec(select(Request)).all())


def start_and_answer(slack: SlackSender, fake: FakeSlack, count: int) -> None:
    slack.dm(ANA, "hi")
    fake.wait_for("chat.postMessage", 1)
    for number, answer in enumerate(GOOD_ANSWERS[:count], start=2):
        slack.dm(ANA, answer)
        fake.wait_for("chat.postMessage", number)


def test_unsigned_badly_signed_and_stale_requests_get_401_and_store_nothing(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    body = json.dumps(event_envelope(dm_event(ANA, "hello"), "Ev1"))
    unsigned = post(slack.url, body, content_type="application/json")
    wrong = post(
        slack.url,
        body,
        content_type="application/json",
        headers=signature_headers(body, secret="not-the-secret"),
    )
    stale = post(
        slack.url,
        body,
        content_type="application/json",
        headers=signature_headers(body, age=6 * 60),
    )
    assert [unsigned.status, wrong.status, stale.status] == [401, 401, 401]
    assert requests_in(slack_app) == []
    assert fake_slack.of("chat.postMessage") == []


def test_a_redelivered_event_is_answered_once(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    start_and_answer(slack, fake_slack, 0)
    event = dm_event(ANA, GOOD_ANSWERS[0])
    assert slack.event(event, event_id="EvSame").status == 200
    fake_slack.wait_for("chat.postMessage", 2)
    retry = slack.event(
        event,
        event_id="EvSame",
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retry.status == 200
    slack.dm(ANA, GOOD_ANSWERS[1])  # a later message proves the retry was processed and dropped
    fake_slack.wait_for("chat.postMessage", 3)
    assert [a.text for a in answers(slack_app, "failing_task")] == [GOOD_ANSWERS[0]]
    assert len(fake_slack.of("chat.postMessage")) == 3


def test_bots_edits_deletions_and_channel_messages_are_ignored(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    slack.event(dm_event(ANA, "from a bot", bot_id="B999"))
    slack.event(dm_event(BOT_USER_ID, "my own echo", bot_id="BBOT"))
    slack.event(dm_event(ANA, "edited", subtype="message_changed"))
    slack.event(dm_event(ANA, "", subtype="message_deleted"))
    slack.event({**dm_event(ANA, "in a channel"), "channel_type": "channel", "channel": "C1"})
    slack.dm(ANA, "hi")  # the one message that counts
    fake_slack.wait_for("chat.postMessage", 1)
    assert len(fake_slack.of("chat.postMessage")) == 1
    with slack_app.database.session() as session:
        assert session.exec(select(Answer)).all() == []


def test_typed_mentions_and_markup_are_stored_verbatim_and_never_ping(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    injected = "<!channel> <@U123> & <https://evil.example|click> *bold*"
    start_and_answer(slack, fake_slack, 0)
    slack.dm(ANA, injected)
    fake_slack.wait_for("chat.postMessage", 2)
    slack.dm(ANA, "back")
    reply = last_post(fake_slack, 3)
    assert [a.text for a in answers(slack_app, "failing_task")] == [injected]
    assert "&lt;!channel&gt;" in reply["text"] and "<!channel>" not in reply["text"]
    for block in reply["blocks"]:
        if injected in json.dumps(block, ensure_ascii=False):
            assert block["text"]["type"] == "plain_text", block


def test_a_huge_answer_is_stored_whole_and_shown_within_slack_limits(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    huge = "The renewal quote is wrong. " * 1000
    start_and_answer(slack, fake_slack, 0)
    slack.dm(ANA, huge)
    fake_slack.wait_for("chat.postMessage", 2)
    slack.dm(ANA, "back")
    reply = last_post(fake_slack, 3)
    assert answers(slack_app, "failing_task")[0].text == huge
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    assert any("stored in full" in text for text in sections)


def test_rate_limits_are_retried_at_once_and_server_errors_after_a_look(
    slack_app: App, slack_server: ServerThread, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """A 429 says nothing was posted, so the client tries again itself; after a 500 the
    message may be there, so the outbox looks in the conversation before posting it."""
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)
    slack.dm(ANA, "hi")
    fake_slack.wait_for("chat.postMessage", 1)
    fake_slack.fail_next("chat.postMessage", status=500)
    slack.dm(ANA, GOOD_ANSWERS[0])
    fake_slack.wait_for("chat.postMessage!500")
    assert slack_server.web_app is not None
    outbox = slack_server.web_app[SLACK_OUTBOX_KEY]
    slack_server.call(outbox.settled())
    clock = slack_app.engine.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=6)
    slack_server.call(outbox.run_once())
    fake_slack.wait_for("chat.postMessage", 2)
    methods = [
        c.method
        for c in fake_slack.calls
        if c.method.startswith(("chat.postMessage", "conversations.history"))
    ]
    assert methods == [
        "chat.postMessage!429",
        "chat.postMessage",
        "chat.postMessage!500",
        "conversations.history",
        "chat.postMessage",
    ]
    assert "Question 2 of 6" in json.dumps(fake_slack.of("chat.postMessage")[1].params["blocks"])


def test_a_button_from_someone_else_or_tampered_is_refused_politely(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    start_and_answer(slack, fake_slack, 6)
    summary = last_post(fake_slack, 7)
    submit = button(summary, "Submit")
    bo = "U0BO"
    slack.interactive(block_action(bo, submit["action_id"], submit["value"], label="Submit"))
    slack.interactive(block_action(ANA, submit["action_id"], "999999", label="Submit"))
    slack.interactive(block_action(ANA, submit["action_id"], "';DROP TABLE request;--"))
    slack.interactive(block_action(ANA, "triage-request-explode", "1"))
    slack.interactive(block_action(ANA, "somebody-elses-button", "1"))
    refusals = fake_slack.wait_for("chat.postEphemeral", 5)
    assert {c.params["user"] for c in refusals} == {bo, ANA}
    assert all(
        "nothing was changed" in c.params["text"]
        or "nothing was changed" in json.dumps(c.params.get("blocks"))
        for c in refusals
    )
    assert [r.status for r in requests_in(slack_app)] == ["drafting"]
    assert fake_slack.of("chat.update") == []


def test_an_unexpected_error_shows_an_error_id_that_is_also_logged(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack, caplog: object
) -> None:
    start_and_answer(slack, fake_slack, 0)
    with slack_app.database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE audit_event")  # the database breaks under us
    slack.dm(ANA, GOOD_ANSWERS[0])
    apology = fake_slack.wait_for("chat.postEphemeral")[0].params["text"]
    assert "error id" in apology
    error_id = apology.split("error id ")[1].split(")")[0]
    assert error_id in caplog.text  # type: ignore[attr-defined]
    assert "Traceback" not in apology


def test_acknowledgements_come_before_the_work(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """Slack gives 3 seconds. With the Web API stalled, every request type is still acked."""
    slack.dm(ANA, "hi")  # Bolt checks the token with auth.test once, on the first request
    fake_slack.wait_for("chat.postMessage")
    fake_slack.stall(seconds=5)
    started = time.monotonic()
    responses = [
        slack.dm(ANA, "hi"),
        slack.command(ANA, "CRM quotes"),
        slack.interactive(block_action(ANA, "triage-request-continue", "1")),
    ]
    elapsed = time.monotonic() - started
    fake_slack.stall(seconds=0)
    assert [r.status for r in responses] == [200, 200, 200]
    assert elapsed < 3, f"acks took {elapsed:.1f}s in all"


def test_a_slash_command_that_fails_still_tells_the_person(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    with slack_app.database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE audit_event")
    assert slack.command(ANA, "CRM quotes").status == 200
    apology = fake_slack.wait_for("chat.postEphemeral")[0].params
    assert apology["user"] == ANA and apology["channel"] == "C0GENERAL"
    assert "error id" in apology["text"]


def test_a_summary_of_long_answers_stays_within_slacks_message_size(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    slack.dm(ANA, "hi")
    fake_slack.wait_for("chat.postMessage", 1)
    long_answers = [
        f"{n} " + "The quote tool keeps failing at the approval step. " * 60 for n in range(5)
    ]
    for number, answer in enumerate([*long_answers, "https://wiki.example.com/a"], start=2):
        slack.dm(ANA, answer)
        fake_slack.wait_for("chat.postMessage", number)
    summary = last_post(fake_slack, 7)
    visible = sum(len(json.dumps(block)) for block in summary["blocks"])
    assert "Here is request" in summary["text"]
    assert visible < 12_000, visible
    assert answers(slack_app, "failing_task")[0].text == long_answers[0]
