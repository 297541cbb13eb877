"""A local stand-in for the Bot Connector service: records what the bot sends to `serviceUrl`.

It can be told to hold every send until the test lets it go (a slow Bot Connector)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tests.support.local_http import JsonHandler, start_local_server, stop_local_server


@dataclass
class Sent:
    verb: str  # send, reply or update
    conversation: str
    activity_id: str | None
    activity: dict[str, Any]

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        return None


@dataclass
class FakeConnector:
    sent: list[Sent] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _release: threading.Event | None = None
    held: int = 0
    """Sends that arrived while holding (counted before they wait)."""

    def __post_init__(self) -> None:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                self._handle()

            def do_PUT(self) -> None:
                self._handle()

            def _handle(self) -> None:
                body = json.loads(self.read_body() or b"{}")
                parts = self.path.split("?", 1)[0].strip("/").split("/")
                # v3/conversations/{id}/activities[/{activityId}]
                conversation = unquote(parts[2]) if len(parts) > 2 else ""
                activity_id = parts[4] if len(parts) > 4 else None
                verb = "update" if self.command == "PUT" else ("reply" if activity_id else "send")
                fake._hold()
                status, answer = fake._record(verb, conversation, activity_id, body)
                self.reply_json(status, answer, {"Retry-After": "0"} if status == 429 else None)

        self.server = start_local_server(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self) -> None:
        stop_local_server(self.server)

    def hold(self, release: threading.Event) -> None:
        """Every send from now on waits until ``release`` is set, then is taken as usual."""
        with self._condition:
            self._release = release

    def wait_held(self, count: int = 1, *, timeout: float = 10.0) -> None:
        """Until ``count`` sends are waiting on the hold; the timeout only guards a hang."""
        with self._condition:
            if not self._condition.wait_for(lambda: self.held >= count, timeout):
                raise AssertionError(f"expected {count} held send(s); {self.held} arrived")

    def _hold(self) -> None:
        with self._condition:
            release = self._release
            if release is None or release.is_set():
                return
            self.held += 1
            self._condition.notify_all()
        release.wait(30)

    def fail_next(self, *statuses: int) -> None:
        with self._condition:
            self._failures.extend(statuses)

    def wait_for(
        self,
        count: int,
        *,
        verb: str | None = None,
        timeout: float = 10.0,
        where: Callable[[Sent], bool] = lambda sent: True,
    ) -> list[Sent]:
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                matching = [s for s in self.sent if (verb is None or s.verb == verb) and where(s)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} {verb or 'any'}; got {self.sent}")
                self._condition.wait(remaining)

    def text(self) -> str:
        """All text the bot sent, cards flattened, in order."""
        with self._condition:
            return "\n".join(_flatten(s.activity) for s in self.sent)

    def _record(
        self, verb: str, conversation: str, activity_id: str | None, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        with self._condition:
            if self._failures:
                status = self._failures.pop(0)
                self._condition.notify_all()
                return status, {"error": {"code": "Throttled", "message": "try later"}}
            self.sent.append(Sent(verb, conversation, activity_id, body))
            self._condition.notify_all()
            return 200, {"id": activity_id or f"activity-{next(self._ids)}"}


def _flatten(node: Any) -> str:
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("text", "title") and isinstance(item, str):
                    parts.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(node)
    return "\n".join(parts)
