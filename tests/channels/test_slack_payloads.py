"""Payloads as Slack sends them (tests/data/payloads/slack, each naming its source), posted
signed to the real Bolt app: what a person sends is stored as typed, never dropped silently."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.app import App
from bot.channels.slack.blocks import ANSWER_BLOCK, ANSWER_FORM_CALLBACK, ANSWER_INPUT
from bot.conversation import copy
from bot.storage.models import Answer, AuditEvent, Person
from tests.channels.test_slack_conversation import button
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.fake_slack import TEAM_ID, FakeSlack
from tests.support.slack_requests import SlackSender, event_envelope

PAYLOADS = PROJECT_ROOT / "tests" / "data" / "payloads" / "slack"


def payload(name: str) -> dict[str, Any]:
    recorded = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    assert recorded["_source"], name
    return dict(recorded["payload"])


def as_delivery(recorded: dict[str, Any], event_id: str, **event: Any) -> dict[str, Any]:
    """A recorded event, for this test's person and a fresh event id (the recorded one would
    be a redelivery of the last test's)."""
    envelope = recorded if recorded.get("type") == "event_callback" else None
    inner = dict(envelope["event"] if envelope else recorded)
    inner.update(event)
    if envelope is None:
        return event_envelope(inner, event_id)
    return {**envelope, "event": inner, "event_id": event_id}


def stored(app: App, question_id: str) -> list[str]:
    with app.database.session(write=False) as session:
        rows = session.exec(select(Answer).where(Answer.question_id == question_id)).all()
        return [row.text for row in rows]


def start(slack: SlackSender, fake: FakeSlack, user: str) -> None:
    slack.dm(user, "hi")
    fake.wait_for("chat.postMessage", 1)


class Writer:
    """Someone writing in the recorded payload's workspace, message after message."""

    def __init__(self, slack: SlackSender, recorded: dict[str, Any]) -> None:
        self.slack = slack
        self.recorded = recorded
        self.count = 0

    def says(self, text: str, **event: Any) -> int:
        self.count += 1
        delivery = as_delivery(self.recorded, f"Ev{id(self)}-{self.count}", text=text, **event)
        for extra in ("thread_ts", "files", "subtype"):  # a plain message, unless asked for
            if extra not in event:
                delivery["event"].pop(extra, None)
        return self.slack.send_json(delivery).status


