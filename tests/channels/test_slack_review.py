"""Reviewers in Slack: the review card, Approve / Edit / Reject, and the requester told."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.app import App, build_app
from bot.config import load_app_config
from bot.server import build_web_app
from bot.storage.models import AuditEvent, Draft, Request
from tests.channels.conftest import slack_settings
from tests.channels.test_slack_conversation import ANA, button, last_post
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.fake_slack import TEAM_ID, FakeSlack
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, block_action

LEAD, BO, REVIEW_CHANNEL, GROUP_MEMBER = "U0LEAD", "U0BO", "C0REVIEW", "U0GRP"


@pytest.fixture
def review_app(tmp_path: Path, fake_slack: FakeSlack) -> App:
    config = load_app_config(PROJECT_ROOT / "app.yaml")
    review = config.review.model_copy(
        update={
            "slack_user_ids": (LEAD,),
            "slack_review_channel": REVIEW_CHANNEL,
            "slack_user_group": "S0LND",
        }
    )
    fake_slack.usergroups["S0LND"] = [GROUP_MEMBER]
    config = config.model_copy(update={"review": review})
    settings = slack_settings(f"sqlite:///{tmp_path / 'review.db'}", fake_slack)
    return build_app(settings, config=config, clock=FakeClock())


@pytest.fixture
def sender(review_app: App) -> Iterator[SlackSender]:
    server = ServerThread(lambda: build_web_app(review_app)).start()
    yield SlackSender(server.url)
    server.stop()


def submit_request(slack: SlackSender, fake: FakeSlack) -> dict[str, Any]:
    slack.dm(ANA, "hi")
    fake.wait_for("chat.postMessage", 1)
    for number, answer in enumerate(GOOD_ANSWERS, start=2):
        slack.dm(ANA, answer)
        fake.wait_for("chat.postMessage", number)
    submit = button(last_post(fake, 7), "Submit")
    slack.interactive(block_action(ANA, submit["action_id"], submit["value"]))
    card = fake.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") == REVIEW_CHANNEL
    )[0]
    return {"ts": "1700000000.000099", **card.params}


def press(
    slack: SlackSender, user: str, card: dict[str, Any], action_id: str, draft_id: int
) -> None:
    payload = block_action(user, action_id, str(draft_id), message=card)
    payload["channel"] = {"id": REVIEW_CHANNEL}
    assert slack.interactive(payload).status == 200


def drafts(app: App) -> list[Draft]:
    with app.database.session() as session:
        return list(session.exec(select(Draft).order_by(Draft.id)).all())


def test_reviewers_decide_on_the_card_and_the_requester_hears(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    card = submit_request(sender, fake_slack)
    text = json.dumps(card["blocks"])
    assert "Review TR-0001" in text and "rule-based" in text
    assert "review-draft-approve" in text
    assert "Why: " in text  # the card says which of the field's tests the draft rests on

    press(sender, BO, card, "review-draft-approve", 1)
    refusal = fake_slack.wait_for("chat.postEphemeral")[0].params
    assert (
        refusal["user"] == BO and "Only L&amp;D reviewers" in refusal["text"]
    )  # escaped for Slack
    assert [d.status for d in drafts(review_app)] == ["pending", "pending"]

    press(sender, LEAD, card, "review-draft-approve", 1)
    updated = fake_slack.wait_for(
        "chat.update", where=lambda c: c.params.get("channel") == REVIEW_CHANNEL
    )[0].params
    assert updated["channel"] == REVIEW_CHANNEL
    assert "Approved by" in json.dumps(updated["blocks"])
    press(sender, LEAD, card, "review-draft-approve", 1)  # a double click
    again = fake_slack.wait_for("chat.postEphemeral", 2)[-1].params
    assert "already approved" in again["text"]

    press(sender, LEAD, card, "review-draft-reject", 2)
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    submission = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": LEAD, "team_id": TEAM_ID},
        "view": {
            **modal,
            "id": "V2",
            "state": {"values": {"reason": {"value": {"type": "plain_text_input", "value": ""}}}},
        },
    }
    assert sender.interactive(submission).json()["response_action"] == "errors"
    submission["view"]["state"]["values"]["reason"]["value"]["value"] = "Too generic"
    assert sender.interactive(submission).status == 200
    told = fake_slack.wait_for(
        "chat.postMessage",
        where=lambda c: (
            c.params.get("channel") == f"D{ANA}" and "has been reviewed" in c.params.get("text", "")
        ),
    )
    assert "TR-0001" in told[0].params["text"]
    assert [d.status for d in drafts(review_app)] == ["approved", "rejected"]
    assert drafts(review_app)[1].reason == "Too generic"
    with review_app.database.session() as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("draft.decision_refused") == 1
    assert "draft.approved" in actions and "draft.rejected" in actions


def test_edit_opens_a_prefilled_form_and_saves_the_reviewers_category(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    card = submit_request(sender, fake_slack)
    press(sender, LEAD, card, "review-draft-edit", 1)
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    select_block = next(b for b in modal["blocks"] if b["block_id"] == "category")
    drafted = drafts(review_app)[0].content["category"]
    assert select_block["element"]["initial_option"]["value"] == drafted
    values = {
        "category": {
            "value": {"type": "static_select", "selected_option": {"value": "workflow_process"}}
        },
        "training_fit": {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    submission = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": LEAD, "team_id": TEAM_ID},
        "view": {**modal, "id": "V3", "state": {"values": values}},
    }
    assert sender.interactive(submission).status == 200
    updated = fake_slack.wait_for(
        "chat.update", where=lambda c: c.params.get("channel") == REVIEW_CHANNEL
    )[0].params
    assert "Edited by" in json.dumps(updated["blocks"])
    draft = drafts(review_app)[0]
    assert draft.status == "edited"
    assert draft.final_content == {"category": "workflow_process", "training_fit": False}
    assert draft.content["category"] == drafted  # the original is kept beside the edit


def test_members_of_the_reviewer_user_group_can_decide(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    card = submit_request(sender, fake_slack)
    press(sender, GROUP_MEMBER, card, "review-draft-approve", 1)
    fake_slack.wait_for("chat.update", where=lambda c: c.params.get("channel") == REVIEW_CHANNEL)
    assert drafts(review_app)[0].status == "approved"
    assert fake_slack.of("usergroups.users.list")[0].params["usergroup"] == "S0LND"


def submit_view(user: str, modal: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "view": {**modal, "id": "V9", "state": {"values": values}},
    }


def test_a_decision_assigned_on_the_card_reaches_its_owner_and_closes_the_loop(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    owner = "U0OLU"
    card = submit_request(sender, fake_slack)
    assign = next(
        e
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "review-decision-assign"
    )
    press(sender, BO, card, assign["action_id"], int(assign["value"]))  # not a reviewer
    assert "Only L&amp;D reviewers" in fake_slack.wait_for("chat.postEphemeral")[-1].params["text"]
    assert not fake_slack.of("views.open")

    press(sender, LEAD, card, assign["action_id"], int(assign["value"]))
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    values = {
        "owner": {"value": {"type": "users_select", "selected_user": owner}},
        "due": {"value": {"type": "datepicker", "selected_date": "2026-12-04"}},
        "next": {
            "value": {"type": "plain_text_input", "value": "Fix the sync or train <!channel>?"}
        },
        "review_type": {"value": {"type": "static_select", "selected_option": {"value": "risk"}}},
    }
    no_date = {**values, "due": {"value": {"type": "datepicker", "selected_date": None}}}
    refused = sender.interactive(submit_view(LEAD, modal, no_date))
    assert refused.status == 200 and "Pick a due date" in refused.body
    assert sender.interactive(submit_view(LEAD, modal, values)).status == 200
    told = fake_slack.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") == "D" + owner
    )
    assert "You own the decision on TR-0001" in told[0].params["text"]
    assert "&lt;!channel&gt;" in told[0].params["text"]  # typed text never pings anyone
    assert "decision-reminder-snooze" in json.dumps(told[0].params["blocks"])

    clock = review_app.engine.clock
    clock.advance(days=9)  # type: ignore[attr-defined]  # 2 Dec, 09:00 in Paris has passed
    assert review_app.reminders.sweep_once().sent == 1
    nudge = fake_slack.wait_for(
        "chat.postMessage", 2, where=lambda c: c.params.get("channel") == "D" + owner
    )[-1].params
    assert "TR-0001 is waiting for your decision" in nudge["text"]
    buttons = {
        e["action_id"]: e["value"]
        for b in nudge["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    snooze = next(k for k, v in buttons.items() if v == "1:tomorrow")

    stranger = block_action(BO, snooze, "1:tomorrow")
    assert sender.interactive(stranger).status == 200
    assert "Only the owner" in fake_slack.wait_for("chat.postEphemeral", 2)[-1].params["text"]
    assert sender.interactive(block_action(owner, snooze, "1:tomorrow")).status == 200
    snoozed = fake_slack.wait_for(
        "chat.postMessage", where=lambda c: "Snoozed TR-0001" in str(c.params.get("text"))
    )
    assert snoozed[0].params["channel"] == "D" + owner
    assert sender.interactive(block_action(owner, snooze, "1:forever")).status == 200  # tampered
    assert (
        "isn't one I recognise" in fake_slack.wait_for("chat.postEphemeral", 3)[-1].params["text"]
    )

    home = {"type": "app_home_opened", "user": owner, "channel": "D" + owner, "tab": "home"}
    assert sender.event(home).status == 200
    view = fake_slack.wait_for("views.publish")[0].params["view"]
    assert "Waiting on me" in json.dumps(view) and "decision-reminder-record" in json.dumps(view)

    record = block_action(owner, "decision-reminder-record", "1")
    assert sender.interactive(record).status == 200
    form = fake_slack.wait_for("views.open", 2)[-1].params["view"]
    outcome = {
        "outcome": {
            "value": {"type": "static_select", "selected_option": {"value": "fix_workflow"}}
        },
        "note": {"value": {"type": "plain_text_input", "value": "IT patches the sync"}},
    }
    assert sender.interactive(submit_view(owner, form, outcome)).status == 200
    heard = fake_slack.wait_for(
        "chat.postMessage", where=lambda c: "decision on your request" in str(c.params.get("text"))
    )
    assert heard[0].params["channel"] == f"D{ANA}"
    assert "is made: Fix the workflow, decided by " in heard[0].params["text"]  # one wording
    assert "Note: IT patches the sync" in heard[0].params["text"]
    with review_app.database.session() as session:
        assert session.get(Request, 1).status == "decided"  # type: ignore[union-attr]

    assert sender.interactive(block_action(owner, snooze, "1:week")).status == 200  # stale
    assert "already recorded" in fake_slack.wait_for("chat.postEphemeral", 4)[-1].params["text"]


def test_a_slack_owner_who_left_is_reported_in_the_review_channel(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    from datetime import date

    from bot.messages import PersonRef

    submit_request(sender, fake_slack)
    gone = PersonRef(platform="slack", user_id="U0GONE", workspace_id=TEAM_ID, display_name="Gus")
    lead = PersonRef(platform="slack", user_id=LEAD, workspace_id=TEAM_ID)
    assert review_app.decisions.assign(
        request_id=1,
        owner=gone,
        due=date(2026, 12, 4),
        next_decision="Decide",
        review_type="risk",
        by=lead,
    ).ok
    fake_slack.wait_for(  # the requester's own reply is out, so the failure below is Gus's
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == f"D{ANA}" and "Submitted." in str(c.params),
    )
    fake_slack.fail_next("chat.postMessage", status=200, error="account_inactive")
    report = review_app.reminders.sweep_once()
    assert (report.sent, report.undeliverable) == (0, 1)
    reported = fake_slack.wait_for(
        "chat.postMessage",
        where=lambda c: (
            c.params.get("channel") == REVIEW_CHANNEL
            and "could not deliver" in str(c.params.get("text"))
        ),
    )[0].params["text"]
    assert "Gus cannot be reached in Slack (account_inactive)" in reported
    review_app.engine.clock.advance(days=30)  # type: ignore[attr-defined]
    assert review_app.reminders.sweep_once().sent == 0  # not retried forever


def typed_value(text: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": text}}


def test_a_reviewer_asks_the_requester_who_answers_in_their_dm(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    from bot.storage.models import Clarification

    card = submit_request(sender, fake_slack)
    assert "review-question-ask" in json.dumps(card["blocks"])
    press(sender, BO, card, "review-question-ask", 1)  # not a reviewer: no form
    refused = fake_slack.wait_for("chat.postEphemeral")[0].params
    assert refused["user"] == BO and "Only L&amp;D reviewers can ask" in refused["text"]
    assert fake_slack.of("views.open") == []

    press(sender, LEAD, card, "review-question-ask", 1)
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    assert [b.get("block_id") for b in modal["blocks"] if b["type"] == "input"] == ["question"]
    empty = sender.interactive(submit_view(LEAD, modal, {"question": typed_value("  ")}))
    assert empty.json()["response_action"] == "errors"
    question = "Does it fail on <!channel> days too?"
    assert (
        sender.interactive(submit_view(LEAD, modal, {"question": typed_value(question)})).status
        == 200
    )
    redrawn = fake_slack.wait_for(
        "chat.update", where=lambda c: "Questions to the requester" in json.dumps(c.params)
    )[0].params
    assert "Not answered yet." in json.dumps(redrawn["blocks"])
    dm = fake_slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == f"D{ANA}" and "has a question" in str(c.params),
    )[0].params
    assert "&lt;!channel&gt;" in dm["text"] and "<!channel>" not in dm["text"]  # shown, not pinged
    assert "review-question-answer" in json.dumps(dm["blocks"])

    sender.dm(ANA, "Only on Mondays, after the export runs")  # no triage going on: an answer
    thanks = fake_slack.wait_for(
        "chat.postMessage", where=lambda c: "added your answer to TR-0001" in str(c.params)
    )
    assert thanks[0].params["channel"] == f"D{ANA}"
    with review_app.database.session() as session:
        asked = session.exec(select(Clarification)).one()
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert (asked.question, asked.answer) == (question, "Only on Mondays, after the export runs")
    assert {"clarification.refused", "clarification.asked", "clarification.answered"} <= set(
        actions
    )
    assert review_app.review.card(1) is not None
    shown = json.dumps(review_app.review.card(1).sections[-2].typed)  # type: ignore[union-attr]
    assert "Only on Mondays" in shown


def test_the_requester_can_answer_with_the_button_and_nobody_else_can(
    review_app: App, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    from bot.storage.models import Clarification

    card = submit_request(sender, fake_slack)
    press(sender, LEAD, card, "review-question-ask", 1)
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    sender.interactive(submit_view(LEAD, modal, {"question": typed_value("Which team?")}))
    dm = fake_slack.wait_for("chat.postMessage", where=lambda c: "has a question" in str(c.params))[
        0
    ].params
    answer = next(
        e
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "review-question-answer"
    )
    press(sender, BO, {"ts": "9.9"}, "review-question-answer", int(answer["value"]))
    nope = fake_slack.wait_for("chat.postEphemeral", where=lambda c: c.params["user"] == BO)
    assert "Only the person who made the request" in nope[0].params["text"]
    in_dm = block_action(ANA, "review-question-answer", answer["value"], message={"ts": "9.9"})
    assert sender.interactive(in_dm).status == 200  # pressed in the requester's own DM
    form = fake_slack.wait_for("views.open", 2)[-1].params["view"]
    assert (
        sender.interactive(submit_view(ANA, form, {"answer": typed_value("EMEA sales")})).status
        == 200
    )
    thanks = fake_slack.wait_for(
        "chat.postMessage", where=lambda c: "added your answer" in str(c.params)
    )
    assert thanks[0].params["channel"] == f"D{ANA}"  # said in the requester's conversation
    with review_app.database.session() as session:
        assert session.exec(select(Clarification)).one().answer == "EMEA sales"
