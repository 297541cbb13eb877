"""Every Slack entry point: /triage, the message shortcut, App Home, the edit form, Socket Mode."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlmodel import select

from bot.app import App
from bot.channels.slack.app import build_slack_app
from bot.channels.slack.manifest import BOT_EVENTS, slack_manifest
from bot.storage.models import Request
from tests.channels.test_slack_conversation import ANA, answers, button, last_post
from tests.conftest import GOOD_ANSWERS
from tests.support.fake_slack import TEAM_ID, FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import (
    SlackSender,
    block_action,
    dm_event,
    event_envelope,
    post,
)


def answer_all(slack: SlackSender, fake: FakeSlack) -> dict[str, Any]:
    slack.dm(ANA, "hi")
    fake.wait_for("chat.postMessage", 1)
    for number, answer in enumerate(GOOD_ANSWERS, start=2):
        slack.dm(ANA, answer)
        fake.wait_for("chat.postMessage", number)
    return last_post(fake, 7)


def test_slash_command_opens_the_triage_in_a_dm_with_its_title(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    response = slack.command(ANA, "Quotes keep failing in the CRM")
    assert response.status == 200
    assert "direct messages" in response.body, response.body
    assert fake_slack.wait_for("conversations.open")[0].params["users"] == ANA
    greeting = last_post(fake_slack, 1)
    assert greeting["channel"] == f"D{ANA}"
    assert "Starting request TR-0001: Quotes keep failing in the CRM" in greeting["text"]


def test_message_shortcut_turns_a_channel_message_into_a_request_with_its_link(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    shortcut = {
        "type": "message_action",
        "callback_id": "triage-message-shortcut",
        "team": {"id": TEAM_ID},
        "user": {"id": ANA, "team_id": TEAM_ID},
        "channel": {"id": "C0SALES", "name": "sales"},
        "trigger_id": "t",
        "message": {
            "type": "message",
            "user": "U0REP",
            "ts": "1699999999.000100",
            "text": "Can someone make a video on discount codes?",
        },
        "message_ts": "1699999999.000100",
        "response_url": "https://hooks.example/x",
    }
    assert slack.interactive(shortcut).status == 200
    reply = last_post(fake_slack, 1)
    assert "Can someone make a video on discount codes?" in reply["text"]
    link = "https://acme.slack.com/archives/C0SALES/p1699999999000100"
    assert [a.text for a in answers(slack_app, "source_material")] == [link]
    assert "Question 1 of 6" in json.dumps(reply["blocks"])


def test_a_replayed_shortcut_request_changes_nothing(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """The same signed request sent again (an attacker's replay within Slack's five minutes)
    would cancel the request in progress and start another each time."""
    shortcut = {
        "type": "message_action",
        "callback_id": "triage-message-shortcut",
        "team": {"id": TEAM_ID, "domain": "acme"},
        "user": {"id": ANA, "team_id": TEAM_ID},
        "channel": {"id": "C0SALES", "name": "sales"},
        "trigger_id": "1337.42.abcdef",
        "message": {"type": "message", "user": "U0REP", "ts": "1699999999.000100", "text": "x"},
        "message_ts": "1699999999.000100",
        "response_url": "https://hooks.example/x",
    }
    assert slack.interactive(shortcut).status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    slack.dm(ANA, GOOD_ANSWERS[0])
    fake_slack.wait_for("chat.postMessage", 2)
    assert slack.interactive(shortcut).status == 200
    with slack_app.database.session(write=False) as session:
        statuses = [r.status for r in session.exec(select(Request)).all()]
    assert statuses == ["drafting"]  # not cancelled, no second request
    assert [a.text for a in answers(slack_app, "failing_task")] == [GOOD_ANSWERS[0]]
    assert len(fake_slack.of("chat.postMessage")) == 2


def test_app_home_lists_my_requests_and_starts_a_new_one(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    summary = answer_all(slack, fake_slack)
    submit = button(summary, "Submit")
    slack.interactive(block_action(ANA, submit["action_id"], submit["value"]))
    fake_slack.wait_for("chat.postMessage", 8)
    slack_app.drain()
    slack.event({"type": "app_home_opened", "user": ANA, "channel": f"D{ANA}", "tab": "home"})
    view = fake_slack.wait_for("views.publish")[0].params
    assert view["user_id"] == ANA
    home = json.dumps(view["view"])
    assert "My requests" in home and "TR-0001" in home and "in review" in home
    new = next(
        e
        for b in view["view"]["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "triage-request-new"
    )
    home_press = block_action(ANA, new["action_id"], new["value"])
    del home_press["channel"]  # presses in App Home come without a channel
    assert slack.interactive(home_press).status == 200
    assert "Question 1 of 6" in json.dumps(last_post(fake_slack, 9)["blocks"])


def test_edit_opens_a_form_and_saving_it_stores_a_new_version(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    summary = answer_all(slack, fake_slack)
    edit = next(
        b["accessory"]
        for b in summary["blocks"]
        if b.get("accessory", {}).get("value", "").endswith(":performer")
    )
    slack.interactive(block_action(ANA, edit["action_id"], edit["value"], label="Edit"))
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    assert modal["blocks"][0]["element"]["initial_value"] == GOOD_ANSWERS[1]

    def submission(text: str) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID},
            "user": {"id": ANA, "team_id": TEAM_ID},
            "api_app_id": "A0APP",
            "view": {
                **modal,
                "id": "V1",
                "state": {
                    "values": {"answer": {"text": {"type": "plain_text_input", "value": text}}}
                },
            },
        }

    empty = slack.interactive(submission("   "))
    assert empty.json()["response_action"] == "errors"
    saved = slack.interactive(submission("About 55 account managers"))
    assert saved.status == 200 and saved.body == ""
    assert "Here is request TR-0001" in last_post(fake_slack, 8)["text"]
    assert [a.text for a in answers(slack_app, "performer")] == [
        GOOD_ANSWERS[1],
        "About 55 account managers",
    ]

    forged = submission("sneaky")
    forged["view"]["private_metadata"] = "999:performer"
    slack.interactive(forged)
    fake_slack.wait_for("chat.postEphemeral")
    assert len(answers(slack_app, "performer")) == 2


def test_socket_mode_runs_the_same_listeners_and_drops_retries(
    slack_app: App, slack_server: ServerThread, fake_slack: FakeSlack
) -> None:
    async def deliver(event_id: str, text: str, retry_attempt: int) -> int:
        request = SocketModeRequest(
            type="events_api",
            envelope_id=f"env-{event_id}-{retry_attempt}",
            payload=event_envelope(dm_event(ANA, text), event_id),
            retry_attempt=retry_attempt,
            retry_reason="timeout" if retry_attempt else None,
        )
        response = await run_async_bolt_app(bolt_app, request)
        return response.status

    async def build() -> Any:
        return build_slack_app(
            settings=slack_app.settings,
            engine=slack_app.engine,
            database=slack_app.database,
            session=None,  # slack_sdk's own per-call sessions: enough for a test
        ).bolt

    bolt_app = slack_server.call(build())
    assert slack_server.call(deliver("EvS1", "hi", 0)) == 200
    fake_slack.wait_for("chat.postMessage", 1)
    assert slack_server.call(deliver("EvS2", GOOD_ANSWERS[0], 0)) == 200
    fake_slack.wait_for("chat.postMessage", 2)
    assert slack_server.call(deliver("EvS2", GOOD_ANSWERS[0], 1)) == 200
    assert slack_server.call(deliver("EvS3", GOOD_ANSWERS[1], 0)) == 200
    fake_slack.wait_for("chat.postMessage", 3)
    assert len(fake_slack.of("chat.postMessage")) == 3
    assert [a.text for a in answers(slack_app, "failing_task")] == [GOOD_ANSWERS[0]]


def test_the_manifest_names_what_the_app_listens_to() -> None:
    socket = slack_manifest()
    assert socket["settings"]["socket_mode_enabled"] is True
    assert set(socket["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    assert socket["features"]["slash_commands"][0]["command"] == "/triage"
    assert socket["features"]["shortcuts"][0]["callback_id"] == "triage-message-shortcut"
    assert socket["features"]["app_home"]["home_tab_enabled"] is True
    assert {"chat:write", "commands", "im:history", "im:write", "users:read"} <= set(
        socket["oauth_config"]["scopes"]["bot"]
    )
    http = slack_manifest(public_url="https://triage.example.com/")
    assert http["settings"]["socket_mode_enabled"] is False
    assert (
        http["settings"]["interactivity"]["request_url"]
        == "https://triage.example.com/slack/events"
    )
    assert http["oauth_config"]["redirect_urls"] == [
        "https://triage.example.com/slack/oauth_redirect"
    ]


def test_health_and_metrics(
    slack_app: App, slack_server: ServerThread, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    import urllib.request

    slack.dm(ANA, "hi")
    fake_slack.wait_for("chat.postMessage")
    with urllib.request.urlopen(slack_server.url + "/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {
            "status": "ok",
            "database": "ok",
            "turns": "threads",
        }
    with urllib.request.urlopen(slack_server.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    assert 'triage_http_requests_total{route="/slack/events",status="200"} 1' in text
    assert "triage_turns_total 1" in text
    assert "triage_database_up 1" in text
    assert (
        post(slack_server.url + "/slack/events", "{}", content_type="application/json").status
        == 401
    )


class _Envelopes:
    """The socket client's side of an acknowledgement: what the handler sent back, and
    whether the answer was stored by then."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.logger = logging.getLogger("tests.socket")
        self.acked: list[tuple[str, int]] = []

    async def send_socket_mode_response(self, response: Any) -> None:
        self.acked.append((response.envelope_id, len(answers(self.app, "failing_task"))))


