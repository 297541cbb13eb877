"""Nothing is parsed or acted on before the signature checks out; bad bodies get a 4xx."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlmodel import select

from bot.app import App
from bot.storage.models import Conversation, Person
from tests.channels.test_slack_conversation import ANA
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import (
    SlackSender,
    block_action,
    dm_event,
    event_envelope,
    post,
    post_signed_bytes,
    signature_headers,
)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def rows_in(app: App) -> tuple[int, int]:
    with app.database.session() as session:
        return len(session.exec(select(Person)).all()), len(
            session.exec(select(Conversation)).all()
        )


def prove_quiet_then_alive(slack: SlackSender, fake: FakeSlack) -> None:
    """A good message after the bad ones is answered, so anything the bad ones had set off would
    have happened by now; the only Web API traffic must be the good message's own."""
    assert all(call.method != "chat.postEphemeral" for call in fake.calls)
    assert fake.calls == []
    assert slack.dm(ANA, "hi").status == 200
    fake.wait_for("chat.postMessage", 1)
    assert all(call.method != "chat.postEphemeral" for call in fake.calls)


def test_a_timestamp_that_is_not_a_number_is_refused_without_a_word_to_anyone(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    # An interactive payload naming a user and a channel: the error handler used to post to them.
    payload = block_action(ANA, "triage-request-unknown", "1")
    body = urlencode({"payload": json.dumps(payload)})
    for timestamp in ("abc", "", "1e9", "-1", "12.5", "0x1f", "9" * 40):
        response = post(
            slack.url,
            body,
            content_type=FORM,
            headers={"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=00"},
        )
        assert response.status == 401, timestamp
    assert rows_in(slack_app) == (0, 0)
    prove_quiet_then_alive(slack, fake_slack)


UNSIGNED_GARBAGE = [
    ("not json at all", JSON),
    ('{"type": "event_callback", "event": {', JSON),
    ("payload=%7Bbroken", FORM),
    ("payload=", FORM),
    ("[" * 10_000, JSON),
]


def test_unsigned_garbage_is_401_not_500(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    for body, content_type in UNSIGNED_GARBAGE:
        assert post(slack.url, body, content_type=content_type).status == 401, body[:40]
        elsewhere = signature_headers(body, secret="someone-elses-secret")
        assert post(slack.url, body, content_type=content_type, headers=elsewhere).status == 401
    prove_quiet_then_alive(slack, fake_slack)


SIGNED_BUT_MALFORMED = [
    (b"[1, 2, 3]", JSON),
    (b'"a string"', JSON),
    (b"null", JSON),
    (b"[" * 10_000 + b"]" * 10_000, JSON),
    (b'{"type": "event_callback", "event": null}', JSON),
    (b'{"type": "event_callback", "event": "message"}', JSON),
    (b'{"type": "event_callback"}', JSON),
    (b'{"text": "caf\xe9"}', JSON),  # Latin-1, not UTF-8
    (b"payload=%7B%22type%22%3A%22block_actions%22\xff", FORM),
    (b"payload=%7Bbroken", FORM),
    (b"payload=", FORM),
    (b'{"type": "event_callback", "event": {', JSON),
]


def test_signed_bodies_that_are_not_slack_payloads_get_400_and_change_nothing(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    for raw, content_type in SIGNED_BUT_MALFORMED:
        status = post_signed_bytes(slack.url, raw, content_type=content_type).status
        assert status == 400, raw[:40]
    assert rows_in(slack_app) == (0, 0)
    prove_quiet_then_alive(slack, fake_slack)


def test_a_signed_good_event_still_goes_through_the_gate(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    raw = json.dumps(event_envelope(dm_event(ANA, "hi"), "EvGate")).encode()
    assert post_signed_bytes(slack.url, raw, content_type=JSON).status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    assert rows_in(slack_app) == (1, 1)
