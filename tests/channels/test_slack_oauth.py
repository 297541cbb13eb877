"""Multi-workspace installs through Bolt's OAuth flow, stored by slack_sdk in the bot's database."""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import build_app
from bot.config import Settings
from bot.server import build_web_app
from tests.conftest import PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.fake_slack import FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import SIGNING_SECRET, SlackSender, dm_event, event_envelope


@pytest.fixture
def oauth_server(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[tuple[ServerThread, str]]:
    url = f"sqlite:///{tmp_path / 'oauth.db'}"
    settings = Settings(
        database_url=url,
        triage_config=PROJECT_ROOT / "app.yaml",
        slack_client_id="111.222",
        slack_client_secret="client-secret",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
    )
    app = build_app(settings, clock=FakeClock())
    server = ServerThread(lambda: build_web_app(app)).start()
    yield server, url
    server.stop()


def test_install_then_converse_with_the_installed_token(
    oauth_server: tuple[ServerThread, str], fake_slack: FakeSlack
) -> None:
    server, database_url = oauth_server
    with urllib.request.urlopen(server.url + "/slack/install", timeout=10) as page:
        html = page.read().decode()
        # The state cookie is Secure (Slack requires https), so a browser on plain http would
        # drop it; send it back by hand as the browser would over https.
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    state = re.search(r"state=([\w-]+)", html)
    assert state, html
    assert "client_id=111.222" in html and "chat:write" in html.replace("%3A", ":")

    redirect = f"{server.url}/slack/oauth_redirect?code=the-code&state={state.group(1)}"
    request = urllib.request.Request(redirect, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as page:
        assert page.status == 200
    assert fake_slack.of("oauth.v2.access")[0].params["code"] == "the-code"

    from bot.storage.database import Database

    with Database(database_url).engine.connect() as connection:
        stored = connection.execute(text("SELECT team_id, bot_token FROM slack_bots")).all()
    assert [tuple(row) for row in stored] == [("T0OTHER", "xoxb-installed-token")]

    sender = SlackSender(server.url)
    envelope = event_envelope({**dm_event("U0NEW", "hi"), "team": "T0OTHER"}, "EvOther")
    envelope["team_id"] = "T0OTHER"
    envelope["authorizations"] = [{"team_id": "T0OTHER", "user_id": "UBOT", "is_bot": True}]
    assert sender.send_json(envelope).status == 200
    reply = fake_slack.wait_for("chat.postMessage")[0]
    assert reply.token == "xoxb-installed-token"
    checks = len(fake_slack.of("auth.test"))

    # Later requests are authorised from the stored install without asking Slack again, so
    # a slow Web API never delays an acknowledgement.
    fake_slack.stall(seconds=5)
    try:
        later = event_envelope({**dm_event("U0NEW", "again"), "team": "T0OTHER"}, "EvOther2")
        later["team_id"] = "T0OTHER"
        later["authorizations"] = envelope["authorizations"]
        started = time.monotonic()
        assert sender.send_json(later).status == 200
        assert time.monotonic() - started < 3
    finally:
        fake_slack.stall(seconds=0)
    assert len(fake_slack.of("auth.test")) == checks


def test_a_forged_oauth_state_is_refused(
    oauth_server: tuple[ServerThread, str], fake_slack: FakeSlack
) -> None:
    server, _ = oauth_server
    request = urllib.request.Request(f"{server.url}/slack/oauth_redirect?code=x&state=forged")
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status >= 400
    assert fake_slack.of("oauth.v2.access") == []
