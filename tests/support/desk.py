"""A web desk to test against: the real app served on 127.0.0.1, requests made through the
triage conversation, and reviewers signed in through the links the bot gives in chat."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bot.app import App, build_app
from bot.config import Settings, load_app_config
from bot.messages import PersonRef
from tests.support.clock import FakeClock
from tests.support.server import ServerThread
from tests.support.transcript import Transcript

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
LEAD = PersonRef(platform="terminal", user_id="lnd-lead", display_name="Lee Lead")
ANA = PersonRef(platform="terminal", user_id="ana", display_name="Ana")
PUBLIC_URL = "http://desk.example.org"
LINK = re.compile(r"https?://\S+/desk/sign-in/[\w-]+")


def desk_app(database_url: str, clock: FakeClock) -> App:
    settings = Settings(
        database_url=database_url,
        triage_config=PROJECT_ROOT / "app.yaml",
        public_url=PUBLIC_URL,
    )
    return build_app(settings, config=load_app_config(PROJECT_ROOT / "app.yaml"), clock=clock)


def submit_request(app: App, person: PersonRef, answers: list[str]) -> str:
    """A whole triage, submitted and drafted; its reference."""
    chat = Transcript(app.engine, person)
    chat.send("hi")
    for answer in answers:
        chat.send(answer)
    chat.send("submit")
    app.drain()
    assert chat.reference is not None, chat.text
    return chat.reference


def link_in_chat(app: App, person: PersonRef = LEAD) -> str:
    """What a reviewer gets for typing ``desk`` to the bot."""
    chat = Transcript(app.engine, person).send("desk")
    found = LINK.search(chat.text)
    assert found, chat.text
    return found.group(0)


def on_server(server: ServerThread, link: str) -> str:
    """The link as the test server serves it (the bot names the public address)."""
    return server.url + urlsplit(link).path


def signed_in(app: App, server: ServerThread, person: PersonRef = LEAD) -> requests.Session:
    browser = requests.Session()
    browser.headers["Accept"] = "text/html"
    response = browser.post(on_server(server, link_in_chat(app, person)), allow_redirects=False)
    assert response.status_code == 303, response.text
    return browser


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)