def test_a_dm_is_stored_as_typed_not_as_slack_escapes_it(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    recorded = payload("dm_escaped.json")
    Writer(slack, recorded).says("hi")
    fake_slack.wait_for("chat.postMessage", 1)
    assert slack.send_json(as_delivery(recorded, "EvEsc1")).status == 200
    fake_slack.wait_for("chat.postMessage", 2)
    assert stored(slack_app, "failing_task") == ["EMEA & APAC"]
    shown = json.dumps(fake_slack.of("chat.postMessage")[-1].params)
    assert "EMEA &amp; APAC" not in shown  # the progress line quotes nothing escaped twice


def test_a_reply_in_a_thread_gets_the_next_question_in_that_thread(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    recorded = payload("thread_reply_dm.json")
    event = recorded["event"]
    Writer(slack, recorded).says("hi")
    fake_slack.wait_for("chat.postMessage", 1)
    delivery = as_delivery(recorded, "EvThread1", text=GOOD_ANSWERS[0])
    assert slack.send_json(delivery).status == 200
    reply = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert reply.params["thread_ts"] == event["thread_ts"]
    assert "Question 2 of 6" in json.dumps(reply.params["blocks"])
    assert stored(slack_app, "failing_task") == [GOOD_ANSWERS[0]]


def test_a_me_message_is_an_answer(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    recorded = payload("me_message.json")  # recorded in a channel; here in the bot's DM
    user = recorded["user"]
    start(slack, fake_slack, user)
    delivery = as_delivery(
        recorded, "EvMe1", channel=f"D{user}", channel_type="im", text=GOOD_ANSWERS[0]
    )
    assert slack.send_json(delivery).status == 200
    fake_slack.wait_for("chat.postMessage", 2)
    assert stored(slack_app, "failing_task") == [GOOD_ANSWERS[0]]


def test_an_edited_or_deleted_answer_is_answered_with_how_to_change_it(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    changed = payload("message_changed.json")  # recorded in a channel; here in the bot's DM
    deleted = payload("message_deleted.json")
    user = changed["event"]["message"]["user"]
    start(slack, fake_slack, user)
    slack.dm(user, GOOD_ANSWERS[0])
    fake_slack.wait_for("chat.postMessage", 2)
    in_dm = {"channel": f"D{user}", "channel_type": "im"}
    assert slack.send_json(as_delivery(changed, "EvEdit1", **in_dm)).status == 200
    note = fake_slack.wait_for("chat.postMessage", 3)[-1]
    assert note.params["text"] == copy.EDITS_NOT_FILED
    deletion = as_delivery(deleted, "EvDel1", **in_dm)
    deletion["event"]["previous_message"] = {
        **deletion["event"]["previous_message"],
        "user": user,
    }
    assert slack.send_json(deletion).status == 200
    assert fake_slack.wait_for("chat.postMessage", 4)[-1].params["text"] == copy.EDITS_NOT_FILED
    assert stored(slack_app, "failing_task") == [GOOD_ANSWERS[0]]  # unchanged, as the note says


def test_the_bot_updating_its_own_card_or_a_link_preview_says_nothing(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    changed = payload("message_changed.json")
    user = changed["event"]["message"]["user"]
    start(slack, fake_slack, user)
    event = changed["event"]
    in_dm = {"channel": f"D{user}", "channel_type": "im"}
    by_bot = as_delivery(changed, "EvBot1", **in_dm)
    by_bot["event"]["message"] = {**event["message"], "bot_id": "BBOT"}
    preview = as_delivery(changed, "EvPreview1", **in_dm)
    preview["event"]["message"] = {**event["message"], "text": event["previous_message"]["text"]}
    assert slack.send_json(by_bot).status == 200
    assert slack.send_json(preview).status == 200
    slack.dm(user, GOOD_ANSWERS[0])  # the next post is the answer's reply, not a note
    reply = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert "Question 2 of 6" in json.dumps(reply.params["blocks"])


def test_a_file_is_source_material_at_the_link_question_and_noted_elsewhere(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    recorded = payload("file_share_text_dm.json")
    event = recorded["event"]
    user, link = event["user"], event["files"][0]["permalink"]
    person = Writer(slack, recorded)
    person.says("hi", channel=f"D{user}")
    fake_slack.wait_for("chat.postMessage", 1)
    alone = as_delivery(recorded, "EvFile1", text="", channel=f"D{user}")
    assert slack.send_json(alone).status == 200
    note = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert "can't read files" in json.dumps(note.params)
    assert "namenamename.txt" in json.dumps(note.params)
    with slack_app.database.session(write=False) as session:
        kept = session.exec(
            select(AuditEvent).where(AuditEvent.action == "message.attachments")
        ).all()
    assert [row.after["text"] for row in kept] == [f"namenamename.txt {link}"]
    for number, answer in enumerate(GOOD_ANSWERS[:5], start=3):
        person.says(answer, channel=f"D{user}")
        fake_slack.wait_for("chat.postMessage", number)
    at_links = as_delivery(recorded, "EvFile2", text="", channel=f"D{user}")
    assert slack.send_json(at_links).status == 200
    fake_slack.wait_for("chat.postMessage", 8)
    assert stored(slack_app, "source_material") == [link]


def test_app_rate_limited_is_acknowledged(slack: SlackSender) -> None:
    assert slack.send_json(payload("app_rate_limited.json")).status == 200


def test_a_settled_card_shows_plain_text_as_drawn_not_as_slack_returned_it(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    recorded = payload("block_actions_with_message.json")
    user = recorded["user"]["id"]
    start(slack, fake_slack, user)
    for number, answer in enumerate(GOOD_ANSWERS[:5], start=2):
        slack.dm(user, answer)
        fake_slack.wait_for("chat.postMessage", number)
    last = fake_slack.of("chat.postMessage")[-1].params
    skip = button(last, "Skip")
    # Slack hands the card back with &, < and > escaped, plain_text included.
    returned = json.loads(
        json.dumps(last["blocks"]).replace("Any source material", "R&amp;D &lt;none&gt;")
    )
    press = {
        **recorded,
        "team": {"id": TEAM_ID, "domain": "acme"},
        "user": {**recorded["user"], "team_id": TEAM_ID},
        "channel": {"id": f"D{user}", "name": "directmessage"},
        "message": {**recorded["message"], "ts": "1700000000.000006", "blocks": returned},
        "actions": [{**recorded["actions"][0], **skip, "type": "button"}],
        "trigger_id": "settle-1",
    }
    assert slack.interactive(press).status == 200
    update = fake_slack.wait_for("chat.update")[0].params
    text = json.dumps(update["blocks"])
    assert "R&D <none>" in text and "&amp;lt;" not in text


def test_one_person_across_an_enterprise_grid_org(
    slack_app: App, slack: SlackSender, fake_slack: FakeSlack
) -> None:
    """Grid user ids (W…) are org-wide: a slash command from a second workspace of the org, and
    an edit form submitted through an org-wide install (no workspace in the payload), are the
    same person's, in the same request."""
    command = payload("grid_slash_command_workspace.json")
    user = command["user_id"]
    envelope = as_delivery(
        payload("dm_escaped.json"), "EvGrid1", user=user, channel=f"D{user}", text="hi"
    )
    assert envelope["enterprise_id"] == command["enterprise_id"]
    assert slack.send_json(envelope).status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    answer = {**envelope, "event_id": "EvGrid2"}
    answer["event"] = {**envelope["event"], "text": GOOD_ANSWERS[0]}
    assert slack.send_json(answer).status == 200
    fake_slack.wait_for("chat.postMessage", 2)

    other_workspace = {**command, "team_id": "T222", "command": "/triage", "text": ""}
    assert slack.send_form(other_workspace).status == 200
    resumed = fake_slack.wait_for("chat.postMessage", 3)[-1]
    assert "TR-0001" in json.dumps(resumed.params)  # the request in progress, not a new one

    submitted = payload("grid_view_submission.json")
    view = {
        **submitted["view"],
        "callback_id": ANSWER_FORM_CALLBACK,
        "private_metadata": "1:failing_task",
        "state": {
            "values": {
                ANSWER_BLOCK: {
                    ANSWER_INPUT: {"type": "plain_text_input", "value": "R&D quotes stall"}
                }
            }
        },
    }
    edit = {**submitted, "user": {**submitted["user"], "id": user}, "view": view}
    assert slack.interactive(edit).status == 200
    fake_slack.wait_for("chat.postMessage", 4)
    assert stored(slack_app, "failing_task") == [GOOD_ANSWERS[0], "R&D quotes stall"]
    with slack_app.database.session(write=False) as session:
        people = session.exec(select(Person)).all()
    assert [(p.platform_user_id, p.workspace_id) for p in people] == [(user, "E111")]
