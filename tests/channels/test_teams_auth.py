"""Forged Teams tokens are refused before any key fetch, and a hanging key server stalls nothing."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from sqlmodel import select

from bot.app import App, build_app
from bot.channels.teams.auth import SigningKeys, token_problem
from bot.config import Settings
from bot.server import build_web_app
from bot.storage.models import Conversation
from tests.conftest import PROJECT_ROOT
from tests.support.fake_connector import FakeConnector
from tests.support.fake_openid import KEY_ID, FakeOpenId
from tests.support.server import ServerThread
from tests.support.teams_activities import message, person, post_activity

APP_ID = "00000000-0000-0000-0000-000000000001"
ANA = person("Ana")


@pytest.fixture
def openid() -> Iterator[FakeOpenId]:
    fake = FakeOpenId()
    yield fake
    fake.stop()


@pytest.fixture
def authed_app(tmp_path: Path, openid: FakeOpenId) -> App:
    return build_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'auth.db'}",
            triage_config=PROJECT_ROOT / "app.yaml",
            microsoft_app_id=APP_ID,
            microsoft_app_password="secret",
            microsoft_openid_metadata_url=openid.metadata_url,
        )
    )


@pytest.fixture
def server(authed_app: App) -> Iterator[ServerThread]:
    thread = ServerThread(lambda: build_web_app(authed_app)).start()
    yield thread
    thread.stop()


def conversations(app: App) -> int:
    with app.database.session() as session:
        return len(session.exec(select(Conversation)).all())


def forged_tokens(openid: FakeOpenId, service_url: str) -> dict[str, str]:
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": service_url}
    good = openid.token(app_id=APP_ID, service_url=service_url)
    return {
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the app password": jwt.encode(
            claims, "the-app-password-" * 3, algorithm="HS256", headers={"kid": KEY_ID}
        ),
        "no kid": jwt.encode(claims, openid.private_key, algorithm="RS256"),
        "empty kid": jwt.encode(claims, openid.private_key, algorithm="RS256", headers={"kid": ""}),
        "no issuer": jwt.encode(
            {"aud": APP_ID}, openid.private_key, algorithm="RS256", headers={"kid": KEY_ID}
        ),
        "not a JWT": "not.a.token",
        "a good token cut inside its claims": good[: good.index(".") + 12],
    }


def test_malformed_tokens_are_refused_without_fetching_any_key(
    authed_app: App, server: ServerThread, openid: FakeOpenId, connector: FakeConnector
) -> None:
    activity = message(connector.url, ANA, "hi")
    statuses = {
        name: post_activity(server.url, activity, headers={"Authorization": f"Bearer {token}"})[0]
        for name, token in forged_tokens(openid, connector.url).items()
    }
    statuses["Basic scheme"] = post_activity(
        server.url, activity, headers={"Authorization": "Basic YTpi"}
    )[0]
    statuses["no header"] = post_activity(server.url, activity)[0]
    assert statuses == dict.fromkeys(statuses, 401)
    assert openid.fetches == []
    assert connector.sent == []
    assert conversations(authed_app) == 0


def test_the_token_check_names_each_problem() -> None:
    assert token_problem("Bearer abc def") == "no bearer token"
    assert token_problem("Bearer " + "a" * 20_000) == "token too long"
    unsigned = jwt.encode({"iss": "x"}, None, algorithm="none")
    assert token_problem(f"Bearer {unsigned}") == "signing algorithm 'none' is not RS256"


def test_a_hanging_key_server_stalls_neither_health_nor_later_requests(
    authed_app: App, server: ServerThread, openid: FakeOpenId, connector: FakeConnector
) -> None:
    openid.mode = "hang"
    token = openid.token(app_id=APP_ID, service_url=connector.url)
    headers = {"Authorization": f"Bearer {token}"}
    results: list[int] = []
    waiting = threading.Thread(
        target=lambda: results.append(
            post_activity(server.url, message(connector.url, ANA, "hi"), headers=headers)[0]
        )
    )
    waiting.start()
    openid.wait_for_fetches(1)
    # The first request is still waiting on the key server; the loop must still answer.
    with urllib.request.urlopen(server.url + "/healthz", timeout=5) as health:
        assert health.status == 200
    assert waiting.is_alive() and results == []
    openid.release()
    waiting.join(timeout=30)
    assert results == [401]
    # Within the back-off the next token is refused without another fetch.
    again = post_activity(server.url, message(connector.url, ANA, "hi"), headers=headers)
    assert again[0] == 401
    assert len(openid.fetches) == 1
    assert conversations(authed_app) == 0


def test_a_fetch_that_never_answers_times_out_and_backs_off(openid: FakeOpenId) -> None:
    openid.mode = "hang"
    keys = SigningKeys(openid.metadata_url, timeout=0.2)

    async def twice() -> tuple[object, object]:
        return await keys.get(KEY_ID), await keys.get(KEY_ID)

    assert asyncio.run(twice()) == (None, None)
    assert len(openid.fetches) == 1  # the second lookup was inside the back-off
    assert not openid._release.is_set()  # the key server never answered: the timeout did it


def test_a_token_signed_with_the_published_key_is_accepted(
    authed_app: App, server: ServerThread, openid: FakeOpenId, connector: FakeConnector
) -> None:
    token = openid.token(app_id=APP_ID, service_url=connector.url)
    status, _ = post_activity(
        server.url,
        message(connector.url, ANA, "hi"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status != 401
    assert conversations(authed_app) == 1
    # Keys come from the cache for the next token: no second fetch of metadata and keys.
    post_activity(
        server.url,
        message(connector.url, ANA, "hello again"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert len(openid.fetches) == 2


def test_garbage_without_a_token_is_refused_before_it_is_read(
    server: ServerThread, openid: FakeOpenId
) -> None:
    for raw in (b"[" * 10_000, b"\xff\xfe", b"not json"):
        request = urllib.request.Request(
            server.url + "/api/messages",
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 401
    assert openid.fetches == []
