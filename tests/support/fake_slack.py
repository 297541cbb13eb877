"""A local stand-in for Slack's Web API: answers the methods the bot calls and records them.

It listens on port 0 (tests run in parallel), is reached through SLACK_API_URL, and can be told
to answer the next calls of a method with 429 (Retry-After) or 500, or to post a message and
answer only once the test lets it (a Slack that took it but answered too late). Posted messages
are kept per conversation, with their metadata, for conversations.history and .replies.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from tests.support.local_http import JsonHandler, start_local_server, stop_local_server

BOT_USER_ID = "UBOT"
TEAM_ID = "T0TEAM"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    remaining: int
    error: str | None = None
    body: Any = None


@dataclass
class Message:
    """A message as the conversation holds it (what history answers with)."""

    channel: str
    ts: str
    text: str
    thread_ts: str | None
    metadata: dict[str, Any] | None

    def as_slack(self, *, with_metadata: bool) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "BBOT",
            "text": self.text,
            "ts": self.ts,
        }
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if with_metadata and self.metadata:
            message["metadata"] = self.metadata
        return message


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    _failures: dict[str, _Failure] = field(default_factory=dict)
    _condition: threading.Condition = field(default_factory=threading.Condition)
    messages: list[Message] = field(default_factory=list)
    clock: Callable[[], datetime] | None = None
    """Slack's clock for message timestamps (the bot's injected clock, so history's ``oldest``
    means the same to both); without it, timestamps start at 1700000000."""
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _stall: threading.Event = field(default_factory=threading.Event)
    _stall_seconds: float = 0.0
    _late: dict[str, tuple[int, threading.Event]] = field(default_factory=dict)
    _lost: dict[str, tuple[int, threading.Event]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fake = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                query = self.path.split("?", 1)[1] if "?" in self.path else ""
                self._reply({k: v[0] for k, v in parse_qs(query).items()})

            def do_POST(self) -> None:
                raw = self.read_body().decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw).items()}
                query = self.path.split("?", 1)[1] if "?" in self.path else ""
                params.update({k: v[0] for k, v in parse_qs(query).items()})  # slack_sdk's params=
                self._reply(params)

            def _reply(self, params: dict[str, Any]) -> None:
                for key in ("blocks", "view", "attachments", "metadata"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                auth = self.headers.get("Authorization", "")
                method = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
                if fake._held(method, fake._lost):  # never taken: no answer, nothing done
                    self.close_connection = True
                    return
                status, body, headers = fake._answer(method, params, auth.removeprefix("Bearer "))
                fake._held(method, fake._late)
                self.reply_json(status, body, headers)

        self.server = start_local_server(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def stop(self) -> None:
        stop_local_server(self.server)

    # -- driving it ------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
        body: Any = None,
    ) -> None:
        """The next calls fail: with an HTTP status, or (status 200) Slack's ok:false ``error``;
        ``body`` replaces Slack's JSON answer (a proxy's page, a bare string)."""
        with self._condition:
            self._failures[method] = _Failure(status, retry_after, times, error, body)

    def answer_late(self, method: str, release: threading.Event, *, times: int = 1) -> None:
        """The next calls are done (a message is posted) but answered only once ``release``
        is set: the bot's client has given up by then, and cannot know they landed."""
        with self._condition:
            self._late[method] = (times, release)

    def lose_next(self, method: str, release: threading.Event, *, times: int = 1) -> None:
        """The next calls hang until ``release`` is set and are then dropped undone: a
        request that never reached Slack, although the bot's client cannot tell."""
        with self._condition:
            self._lost[method] = (times, release)

    def stall(self, *, seconds: float) -> None:
        """Hold every answer for up to ``seconds`` (0 releases them at once): a slow Slack."""
        self._stall_seconds = seconds
        if seconds:
            self._stall.clear()
        else:
            self._stall.set()

    def of(self, method: str) -> list[Call]:
        with self._condition:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 10.0,
        where: Callable[[Call], bool] = lambda call: True,
    ) -> list[Call]:
        """Block until ``count`` matching calls arrived; the timeout only guards a hang."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                matching = [c for c in self.calls if c.method == method and where(c)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"expected {count} {method} call(s); saw {seen}")
                self._condition.wait(remaining)

    def wait_for_post(self, fragment: str, *, timeout: float = 10.0) -> Call:
        """The first message posted whose text holds ``fragment``, however many notices (such
        as "saving is slow") came before it."""
        return self.wait_for(
            "chat.postMessage",
            timeout=timeout,
            where=lambda call: (
                fragment in (_flatten(call.params.get("blocks")) or call.params.get("text", ""))
            ),
        )[0]

    def posted_text(self, channel: str | None = None) -> str:
        """Everything posted so far, blocks flattened to text, in order."""
        texts = []
        for call in self.of("chat.postMessage") + self.of("chat.postEphemeral"):
            if channel is None or call.params.get("channel") == channel:
                texts.append(_flatten(call.params.get("blocks")) or call.params.get("text", ""))
        return "\n".join(texts)

    # -- answering ---------------------------------------------------------------------------

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        if self._stall_seconds:
            self._stall.wait(self._stall_seconds)
        with self._condition:
            failure = self._failures.get(method)
            if failure and failure.remaining > 0:
                failure.remaining -= 1
                self.calls.append(Call(f"{method}!{failure.status}", params, token))
                self._condition.notify_all()
                headers = (
                    {"Retry-After": str(failure.retry_after)}
                    if failure.retry_after is not None
                    else {}
                )
                error = failure.error or (
                    "ratelimited" if failure.status == 429 else "internal_error"
                )
                if failure.body is not None:
                    return failure.status, failure.body, headers
                return failure.status, {"ok": False, "error": error}, headers
            self.calls.append(Call(method, params, token))
            self._condition.notify_all()
            seconds = int(self.clock().timestamp()) if self.clock else 1700000000
            ts = f"{seconds}.{next(self._ts):06d}"
            if method == "chat.postMessage":
                self.messages.append(
                    Message(
                        str(params.get("channel")),
                        ts,
                        str(params.get("text") or ""),
                        params.get("thread_ts"),
                        params.get("metadata"),
                    )
                )
            body = self._body(method, params, ts)
        return 200, body, {}

    def _held(self, method: str, holds: dict[str, tuple[int, threading.Event]]) -> bool:
        """Wait on the method's release if one is set for it; True if this call was held."""
        with self._condition:
            times, release = holds.get(method, (0, None))
            if release is None or times <= 0:
                return False
            holds[method] = (times - 1, release)
            self.calls.append(Call(f"{method}!held", {}, None))
            self._condition.notify_all()
        release.wait(30)
        return True

    def _history(self, params: dict[str, Any], *, thread: bool) -> dict[str, Any]:
        """Newest first, between ``oldest`` and ``latest``, ``limit`` at a time with a cursor;
        metadata only when asked for, as Slack does."""
        channel = params.get("channel")
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("true", "1")
        in_view = [
            m
            for m in self.messages
            if m.channel == channel
            and oldest < float(m.ts) < latest
            and (m.thread_ts == params.get("ts") if thread else m.thread_ts is None)
        ]
        in_view.reverse()
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = in_view[start : start + limit]
        more = start + limit < len(in_view)
        return {
            "ok": True,
            "messages": [m.as_slack(with_metadata=with_metadata) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _body(self, method: str, params: dict[str, Any], ts: str) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "user": "triage",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "BBOT",
            }
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "A0APP",
                "access_token": "xoxb-installed-token",
                "token_type": "bot",
                "scope": "chat:write,commands,im:history,im:write,users:read",
                "bot_user_id": BOT_USER_ID,
                "team": {"id": "T0OTHER", "name": "Other Co"},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "U0ADMIN", "scope": "", "access_token": None},
            }
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.usergroups.get(params.get("usergroup", ""), [])}
        if method == "users.info":
            user_id = params.get("user", "")
            user = self.users.get(user_id, {"real_name": f"Person {user_id}", "tz": "Europe/Paris"})
            return {"ok": True, "user": {"id": user_id, "profile": {}, **user}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))}}
        if method in ("chat.postMessage", "chat.update"):
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": params.get("ts") or ts,
                "message": {"text": params.get("text"), "ts": ts},
            }
        if method == "conversations.history":
            return self._history(params, thread=False)
        if method == "conversations.replies":
            return self._history(params, thread=True)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.getPermalink":
            channel, message_ts = params.get("channel"), params.get("message_ts", "")
            link = f"https://acme.slack.com/archives/{channel}/p{message_ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method in ("views.publish", "views.open", "views.update"):
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"}


def _flatten(blocks: Any) -> str:
    """The visible text of Block Kit JSON, for assertions that read like what a person sees."""
    if not blocks:
        return ""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
                parts.append(str(node["text"]))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)
