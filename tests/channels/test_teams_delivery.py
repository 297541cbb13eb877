"""Teams' HTTP answer does not wait for the Bot Connector: replies follow it, once, in order,
and so do the notices that keep nothing (refusals, the apology, the way to the personal chat)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.conversation.copy import EDITS_NOT_FILED, UNKNOWN_ACTION
from bot.server import TEAMS_KEY
from bot.storage.models import Draft
from tests.conftest import GOOD_ANSWERS
from tests.support.fake_connector import FakeConnector, Sent
from tests.support.server import ServerThread
from tests.support.teams import ANA, action, recorded, reviewed_in_teams, say
from tests.support.teams_activities import invoke, message, person, post_activity, submit


def shows(sent: Sent, text: str) -> bool:
    return text in json.dumps(sent.activity, ensure_ascii=False)


def settled(server: ServerThread) -> None:
    """Until nothing the bot sends after an answer is under way."""
    assert server.web_app is not None
    server.call(server.web_app[TEAMS_KEY].settled())


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


def stalled(connector: FakeConnector) -> threading.Event:
    """The connector holds every send from now on, until the returned event is set."""
    release = threading.Event()
    connector.hold(release)
    return release


def answered_while_held(
    server: ServerThread, connector: FakeConnector, activity: dict[str, Any]
) -> tuple[int, str]:
    """Posts the activity to a stalled connector's bot. Its answer must come back with nothing
    taken by the connector: had the bot waited for a send, the send would have been taken first
    (the hold lets go after 30 s) or the request would have timed out."""
    status, body = post_activity(server.url, activity)
    assert connector.sent == [], "the answer waited for a send"
    return status, body


NOTICES: dict[str, tuple[Callable[[FakeConnector], dict[str, Any]], int, str]] = {
    "an edited message": (lambda c: recorded("message_update.json", c), 201, EDITS_NOT_FILED),
    "a deleted message": (lambda c: recorded("message_delete.json", c), 201, EDITS_NOT_FILED),
    "a mention in a channel": (
        lambda c: recorded("channel_mention.json", c),
        201,
        "Open our chat to start or carry on",
    ),
    "card data that is not ours": (
        lambda c: submit(c.url, ANA, {"evil": True}, "activity-1"),
        201,
        UNKNOWN_ACTION,
    ),
    "a button pressed by someone never met": (
        lambda c: invoke(
            c.url,
            person("Zed"),
            {"triage_action": "triage-request-submit", "triage_value": "1"},
        ),
        200,
        UNKNOWN_ACTION,
    ),
}


@pytest.mark.parametrize("kind", NOTICES)
def test_a_notice_follows_the_http_answer_while_the_connector_stalls(
    kind: str, teams: ServerThread, connector: FakeConnector
) -> None:
    make, expected_status, text = NOTICES[kind]
    release = stalled(connector)
    status, _ = answered_while_held(teams, connector, make(connector))
    assert status == expected_status
    connector.wait_held(1)  # the notice is at the connector, waiting

    release.set()
    notice = connector.wait_for(1)[0]
    assert shows(notice, text)
    settled(teams)
    assert len(connector.sent) == 1  # once


def test_the_apology_for_a_failed_turn_follows_the_http_answer(
    teams_app: App, teams: ServerThread, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    say(teams, connector, "hi", 1)
    with teams_app.database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE audit_event")  # the next turn fails
    settled(teams)
    release = stalled(connector)
    connector.sent.clear()
    status, _ = answered_while_held(teams, connector, message(connector.url, ANA, "An answer"))
    assert status == 201
    connector.wait_held(1)

    release.set()
    apology = connector.wait_for(1)[0]
    assert shows(apology, "was not saved") and "Traceback" not in json.dumps(apology.activity)
    error_id = apology.activity["text"].split("error id ")[1].split(")")[0]
    assert error_id in caplog.text


def test_a_press_from_a_host_without_universal_actions_settles_its_card_after_the_answer(
    teams: ServerThread, connector: FakeConnector
) -> None:
    for number, answer in enumerate(["hi", *GOOD_ANSWERS[:5]], start=1):
        say(teams, connector, answer, number)
    skip = action(connector.sent[-1], "Skip")["fallback"]["data"]
    settled(teams)
    release = stalled(connector)
    connector.sent.clear()
    status, _ = answered_while_held(teams, connector, submit(connector.url, ANA, skip, "act-6"))
    assert status == 201
    connector.wait_held(2)  # the card settled, and the summary

    release.set()
    update = connector.wait_for(1, verb="update")[0]
    assert update.activity_id == "act-6" and shows(update, "✓ Skipped")
    connector.wait_for(1, where=lambda sent: shows(sent, "Here is request TR-0001"))
    settled(teams)
    assert len(connector.sent) == 2


def test_a_review_decided_from_a_host_without_universal_actions_is_answered_after(
    tmp_path: Path, connector: FakeConnector
) -> None:
    app, server, _ = reviewed_in_teams(tmp_path, connector)
    try:
        pressed = recorded(
            "action_submit_fallback.json",
            connector,
            **{
                "from": person("Lead"),
                "value": {"triage_action": "review-draft-approve", "triage_value": "1"},
            },
        )
        settled(server)  # nothing from the triage is still on its way
        release = stalled(connector)
        connector.sent.clear()
        status, _ = answered_while_held(server, connector, pressed)
        assert status == 201
        connector.wait_held(1)
        with app.database.session(write=False) as session:
            assert session.get(Draft, 1).status == "approved"  # type: ignore[union-attr]

        release.set()
        assert shows(connector.wait_for(1)[0], "Approved by Lead")
        settled(server)
        assert len(connector.sent) == 1
    finally:
        server.stop()
