"""A request whose drafting was cut off (the worker killed, the connection dropped) is found
and drafted, and the reviewers' list says it is waiting meanwhile."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.app import build_app
from bot.config import Settings
from bot.messages import PersonRef
from bot.storage.models import Draft, Request, RequestStatus
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.cli import clean_env, in_process
from tests.support.clock import FakeClock
from tests.support.transcript import Transcript


def test_a_request_left_without_drafts_is_listed_then_drafted_once(database_url: str) -> None:
    clock = FakeClock()
    settings = Settings(database_url=database_url, triage_config=PROJECT_ROOT / "app.yaml")
    app = build_app(settings, clock=clock)
    app.engine.after_submit = lambda request_id: None  # drafting never happens: cut off
    chat = Transcript(app.engine, PersonRef(platform="terminal", user_id="ana"))
    chat.start()
    for answer in GOOD_ANSWERS:
        chat.send(answer)
    chat.send("submit")
    assert chat.reference == "TR-0001"

    listing = in_process(
        "review", "list", "--as", "lnd-lead", env=clean_env(DATABASE_URL=database_url)
    )
    assert "No drafts are waiting for review." in listing.out
    assert "1 submitted request(s) have no drafts yet: TR-0001" in listing.out

    clock.advance(minutes=1)
    assert app.resume_drafting(older_than=timedelta(minutes=5)) == 0  # may still be drafting
    assert app.resume_drafting(older_than=timedelta(0)) == 1
    app.drain()
    with app.database.session(write=False) as session:
        kinds = sorted(d.kind for d in session.exec(select(Draft)).all())
        [request] = session.exec(select(Request)).all()
    assert kinds == ["classification", "reviewer_questions"]
    assert request.status == RequestStatus.IN_REVIEW
    assert app.resume_drafting(older_than=timedelta(0)) == 0
    app.close()
