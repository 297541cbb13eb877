"""Teams' HTTP answer does not wait for the Bot Connector: replies follow it, once, in order."""

from __future__ import annotations

import json
import threading

from bot.app import App
from bot.server import TEAMS_KEY
from tests.conftest import GOOD_ANSWERS
from tests.support.fake_connector import FakeConnector, Sent
from tests.support.server import ServerThread
from tests.support.teams import ANA, action, say
from tests.support.teams_activities import invoke, message, post_activity


def shows(sent: Sent, text: str) -> bool:
    return text in json.dumps(sent.activity, ensure_ascii=False)


def settled(server: ServerThread) -> None:
    """Until the outbox has nothing under way."""
    assert server.web_app is not None
    outbox = server.web_app[TEAMS_KEY].outbox
    assert outbox is not None
    server.call(outbox.settled())


def test_a_stalled_bot_connector_does_not_hold_the_http_answer(
    teams: ServerThread, connector: FakeConnector
) -> None:
    release = threading.Event()
    connector.hold(release)
    status, _ = post_activity(teams.url, message(connector.url, ANA, "hi"))
    assert status == 201 and not release.is_set()  # answered while its reply is still held
    connector.wait_held(1)  # the reply is at the connector, waiting
    status, _ = post_activity(teams.url, message(connector.url, ANA, GOOD_ANSWERS[0]))
    assert status == 201  # the next turn too, though its reply queues behind the first
    assert connector.sent == []

    release.set()
    first, second = connector.wait_for(2)
    assert shows(first, "Question 1 of 6") and shows(second, "Question 2 of 6")
    settled(teams)
    assert len(connector.sent) == 2  # each once


def test_an_invoke_still_answers_with_its_card_while_the_connector_stalls(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    for number, answer in enumerate(["hi", *GOOD_ANSWERS], start=1):
        say(teams, connector, answer, number)
    submit = action(connector.sent[-1], "Submit")["data"]
    release = threading.Event()
    connector.hold(release)
    status, body = post_activity(teams.url, invoke(connector.url, ANA, submit))
    assert status == 200 and not release.is_set()
    response = json.loads(body)
    assert response["type"] == "application/vnd.microsoft.card.adaptive"
    assert "✓ Submitted" in json.dumps(response["value"], ensure_ascii=False)

    release.set()
    reply = connector.wait_for(8)[-1]
    assert shows(reply, "Submitted. Your reference is TR-0001")
    settled(teams)
    assert sum(shows(sent, "Submitted. Your reference") for sent in connector.sent) == 1
