"""Requests as Slack sends them: signed with the signing secret, over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.support.fake_slack import TEAM_ID

SIGNING_SECRET = "test-signing-secret"


@dataclass
class Response:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def signature_headers(body: str, *, secret: str = SIGNING_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def post_signed_bytes(url: str, raw: bytes, *, content_type: str) -> Response:
    """Signed as Slack signs, over bytes that need not be valid UTF-8."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256)
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    return _send(url, raw, content_type=content_type, headers=headers)


def post(
    url: str, body: str, *, content_type: str, headers: dict[str, str] | None = None
) -> Response:
    return _send(url, body.encode(), content_type=content_type, headers=headers)


def _send(url: str, data: bytes, *, content_type: str, headers: dict[str, str] | None) -> Response:
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": content_type, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Response(response.status, response.read().decode(errors="replace"))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode(errors="replace"))


class SlackSender:
    """Posts signed Events API, slash command and interactivity requests to /slack/events."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url + "/slack/events"
        self._event_ids = iter(range(1, 1_000_000))

    def send_json(self, payload: dict[str, Any], **extra_headers: str) -> Response:
        body = json.dumps(payload)
        headers = {**signature_headers(body), **extra_headers}
        return post(self.url, body, content_type="application/json", headers=headers)

    def send_form(self, fields: dict[str, str]) -> Response:
        body = urlencode(fields)
        return post(
            self.url,
            body,
            content_type="application/x-www-form-urlencoded",
            headers=signature_headers(body),
        )

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **extra_headers: str
    ) -> Response:
        return self.send_json(
            event_envelope(event, event_id or f"Ev{next(self._event_ids):06d}"), **extra_headers
        )

    def dm(self, user: str, text: str, *, event_id: str | None = None, **extra: Any) -> Response:
        return self.event(dm_event(user, text, **extra), event_id=event_id)

    def command(self, user: str, text: str = "") -> Response:
        return self.send_form(
            {
                "token": "legacy",
                "team_id": TEAM_ID,
                "team_domain": "acme",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/triage",
                "text": text,
                "api_app_id": "A0APP",
                "response_url": "https://hooks.example/unused",
                "trigger_id": "trigger-1",
            }
        )

    def interactive(self, payload: dict[str, Any]) -> Response:
        return self.send_form({"payload": json.dumps(payload)})


def event_envelope(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "A0APP",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}],
    }


def dm_event(user: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": f"D{user}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "team": TEAM_ID,
        **extra,
    }


def block_action(
    user: str,
    action_id: str,
    value: str,
    *,
    message: dict[str, Any] | None = None,
    label: str = "Button",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": "A0APP",
        "trigger_id": "trigger-2",
        "channel": {"id": f"D{user}", "name": "directmessage"},
        "container": {
            "type": "message",
            "channel_id": f"D{user}",
            "message_ts": (message or {}).get("ts", "1.0"),
        },
        "message": message or {"ts": "1.0", "text": "", "blocks": []},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "text": {"type": "plain_text", "text": label},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
