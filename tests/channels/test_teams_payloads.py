"""Activities as Teams sends them (tests/data/payloads/teams, each naming its source), posted to
the real /api/messages: the triage stays personal, mentions and formatting are read as a
person meant them, and nothing sent is dropped silently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from bot.app import App
from bot.conversation import copy
from bot.storage.models import Answer, AuditEvent, Conversation, Draft, Person
from tests.conftest import GOOD_ANSWERS
from tests.support.fake_connector import FakeConnector
from tests.support.server import ServerThread
from tests.support.teams import PAYLOADS, recorded, reviewed_in_teams
from tests.support.teams_activities import person, post_activity


def send(server: ServerThread, activity: dict[str, Any]) -> None:
    status, _ = post_activity(server.url, activity)
    assert status in (200, 201), status


def count(app: App, model: type[Any]) -> int:
    with app.database.session(write=False) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def stored(app: App, question_id: str) -> list[str]:
    with app.database.session(write=False) as session:
        rows = session.exec(select(Answer).where(Answer.question_id == question_id)).all()
        return [row.text for row in rows]


def personal(connector: FakeConnector, text: str, **changes: Any) -> dict[str, Any]:
    return recorded("personal_message.json", connector, text=text, **changes)


def test_a_channel_mention_gets_a_pointer_to_the_personal_chat_and_stores_nothing(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    send(teams, personal(connector, "hi"))
    connector.wait_for(1)
    with teams_app.database.session(write=False) as session:
        before = session.exec(select(Conversation)).one().channel_ref

    send(teams, recorded("channel_mention.json", connector))
    pointer = connector.wait_for(2)[-1]
    assert "one-to-one chat" in json.dumps(pointer.activity)
    assert "teams.microsoft.com/l/chat/0/0?users=28%3A" in json.dumps(pointer.activity)
    send(teams, recorded("channel_reply_no_mention.json", connector))  # chatter: no answer
    send(teams, recorded("mention_entity_no_text.json", connector))  # a group chat
    connector.wait_for(3)
    assert stored(teams_app, "failing_task") == []
    with teams_app.database.session(write=False) as session:
        assert session.exec(select(Conversation)).one().channel_ref == before
    assert count(teams_app, Person) == 1


def test_nobody_is_greeted_in_public_and_a_personal_install_is_greeted_once(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    send(teams, recorded("installation_update_add_channel.json", connector))
    docs = recorded("personal_members_added_bot_and_user.json", connector)
    bot_id = docs["membersAdded"][0]["id"]
    user = {"id": "29:new-person", "aadObjectId": "aad-new", "name": "New Person"}
    conversation = {"conversationType": "personal", "id": "a:new-person-chat"}
    tenant = {"tenant": {"id": "tenant-1"}}
    # As a real personal install arrives: only the bot is added (the docs show the person too).
    bot_only = {
        **docs,
        "from": user,
        "recipient": {"id": bot_id, "name": "Triage"},
        "conversation": conversation,
        "channelData": tenant,
        "membersAdded": [{"id": bot_id}],
    }
    send(teams, bot_only)
    greeting = connector.wait_for(1)[-1]
    assert "Question 1 of 6" in json.dumps(greeting.activity)
    installation = {
        **bot_only,
        "type": "installationUpdate",
        "action": "add",
        "id": "rec-install",
    }
    installation.pop("membersAdded")
    send(teams, installation)  # the same install, told the other way: no second greeting
    who = {"from": user, "conversation": conversation, "channelData": tenant}
    send(teams, personal(connector, GOOD_ANSWERS[0], **who))
    replies = connector.wait_for(2)
    assert "Question 2 of 6" in json.dumps(replies[-1].activity)
    assert len(connector.sent) == 2
    assert stored(teams_app, "failing_task") == [GOOD_ANSWERS[0]]


def test_the_bots_mention_is_stripped_by_entity_whatever_its_text(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    base = recorded("personal_message.json", connector)
    bot = base["recipient"]
    no_text = json.loads((PAYLOADS / "mention_entity_no_text.json").read_text())["payload"]
    send(teams, personal(connector, "hi"))
    connector.wait_for(1)
    send(
        teams,
        personal(
            connector,
            "<at>SentryTest</at> help",
            entities=[{**no_text["entities"][0], "mentioned": bot}],
        ),
    )
    assert "type" in json.dumps(connector.wait_for(2)[-1].activity).lower()  # help's answer
    assert stored(teams_app, "failing_task") == []  # "help" was the command, not an answer
    other = json.loads((PAYLOADS / "mention_entity_variants.json").read_text())["payload"]
    mention = other["entities"][0]
    send(
        teams,
        personal(
            connector,
            f"Approvals stall when {mention['text']} is away",
            entities=[mention],
        ),
    )
    connector.wait_for(3)
    name = mention["mentioned"]["name"]
    assert stored(teams_app, "failing_task") == [f"Approvals stall when {name} is away"]


def test_a_formatted_message_is_read_as_its_text_not_as_a_file(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    formatted = recorded("html_only.json", connector)
    who = {k: formatted[k] for k in ("from", "conversation", "channelData", "recipient")}
    send(teams, personal(connector, "hi", **who))
    connector.wait_for(1)
    send(teams, formatted)
    connector.wait_for(2)
    assert stored(teams_app, "failing_task") == [formatted["text"]]
    assert count(teams_app, AuditEvent) >= 1
    with teams_app.database.session(write=False) as session:
        actions = {row.action for row in session.exec(select(AuditEvent)).all()}
    assert "message.attachments" not in actions


def test_a_file_is_source_material_at_the_link_question_and_an_image_is_noted_elsewhere(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    file = json.loads((PAYLOADS / "personal_file.json").read_text())["payload"]["attachments"]
    image = json.loads((PAYLOADS / "personal_inline_image.json").read_text())["payload"]
    send(teams, personal(connector, "hi"))
    connector.wait_for(1)
    send(teams, personal(connector, "", attachments=[image]))
    note = connector.wait_for(2)[-1]
    assert "can't read files" in json.dumps(note.activity)
    for number, answer in enumerate(GOOD_ANSWERS[:5], start=3):
        send(teams, personal(connector, answer))
        connector.wait_for(number)
    send(teams, personal(connector, "", attachments=file))
    connector.wait_for(8)
    assert stored(teams_app, "source_material") == [file[0]["contentUrl"]]


def test_an_edited_message_is_answered_with_how_to_change_an_answer(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    edit = recorded("message_update.json", connector)
    who = {k: edit[k] for k in ("from", "conversation", "channelData", "recipient")}
    send(teams, personal(connector, "hi", **who))
    connector.wait_for(1)
    send(teams, edit)
    assert copy.EDITS_NOT_FILED in json.dumps(connector.wait_for(2)[-1].activity)


def test_a_review_button_pressed_on_a_host_without_universal_actions_still_decides(
    tmp_path: Path, connector: FakeConnector
) -> None:
    """The card's Action.Submit fallback arrives as a message with a value (the recorded shape
    is a channel's, where the review channel's card is pressed)."""
    app, server, _ = reviewed_in_teams(tmp_path, connector)
    try:
        lead = person("Lead")
        pressed = recorded(
            "action_submit_fallback.json",
            connector,
            **{
                "from": lead,
                "value": {"triage_action": "review-draft-approve", "triage_value": "1"},
            },
        )
        before = len(connector.sent)
        send(server, pressed)
        answer = connector.wait_for(before + 1)[-1]
        assert "Approved by Lead" in json.dumps(answer.activity)
        assert "unknown" not in json.dumps(answer.activity).lower()
        with app.database.session(write=False) as session:
            assert session.get(Draft, 1).status == "approved"  # type: ignore[union-attr]
    finally:
        server.stop()


def test_an_unknown_card_action_is_refused_once_and_a_refresh_says_nothing(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    pressed = recorded("invoke_action_execute_manual.json", connector)  # not one of ours
    status, body = post_activity(teams.url, pressed)
    assert status == 200 and copy.UNKNOWN_ACTION in body
    # Universal Actions' refresh has the same shape with trigger "automatic" (the Adaptive
    # Cards documentation's request format; no recorded one is public).
    refresh = recorded(
        "invoke_action_execute_manual.json",
        connector,
        value={**pressed["value"], "trigger": "automatic"},
    )
    status, _ = post_activity(teams.url, refresh)
    assert status == 200
    send(teams, personal(connector, "hi"))
    assert len(connector.wait_for(1)) == 1  # the greeting is the only chat message so far
    assert "Question 1 of 6" in json.dumps(connector.sent[0].activity)
