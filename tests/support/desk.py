"""A web desk to test against: the real app served on 127.0.0.1, requests made through the
triage conversation, and reviewers signed in through the links the bot gives in chat."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
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


def fill_desk(app: App, clock: FakeClock, cases: list[dict[str, Any]]) -> None:
    """A desk that looks lived in: the labelled requests triaged by several people over some
    weeks, through the real conversation, then reviewed, assigned, decided and checked on
    through the review and decision flows, as reviewers would."""
    owners = [LEAD, PersonRef(platform="terminal", user_id="sam", display_name="Sam Okafor")]
    Transcript(app.engine, owners[1]).send("status")  # Sam has met the bot
    for number, case in enumerate(cases):
        person = PersonRef(
            platform="terminal",
            user_id=f"requester-{number % 7}",
            display_name=REQUESTER_NAMES[number % len(REQUESTER_NAMES)],
        )
        chat = Transcript(app.engine, person).send("hi")
        chat.send(str(case["answers"]["failing_task"]))
        if chat.asking == "failing_task":  # the desk asked for the behaviour behind the asset
            chat.send(str(case.get("after_follow_up") or case["answers"]["failing_task"]))
        for key in QUESTION_IDS[1:]:
            chat.send(str(case["answers"][key]))
        chat.send("skip").send("submit")
        app.drain()
        assert chat.reference is not None, chat.text
        request_id = int(chat.reference.removeprefix("TR-"))
        clock.advance(hours=9)
        _review(app, request_id, case, number, owners, clock)
        clock.advance(hours=15 + (number % 3) * 24)


def _review(
    app: App,
    request_id: int,
    case: dict[str, Any],
    number: int,
    owners: list[PersonRef],
    clock: FakeClock,
) -> None:
    if number % 5 == 4:
        return  # still waiting for a reviewer
    drafts = app.assistant.review_card(request_id)
    assert drafts is not None
    for draft in drafts.drafts:
        if draft.kind != "classification" or draft.content.get("category") == case["category"]:
            app.review.act(LEAD, "review-draft-approve", str(draft.id))
        else:
            fit = "yes" if case["training_fit"] else "no"
            inputs = {"category": str(case["category"]), "training_fit": fit}
            app.review.act(LEAD, "review-draft-edit", str(draft.id), inputs)
    owner = owners[number % 2]
    due = (clock.now + timedelta(days=4 + number % 6)).date().isoformat()
    app.decision_flow.act(
        LEAD,
        "review-decision-assign",
        str(request_id),
        {
            "owner": owner.user_id,
            "due": due,
            "next": NEXT_DECISIONS[number % 3],
            "review_type": "workflow_judgment",
        },
    )
    if number % 3 == 0:
        return  # open, and some of these fall overdue as the weeks pass
    decision = app.decisions.open_for(request_id)
    assert decision is not None and decision.id is not None
    clock.advance(days=1 + number % 4)
    outcome = OUTCOMES.get(str(case["category"]), "other")
    app.decision_flow.act(owner, "decision-reminder-record", str(decision.id), {"outcome": outcome})
    decided = app.decisions.latest_for(request_id)
    if decided is not None and decided.follow_up_at is not None and number % 4 != 3:
        answer = ("moved", "not_yet", "no")[number % 3]
        app.decision_flow.act(owner, "decision-followup-answer", f"{decision.id}:{answer}")


QUESTION_IDS = ("failing_task", "performer", "failure_point", "existing_support", "evidence")
REQUESTER_NAMES = ("Priya Shah", "Tom Becker", "Aiko Tanaka", "Rosa Díaz", "Jon Eriksen")
NEXT_DECISIONS = (
    "Fix the workflow or build training?",
    "Who owns the job aid from now on?",
    "Is a course worth it, or a checklist?",
)
OUTCOMES = {
    "training_need": "build_training",
    "workflow_process": "fix_workflow",
    "documentation": "update_documentation",
    "manager_support": "manager_support",
}
