"""Decisions in Teams over real HTTP: Assign on the review card, reminder cards and their
buttons, the requester told, and an owner the bot cannot reach reported to the reviewers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlmodel import select

from bot.app import App, build_app
from bot.config import load_app_config
from bot.messages import PersonRef
from bot.server import build_web_app
from bot.storage.models import Reminder, Request
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.fake_connector import FakeConnector, Sent
from tests.support.server import ServerThread
from tests.support.teams import ANA, action, say, teams_settings
from tests.support.teams_activities import TENANT, invoke, person, post_activity

LEAD, BO, OLU = person("Lead"), person("Bo"), person("Olu")


@pytest.fixture
def app(tmp_path: Path) -> App:
    config = load_app_config(PROJECT_ROOT / "app.yaml")
    review = config.review.model_copy(update={"teams_user_ids": (LEAD["aadObjectId"],)})
    config = config.model_copy(update={"review": review})
    settings = teams_settings(f"sqlite:///{tmp_path / 'decisions.db'}")
    return build_app(settings, config=config, clock=FakeClock())


@pytest.fixture
def server(app: App) -> Iterator[ServerThread]:
    thread = ServerThread(lambda: build_web_app(app)).start()
    yield thread
    thread.stop()


def sent_where(connector: FakeConnector, wanted: Callable[[Sent], bool]) -> Sent:
    """The first thing sent that matches, waiting for it (the timeout only guards a hang)."""
    count = 1
    while True:
        sent = connector.wait_for(count)
        found = next((s for s in sent if wanted(s)), None)
        if found is not None:
            return found
        count = len(sent) + 1


def press(server: ServerThread, connector: FakeConnector, who: dict[str, Any], data: dict) -> Any:
    status, body = post_activity(server.url, invoke(connector.url, who, data))
    assert status == 200, body
    return json.loads(body)


def filled(form: dict[str, Any], data: dict[str, Any], **values: str) -> dict[str, Any]:
    """A form card's submit data with its inputs filled in, under the ids the card gave them
    (as Teams sends them back)."""
    ids = re.findall(r'"id": "([^"@]+@[^"]+)"', json.dumps(form))
    named = {input_id.split("@", 1)[0]: input_id for input_id in ids}
    return {**data, **{named[field]: value for field, value in values.items()}}


def submitted_request(app: App, server: ServerThread, connector: FakeConnector) -> Sent:
    """Ana's request, submitted and drafted; its review card, once it reached the reviewer."""
    start = len(connector.sent)
    for number, answer in enumerate(["hi", *GOOD_ANSWERS], start=start + 1):
        say(server, connector, answer, number)
    submit = action(connector.sent[-1], "Submit")["data"]
    post_activity(server.url, invoke(connector.url, ANA, submit))
    app.drain()
    return sent_where(connector, lambda s: "Review TR-0001" in json.dumps(s.card or {}))


def test_a_decision_assigned_in_teams_reaches_its_owner_and_closes_the_loop(
    app: App,
    server: ServerThread,
    connector: FakeConnector,
    card_validator: jsonschema.Draft6Validator,
) -> None:
    say(server, connector, "hi", 1, who=LEAD)
    say(server, connector, "hi", 2, who=OLU)  # the owner has a chat with the bot
    review = submitted_request(app, server, connector)
    assign = action(review, "Assign decision")["data"]

    assert "Only L&D reviewers" in press(server, connector, BO, assign)["value"]
    form = press(server, connector, LEAD, assign)["value"]
    card_validator.validate(form)
    assert "Olu" in json.dumps(form)
    assert OLU["aadObjectId"] in json.dumps(form)  # people of the tenant, by their Teams id
    stranger = {**assign, **filled(form, assign, owner="aad-not-here", due="2026-12-04")}
    assert "Pick who owns" in press(server, connector, LEAD, {**stranger, "next": "x"})["value"]
    done = press(
        server,
        connector,
        LEAD,
        filled(
            form,
            assign,
            owner=OLU["aadObjectId"],
            due="2026-12-04",
            next="Fix the sync or train the reps?",
            review_type="risk",
        ),
    )
    assert "decision assigned to Olu, due 2026-12-04" in json.dumps(done["value"])
    told = sent_where(connector, lambda s: "You own the decision" in json.dumps(s.card or {}))
    assert told.conversation == f"a:personal-{OLU['id']}"
    snooze = action(told, "Tomorrow morning")["data"]

    assert "Only the owner" in press(server, connector, BO, snooze)["value"]
    snoozed = press(server, connector, OLU, snooze)
    assert "Snoozed TR-0001" in json.dumps(snoozed["value"])
    assert (
        "isn't one I recognise"
        in press(server, connector, OLU, {**snooze, "triage_value": "1:forever"})["value"]
    )

    record = action(told, "Record decision")["data"]
    record_form = press(server, connector, OLU, record)["value"]
    card_validator.validate(record_form)
    recorded = press(
        server,
        connector,
        OLU,
        filled(record_form, record, outcome="fix_workflow", note="IT patches it"),
    )
    assert "recorded: fix_workflow" in json.dumps(recorded["value"])
    outcome = sent_where(
        connector, lambda s: "is made: Fix the workflow" in json.dumps(s.card or {})
    )
    assert outcome.conversation == f"a:personal-{ANA['id']}"
    with app.database.session() as session:
        assert session.get(Request, 1).status == "decided"  # type: ignore[union-attr]
    assert "already recorded" in press(server, connector, OLU, snooze)["value"]


def test_an_owner_the_bot_cannot_reach_in_teams_is_reported_to_the_reviewers(
    app: App, server: ServerThread, connector: FakeConnector
) -> None:
    say(server, connector, "hi", 1, who=LEAD)
    say(server, connector, "hi", 2, who=OLU)
    submitted_request(app, server, connector)
    lead = PersonRef(platform="teams", user_id=LEAD["aadObjectId"], workspace_id=TENANT)
    never = PersonRef(
        platform="teams", user_id="aad-never", workspace_id=TENANT, display_name="Nev"
    )
    assert app.decisions.assign(
        request_id=1,
        owner=never,
        due=date(2026, 12, 4),
        next_decision="Decide",
        review_type="risk",
        by=lead,
    ).ok
    assert app.reminders.sweep_once().undeliverable == 1
    first = sent_where(connector, lambda s: "could not deliver" in json.dumps(s.card or {}))
    assert first.conversation == f"a:personal-{LEAD['id']}"
    assert "Nev has never chatted with the bot" in json.dumps(first.card)

    olu = PersonRef(platform="teams", user_id=OLU["aadObjectId"], workspace_id=TENANT)
    assert app.decisions.reassign(decision_id=1, owner=olu, by=lead).ok
    connector.fail_next(403)  # Olu has blocked the bot since
    assert app.reminders.sweep_once().undeliverable == 1
    sent_where(connector, lambda s: "HTTP 403" in json.dumps(s.card or {}))
    with app.database.session() as session:
        statuses = [(r.kind, r.status) for r in session.exec(select(Reminder)).all()]
    assert ("assigned", "sent") not in statuses
    assert statuses.count(("assigned", "undeliverable")) == 2