def test_socket_mode_acknowledges_a_message_only_once_it_is_stored(
    slack_app: App,
    slack_server: ServerThread,
    fake_slack: FakeSlack,
    slack_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An envelope Slack got no acknowledgement for is sent again, so a message the bot could
    not store in time goes unacknowledged, and its second delivery is stored once."""
    from bot.channels.slack import socket

    monkeypatch.setattr(socket, "HOLD_SECONDS", 0.5)
    envelopes = _Envelopes(slack_app)

    async def build() -> Any:
        service = build_slack_app(
            settings=slack_app.settings,
            engine=slack_app.engine,
            database=slack_app.database,
            session=None,
        )
        return socket.socket_handler(service.bolt, "xapp-test", hold=service.channel.hold_ack)

    handler = slack_server.call(build())

    def deliver(event_id: str, text: str, retry_attempt: int = 0) -> None:
        request = SocketModeRequest(
            type="events_api",
            envelope_id=f"env-{event_id}-{retry_attempt}",
            payload=event_envelope(dm_event(ANA, text), event_id),
            retry_attempt=retry_attempt,
        )
        slack_server.call(handler.handle(envelopes, request))

    deliver("EvH1", "hi")
    deliver("EvH2", GOOD_ANSWERS[0])
    assert envelopes.acked == [("env-EvH1-0", 0), ("env-EvH2-0", 1)]

    blocker = sqlite3.connect(slack_db_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the next turn cannot be stored in time
    try:
        deliver("EvH3", GOOD_ANSWERS[1])
    finally:
        blocker.rollback()
        blocker.close()
    assert [envelope for envelope, _ in envelopes.acked] == ["env-EvH1-0", "env-EvH2-0"]
    fake_slack.wait_for_post("Question 3 of 6")  # the held turn went on and landed
    deliver("EvH3", GOOD_ANSWERS[1], retry_attempt=1)
    assert envelopes.acked[-1][0] == "env-EvH3-1"
    assert [a.text for a in answers(slack_app, "performer")] == [GOOD_ANSWERS[1]]
