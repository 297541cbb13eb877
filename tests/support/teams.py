"""The Teams side of the channel tests: the settings a Teams server runs with, and the steps
many tests take (say something and wait for the reply, find a card's button, post a recorded
payload, reach a request drafted for a Teams reviewer). The fixtures are in
tests/channels/conftest.py."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.config import Settings
from bot.server import build_web_app
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.fake_connector import FakeConnector, Sent
from tests.support.server import ServerThread
from tests.support.teams_activities import invoke, message, person, post_activity

ANA = person("Ana")
PAYLOADS = PROJECT_ROOT / "tests" / "data" / "payloads" / "teams"
_ids = itertools.count(1)


def teams_settings(database_url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=database_url,
        triage_config=PROJECT_ROOT / "app.yaml",
        teams_emulator=True,
        **extra,
    )


def say(
    server: ServerThread,
    connector: FakeConnector,
    text: str,
    expected: int,
    who: dict[str, Any] = ANA,
) -> Sent:
    status, _ = post_activity(server.url, message(connector.url, who, text))
    assert status in (200, 201)
    return connector.wait_for(expected)[-1]


def action(sent: Sent, title: str) -> dict[str, Any]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for found in walk(sent.card):
        if found["title"] == title:
            return found
    raise AssertionError(f"no {title!r} action in {sent.card}")


def recorded(name: str, connector: FakeConnector, **changes: Any) -> dict[str, Any]:
    """The recorded activity, sent to this test's connector with an id of its own."""
    found = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    assert found["_source"], name
    activity = {**found["payload"], "serviceUrl": connector.url, "id": f"rec-{next(_ids)}"}
    activity.update(changes)
    return activity


def reviewed_in_teams(
    tmp_path: Path, connector: FakeConnector
) -> tuple[App, ServerThread, dict[str, Any] | None]:
    """A server whose Teams reviewer is Lead (who has said hi), Ana's request submitted and
    drafted, and the review card Lead got: the start of every review test."""
    from bot.config import load_app_config

    config = load_app_config(PROJECT_ROOT / "app.yaml")
    config = config.model_copy(
        update={"review": config.review.model_copy(update={"teams_user_ids": ("aad-lead",)})}
    )
    app = build_app(teams_settings(f"sqlite:///{tmp_path / 'review.db'}"), config=config)
    server = ServerThread(lambda: build_web_app(app)).start()
    say(server, connector, "hi", 1, who=person("Lead"))
    for number, answer in enumerate(["hi", *GOOD_ANSWERS], start=2):
        say(server, connector, answer, number)
    post_activity(
        server.url, invoke(connector.url, ANA, action(connector.sent[-1], "Submit")["data"])
    )
    app.drain()
    card = connector.wait_for(1, where=lambda s: "Review TR-0001" in json.dumps(s.card or {}))[0]
    return app, server, card.card
