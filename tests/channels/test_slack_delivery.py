"""Replies that cannot be delivered at once: kept in the outbox, sent later, once, in order."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.app import App, build_app
from bot.delivery.outbox import Outbox
from bot.server import SLACK_OUTBOX_KEY, build_web_app
from bot.storage import outbox
from bot.storage.models import Answer, OutboxMessage
from tests.channels.conftest import slack_settings
from tests.channels.test_slack_conversation import ANA
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.fake_slack import FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender


def posted_texts(fake: FakeSlack) -> list[str]:
    return [json.dumps(call.params.get("blocks")) for call in fake.of("chat.postMessage")]


def outbox_of(server: ServerThread) -> Outbox:
    assert server.web_app is not None
    return server.web_app[SLACK_OUTBOX_KEY]


def unsent(app: App) -> Sequence[OutboxMessage]:
    return outbox.unsent(app.database)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(slack_db_url: str, fake_slack: FakeSlack, clock: FakeClock) -> App:
    return build_app(slack_settings(slack_db_url, fake_slack), clock=clock)


@pytest.fixture
def server(app: App) -> Iterator[ServerThread]:
    thread = ServerThread(lambda: build_web_app(app)).start()
    yield thread
    thread.stop()


def test_a_reply_slack_refuses_is_kept_and_later_replies_wait_behind_it(
    app: App, server: ServerThread, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    slack = SlackSender(server.url)
    # Not retried by the client: a 5xx may come after the message was posted.
    fake_slack.fail_next("chat.postMessage", status=500)
    assert slack.dm(ANA, "hi").status == 200
    fake_slack.wait_for("chat.postMessage!500")
    server.call(outbox_of(server).settled())
    assert len(unsent(app)) == 1

    # The next answer is stored and its reply made, but it must not overtake question 1.
    assert slack.dm(ANA, GOOD_ANSWERS[0]).status == 200
    with app.database.session(write=False) as session:
        assert len(session.exec(select(Answer)).all()) == 1
    assert fake_slack.of("chat.postMessage") == []

    clock.advance(seconds=6)  # past the first retry's wait
    outbox = outbox_of(server)
    server.call(outbox.run_once())  # the person's oldest reply only
    server.call(outbox.run_once())  # (the loop in the server may have sent one meanwhile)
    fake_slack.wait_for("chat.postMessage", 2)
    texts = posted_texts(fake_slack)
    assert len(texts) == 2
    assert "Question 1 of 6" in texts[0] and "Question 2 of 6" in texts[1]
    assert unsent(app) == []

    # Owed nothing any more: the next reply goes out at once.
    assert slack.dm(ANA, GOOD_ANSWERS[1]).status == 200
    fake_slack.wait_for("chat.postMessage", 3)
    assert "Question 3 of 6" in posted_texts(fake_slack)[2]


def test_replies_left_unsent_by_a_stopped_server_go_out_when_the_next_one_starts(
    slack_db_url: str, fake_slack: FakeSlack, clock: FakeClock
) -> None:
    first_app = build_app(slack_settings(slack_db_url, fake_slack), clock=clock)
    first = ServerThread(lambda: build_web_app(first_app)).start()
    fake_slack.fail_next("chat.postMessage", status=503)
    assert SlackSender(first.url).dm(ANA, "hi").status == 200
    fake_slack.wait_for("chat.postMessage!503")
    first.stop()
    assert len(unsent(first_app)) == 1

    second_app = build_app(slack_settings(slack_db_url, fake_slack), clock=clock)
    second = ServerThread(lambda: build_web_app(second_app)).start()
    try:
        # Due at once after a restart, whatever wait the first server had planned.
        fake_slack.wait_for("chat.postMessage", 1)
        assert "Question 1 of 6" in posted_texts(fake_slack)[0]
        assert SlackSender(second.url).dm(ANA, GOOD_ANSWERS[0], event_id="EvSecond").status == 200
        fake_slack.wait_for("chat.postMessage", 2)
        assert "Question 2 of 6" in posted_texts(fake_slack)[1]
        assert len(fake_slack.of("chat.postMessage")) == 2  # nothing twice
    finally:
        second.stop()


def test_a_reply_nobody_can_deliver_for_a_day_is_given_up_and_the_reviewers_told(
    slack_db_url: str, fake_slack: FakeSlack, clock: FakeClock, tmp_path: Path
) -> None:
    config = tmp_path / "app.yaml"
    config.write_text(
        (PROJECT_ROOT / "app.yaml")
        .read_text(encoding="utf-8")
        .replace("slack_review_channel: null", "slack_review_channel: C0REVIEW"),
        encoding="utf-8",
    )
    settings = slack_settings(slack_db_url, fake_slack).model_copy(update={"triage_config": config})
    app = build_app(settings, clock=clock)
    server = ServerThread(lambda: build_web_app(app)).start()
    try:
        fake_slack.fail_next("chat.postMessage", status=500)
        SlackSender(server.url).dm(ANA, "hi")
        fake_slack.wait_for("chat.postMessage!500")
        server.call(outbox_of(server).settled())
        clock.advance(hours=25)
        fake_slack.fail_next("chat.postMessage", status=500)
        server.call(outbox_of(server).run_once())
        fake_slack.wait_for("chat.postMessage")  # the notice
        [row] = _all_rows(app)
        assert row.undeliverable and row.sent_at is not None
        assert "500" in (row.last_error or "")
        [notice] = fake_slack.of("chat.postMessage")
        assert notice.params["channel"] == "C0REVIEW"
        assert f"<@{ANA}>" in notice.params["text"] and "their request" in notice.params["text"]
    finally:
        server.stop()


def test_a_person_slack_cannot_reach_is_given_up_at_once(
    app: App, server: ServerThread, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", status=200, error="account_inactive")
    SlackSender(server.url).dm(ANA, "hi")
    fake_slack.wait_for("chat.postMessage!200")
    server.call(outbox_of(server).settled())
    [row] = _all_rows(app)
    assert row.undeliverable
    assert "account_inactive" in (row.last_error or "")


def _all_rows(app: App) -> list[OutboxMessage]:
    with app.database.session(write=False) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_while_the_database_cannot_be_written_health_says_so_and_people_hear_of_the_wait(
    app: App, server: ServerThread, fake_slack: FakeSlack, slack_db_url: str
) -> None:
    import sqlite3
    import threading
    import urllib.error
    import urllib.request

    from bot.channels.slack.channel import STILL_SAVING

    slack = SlackSender(server.url)
    slack.dm(ANA, "hi")
    fake_slack.wait_for("chat.postMessage")
    blocker = sqlite3.connect(slack_db_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + "/healthz", timeout=10)
        assert refused.value.code == 503
        assert "Cannot write" in json.loads(refused.value.read())["database"]

        answered: list[int] = []
        sending = threading.Thread(
            target=lambda: answered.append(slack.dm(ANA, GOOD_ANSWERS[0]).status)
        )
        sending.start()
        notice = fake_slack.wait_for("chat.postMessage", 2)[1]
        assert notice.params["text"] == STILL_SAVING
        assert answered == []  # not acknowledged: nothing is stored yet
    finally:
        blocker.rollback()
        blocker.close()
    sending.join(timeout=30)
    assert answered == [200]
    fake_slack.wait_for("chat.postMessage", 3)
    assert "Question 2 of 6" in posted_texts(fake_slack)[2]
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as health:
        assert health.status == 200


def test_a_slash_command_stuck_behind_the_write_lock_is_acknowledged_in_time(
    app: App, server: ServerThread, fake_slack: FakeSlack, slack_db_url: str
) -> None:
    """Slack shows an error when a command is not acknowledged within 3 s and never sends it
    again, so a turn waiting on the database must not hold the ack past that."""
    import sqlite3

    from bot.channels.slack.channel import OPENING_IN_DM

    slack = SlackSender(server.url)
    blocker = sqlite3.connect(slack_db_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = slack.command(ANA, "CRM quotes")
        assert response.status == 200
        assert OPENING_IN_DM in response.body
        assert fake_slack.of("chat.postMessage") == []  # the turn is still waiting
    finally:
        blocker.rollback()
        blocker.close()
    welcome = fake_slack.wait_for("chat.postMessage")[0]
    assert "Question 1 of 6" in json.dumps(welcome.params["blocks"])


def test_a_5xx_whose_body_is_not_slacks_json_loses_nothing(
    app: App, server: ServerThread, fake_slack: FakeSlack
) -> None:
    """A proxy's error page, or a bare string: reading Slack's error code from it used to
    crash the listener before the turn, after which the message was acknowledged and lost."""
    slack = SlackSender(server.url)
    fake_slack.fail_next("users.info", status=500, times=3, body="upstream connect error")
    assert slack.dm(ANA, "hi").status == 200
    reply = fake_slack.wait_for("chat.postMessage")[0]
    assert "Question 1 of 6" in json.dumps(reply.params["blocks"])
    fake_slack.fail_next("chat.postMessage", status=502, body="Bad Gateway")
    assert slack.dm(ANA, GOOD_ANSWERS[0]).status == 200
    fake_slack.wait_for("chat.postMessage!502")
    server.call(outbox_of(server).settled())
    [row] = unsent(app)
    assert "502" in (row.last_error or "")


# -- once, not twice: a try that may have landed is looked for before it is sent again --------


@pytest.fixture
def timely_slack(clock: FakeClock) -> Iterator[FakeSlack]:
    """A fake Slack whose message timestamps follow the test's clock, as the bot's do."""
    fake = FakeSlack(clock=clock)
    yield fake
    fake.stop()


@pytest.fixture
def impatient(slack_db_url: str, timely_slack: FakeSlack, clock: FakeClock) -> Iterator[Served]:
    """The server with a Web API timeout of half a second instead of 15."""
    app = build_app(slack_settings(slack_db_url, timely_slack), clock=clock)
    short = aiohttp.ClientTimeout(total=0.5)
    thread = ServerThread(lambda: build_web_app(app, web_api_timeout=short)).start()
    yield Served(app, thread)
    thread.stop()


@dataclass
class Served:
    app: App
    server: ServerThread

    def retry_due(self, clock: FakeClock) -> None:
        """Past the first retry's wait, and one pass of the outbox (the server's own loop
        may take it instead; then the pass waits for that send)."""
        clock.advance(seconds=6)
        outbox = outbox_of(self.server)
        self.server.call(outbox.run_once())
        self.server.call(outbox.settled())
        self.server.call(outbox.run_once())


def test_a_reply_slack_took_but_answered_too_late_is_not_posted_again(
    impatient: Served, timely_slack: FakeSlack, clock: FakeClock
) -> None:
    slack = SlackSender(impatient.server.url)
    release = threading.Event()
    timely_slack.answer_late("chat.postMessage", release)
    assert slack.dm(ANA, "hi").status == 200
    timely_slack.wait_for("chat.postMessage!held")
    impatient.server.call(outbox_of(impatient.server).settled())  # the client gave up
    [row] = unsent(impatient.app)
    assert row.maybe_sent_since is not None and "TimeoutError" in (row.last_error or "")
    release.set()

    impatient.retry_due(clock)
    [posted] = timely_slack.of("chat.postMessage")  # still only the first
    assert posted.params["metadata"] == {
        "event_type": "triage_reply",
        "event_payload": {"outbox": row.id, "part": 0},
    }
    [look] = timely_slack.of("conversations.history")
    assert look.params["channel"] == posted.params["channel"]
    assert look.params["include_all_metadata"] in (True, "true", "1")
    assert unsent(impatient.app) == []

    # Nothing is owed now: the next reply goes out at once, and without a look.
    assert slack.dm(ANA, GOOD_ANSWERS[0]).status == 200
    timely_slack.wait_for("chat.postMessage", 2)
    assert "Question 2 of 6" in posted_texts(timely_slack)[1]
    assert len(timely_slack.of("conversations.history")) == 1


def test_a_reply_that_timed_out_without_reaching_slack_is_posted_on_retry(
    impatient: Served, timely_slack: FakeSlack, clock: FakeClock
) -> None:
    slack = SlackSender(impatient.server.url)
    release = threading.Event()
    timely_slack.lose_next("chat.postMessage", release)
    assert slack.dm(ANA, "hi").status == 200
    timely_slack.wait_for("chat.postMessage!held")
    impatient.server.call(outbox_of(impatient.server).settled())
    release.set()
    assert timely_slack.of("chat.postMessage") == []

    impatient.retry_due(clock)
    assert len(timely_slack.of("conversations.history")) == 1  # looked, found nothing, posted
    [posted] = timely_slack.of("chat.postMessage")
    assert "Question 1 of 6" in json.dumps(posted.params["blocks"])
    assert unsent(impatient.app) == []


def test_a_reply_slack_refused_with_429_is_posted_again_without_a_look(
    impatient: Served, timely_slack: FakeSlack, clock: FakeClock
) -> None:
    """A 429 says nothing was posted: the retry needs no history call."""
    slack = SlackSender(impatient.server.url)
    timely_slack.fail_next("chat.postMessage", status=429, times=4, retry_after=0)
    assert slack.dm(ANA, "hi").status == 200
    timely_slack.wait_for("chat.postMessage!429", 4)  # the client's own 3 retries as well
    impatient.server.call(outbox_of(impatient.server).settled())
    [row] = unsent(impatient.app)
    assert row.maybe_sent_since is None

    impatient.retry_due(clock)
    [posted] = timely_slack.of("chat.postMessage")
    assert "Question 1 of 6" in json.dumps(posted.params["blocks"])
    assert timely_slack.of("conversations.history") == []
    assert unsent(impatient.app) == []


def test_a_reply_whose_look_times_out_waits_for_another_look(
    impatient: Served, timely_slack: FakeSlack, clock: FakeClock
) -> None:
    """Not knowing whether it landed, the outbox neither posts it nor forgets to look."""
    slack = SlackSender(impatient.server.url)
    posting, looking = threading.Event(), threading.Event()
    timely_slack.answer_late("chat.postMessage", posting)
    assert slack.dm(ANA, "hi").status == 200
    timely_slack.wait_for("chat.postMessage!held")
    impatient.server.call(outbox_of(impatient.server).settled())
    posting.set()
    [first] = unsent(impatient.app)

    timely_slack.answer_late("conversations.history", looking)
    impatient.retry_due(clock)
    looking.set()
    [row] = unsent(impatient.app)
    assert row.maybe_sent_since == first.maybe_sent_since and "look" in (row.last_error or "")
    assert len(timely_slack.of("chat.postMessage")) == 1

    clock.advance(seconds=30)
    impatient.retry_due(clock)
    assert len(timely_slack.of("conversations.history")) == 2
    assert len(timely_slack.of("chat.postMessage")) == 1
    assert unsent(impatient.app) == []


def test_a_reply_in_a_thread_is_looked_for_in_the_thread(
    impatient: Served, timely_slack: FakeSlack, clock: FakeClock
) -> None:
    slack = SlackSender(impatient.server.url)
    release = threading.Event()
    timely_slack.answer_late("chat.postMessage", release)
    assert slack.dm(ANA, "hi", thread_ts="1700000000.000001").status == 200
    timely_slack.wait_for("chat.postMessage!held")
    impatient.server.call(outbox_of(impatient.server).settled())
    release.set()

    impatient.retry_due(clock)
    [look] = timely_slack.of("conversations.replies")
    assert look.params["ts"] == "1700000000.000001"
    assert len(timely_slack.of("chat.postMessage")) == 1
    assert unsent(impatient.app) == []
