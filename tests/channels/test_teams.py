"""Teams over real HTTP: activities posted to /api/messages, replies caught by a local connector."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from sqlmodel import select

from bot.app import App, build_app
from bot.config import Settings
from bot.server import TEAMS_KEY, build_web_app
from bot.storage.models import Answer, Conversation, Request
from tests.conftest import GOOD_ANSWERS, PROJECT_ROOT
from tests.support.clock import FakeClock
from tests.support.fake_connector import FakeConnector, Sent
from tests.support.server import ServerThread
from tests.support.teams import ANA, action, reviewed_in_teams, say, teams_settings
from tests.support.teams_activities import (
    installed,
    invoke,
    message,
    person,
    post_activity,
    submit,
)


def first_text(sent: Sent) -> str:
    assert sent.card is not None
    return str(sent.card["body"][0]["inlines"][0]["text"])


def assert_valid_cards(connector: FakeConnector, validator: jsonschema.Draft6Validator) -> None:
    cards = [s.card for s in connector.sent if s.card]
    assert cards
    for card in cards:
        errors = [e.message for e in validator.iter_errors(card)]
        assert errors == [], errors


def answers(app: App, question_id: str) -> list[str]:
    with app.database.session() as session:
        rows = session.exec(select(Answer).where(Answer.question_id == question_id)).all()
    return [a.text for a in rows]


def test_a_full_triage_in_teams(
    teams_app: App,
    teams: ServerThread,
    connector: FakeConnector,
    card_validator: jsonschema.Draft6Validator,
) -> None:
    first = say(teams, connector, "hi", 1)
    assert first.verb == "reply" and "Question 1 of 6" in connector.text()
    for number, answer in enumerate(GOOD_ANSWERS, start=2):
        say(teams, connector, answer, number)
    summary = connector.sent[-1]
    assert "Here is request TR-0001" in connector.text()
    submit_action = action(summary, "Submit")
    assert submit_action["fallback"]["type"] == "Action.Submit"
    status, body = post_activity(teams.url, invoke(connector.url, ANA, submit_action["data"]))
    assert status == 200
    response = json.loads(body)
    assert response["statusCode"] == 200
    assert response["type"] == "application/vnd.microsoft.card.adaptive"
    assert "✓ Submitted" in json.dumps(response["value"], ensure_ascii=False)
    assert "Action." not in json.dumps(response["value"])  # no buttons left to press twice
    assert (
        "Submitted. Your reference is TR-0001"
        in connector.wait_for(8)[-1].activity["attachments"][0]["content"]["body"][0]["inlines"][0][
            "text"
        ]
    )
    teams_app.drain()
    with teams_app.database.session() as session:
        assert session.exec(select(Request)).one().status == "in_review"
    assert_valid_cards(connector, card_validator)
    card_validator.validate(response["value"])


def test_installing_the_app_greets_and_shows_the_first_question(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    status, _ = post_activity(teams.url, installed(connector.url, ANA))
    assert status in (200, 201)
    greeting = connector.wait_for(1)[0]
    assert "I'm the L&D triage desk" in connector.text()
    assert "Question 1 of 6" in connector.text()
    assert greeting.conversation == f"a:personal-{ANA['id']}"
    with teams_app.database.session() as session:
        assert session.exec(select(Request)).all() == []  # nothing stored until an answer


def test_a_stale_card_changes_nothing_and_says_so(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    for number, answer in enumerate(["hi", *GOOD_ANSWERS], start=1):
        say(teams, connector, answer, number)
    submit_data = action(connector.sent[-1], "Submit")["data"]
    assert post_activity(teams.url, invoke(connector.url, ANA, submit_data))[0] == 200
    connector.wait_for(8)
    status, body = post_activity(teams.url, invoke(connector.url, ANA, submit_data))
    assert status == 200
    assert "earlier step" in json.loads(body)["value"]
    assert (
        "earlier step"
        in connector.wait_for(9)[-1].activity["attachments"][0]["content"]["body"][0]["inlines"][0][
            "text"
        ]
    )
    teams_app.drain()
    with teams_app.database.session() as session:
        assert [r.status for r in session.exec(select(Request)).all()] == ["in_review"]


def test_action_submit_fallback_updates_the_card_in_place(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    for number, answer in enumerate(["hi", *GOOD_ANSWERS[:5]], start=1):
        say(teams, connector, answer, number)
    question_six = connector.sent[-1]
    skip = action(question_six, "Skip")["fallback"]["data"]
    reply_to = "activity-6"
    post_activity(teams.url, submit(connector.url, ANA, skip, reply_to))
    update = connector.wait_for(1, verb="update")[0]
    assert update.activity_id == reply_to
    assert "✓ Skipped" in json.dumps(update.activity, ensure_ascii=False)
    connector.wait_for(1, where=lambda sent: "Here is request" in json.dumps(sent.activity))
    assert answers(teams_app, "source_material") == [""]


def test_tampered_card_data_is_refused_politely(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    say(teams, connector, "hi", 1)
    say(teams, connector, GOOD_ANSWERS[0], 2)
    post_activity(teams.url, submit(connector.url, ANA, {"evil": True}, "activity-1"))
    post_activity(
        teams.url,
        invoke(
            connector.url, ANA, {"triage_action": "triage-request-submit", "triage_value": "999"}
        ),
    )
    connector.wait_for(4)
    text = connector.text()
    assert text.count("nothing was changed") + text.count("earlier step") >= 2
    with teams_app.database.session() as session:
        assert [r.status for r in session.exec(select(Request)).all()] == ["drafting"]


def test_typed_markup_is_stored_verbatim_and_shown_as_plain_text(
    teams_app: App,
    teams: ServerThread,
    connector: FakeConnector,
    card_validator: jsonschema.Draft6Validator,
) -> None:
    injected = "<at>Everyone</at> **bold** [click](https://evil.example) " + "x" * 5000
    say(teams, connector, "hi", 1)
    say(teams, connector, injected, 2)
    shown = say(teams, connector, "back", 3)
    assert answers(teams_app, "failing_task") == [injected]
    runs = [b for b in shown.card["body"] if b["type"] == "RichTextBlock"]  # type: ignore[index]
    assert any("<at>Everyone</at> **bold**" in b["inlines"][0]["text"] for b in runs)
    assert all(b.get("type") != "TextBlock" or "<at>" not in b["text"] for b in shown.card["body"])  # type: ignore[index]
    assert "stored in full" in json.dumps(shown.card)
    assert not [e for e in shown.activity.get("entities") or [] if e.get("type") == "mention"]
    assert_valid_cards(connector, card_validator)


def test_the_connector_asking_to_retry_is_honoured(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    connector.fail_next(429, 502)
    say(teams, connector, "hi", 1)
    assert "Question 1 of 6" in connector.text()


def test_an_app_id_turns_authentication_on(tmp_path: Path, connector: FakeConnector) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'auth.db'}",
        triage_config=PROJECT_ROOT / "app.yaml",
        microsoft_app_id="00000000-0000-0000-0000-000000000001",
        microsoft_app_password="secret",
    )
    app = build_app(settings)
    server = ServerThread(lambda: build_web_app(app)).start()
    try:
        unsigned = post_activity(server.url, message(connector.url, ANA, "hi"))
        forged = post_activity(
            server.url,
            message(connector.url, ANA, "hi"),
            headers={"Authorization": "Bearer not.a.token"},
        )
    finally:
        server.stop()
    assert unsigned[0] == 401 and forged[0] == 401
    assert connector.sent == []
    with app.database.session() as session:
        assert session.exec(select(Conversation)).all() == []


def test_a_proactive_message_reaches_the_person_after_a_restart(
    tmp_path: Path, connector: FakeConnector
) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    first_app = build_app(teams_settings(url))
    first = ServerThread(lambda: build_web_app(first_app)).start()
    say(first, connector, "hi", 1)
    first.stop()

    second_app = build_app(teams_settings(url))  # a new process would build exactly this
    second = ServerThread(lambda: build_web_app(second_app)).start()
    try:
        with second_app.database.session() as session:
            reference = session.exec(select(Conversation)).one().channel_ref
        assert reference is not None
        from bot.messages import Outbound

        async def notify() -> None:
            bot = second.web_app[TEAMS_KEY]
            await bot.send_proactive(reference, [Outbound("Your request was reviewed.")])

        second.call(notify())
    finally:
        second.stop()
    proactive = connector.wait_for(2)[-1]
    assert proactive.verb in ("send", "reply")
    assert proactive.conversation == f"a:personal-{ANA['id']}"
    assert "Your request was reviewed." in json.dumps(proactive.activity)


def test_teams_and_slack_identities_of_one_person_keep_separate_requests(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    say(teams, connector, "hi", 1)
    say(teams, connector, GOOD_ANSWERS[0], 2)
    from bot.messages import Inbound, PersonRef

    slack_ana = PersonRef(platform="slack", user_id="U0ANA", workspace_id="T1")
    teams_app.engine.handle(Inbound.start(slack_ana))
    teams_app.engine.handle(Inbound.say(slack_ana, "Slack side answer"))
    with teams_app.database.session() as session:
        requests = session.exec(select(Request)).all()
    assert sorted(r.platform for r in requests) == ["slack", "teams"]
    assert answers(teams_app, "failing_task") == [GOOD_ANSWERS[0], "Slack side answer"]
    _ = asyncio


def test_the_teams_package_has_the_manifest_and_valid_icons(tmp_path: Path) -> None:
    import struct
    import zipfile

    from tests.support.cli import clean_env, triage_bot

    app_id = "12345678-1234-1234-1234-123456789abc"
    out = tmp_path / "app.zip"
    env = clean_env(MICROSOFT_APP_ID=app_id, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    run = triage_bot("manifest", "teams", "--out", str(out), env=env)
    assert run.code == 0, run.err
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        sizes = {}
        for name in ("color.png", "outline.png"):
            data = package.read(name)
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            sizes[name] = struct.unpack(">II", data[16:24])
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}
    assert manifest["id"] == app_id and manifest["bots"][0]["botId"] == app_id
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert titles == ["help", "status", "waiting", "new", "cancel"]

    missing = triage_bot(
        "manifest",
        "teams",
        "--out",
        str(out),
        env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"),
    )
    assert missing.code == 2 and "MICROSOFT_APP_ID" in missing.err
    bad = triage_bot(
        "manifest", "teams", "--out", str(out), env=clean_env(MICROSOFT_APP_ID="not-a-guid")
    )
    assert bad.code == 2 and "GUID" in bad.err


def test_the_schema_check_is_not_a_rubber_stamp(card_validator: jsonschema.Draft6Validator) -> None:
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}
    assert list(card_validator.iter_errors(broken))


def test_command_menu_words_work_from_teams(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    say(teams, connector, "help", 1)
    assert "edit N" in connector.text()
    say(teams, connector, "status", 2)
    assert "no request in progress" in connector.text()
    say(teams, connector, "waiting", 3)
    assert "Nothing is waiting on you." in connector.text()


def test_two_people_whose_activity_ids_collide_both_get_answers(
    teams_app: App, teams: ServerThread, connector: FakeConnector
) -> None:
    bo = person("Bo")
    for who in (ANA, bo):
        activity = message(connector.url, who, "hi")
        activity["id"] = "1700000000123"  # Teams ids are unique per conversation only
        assert post_activity(teams.url, activity)[0] in (200, 201)
    sent = connector.wait_for(2)
    assert {s.conversation for s in sent} == {f"a:personal-{ANA['id']}", f"a:personal-{bo['id']}"}


def test_the_emulator_mode_is_refused_on_a_public_interface(tmp_path: Path) -> None:
    from tests.support.cli import clean_env, triage_bot

    env = clean_env(TEAMS_EMULATOR="1", DATABASE_URL=f"sqlite:///{tmp_path / 'e.db'}")
    run = triage_bot("serve", "--host", "0.0.0.0", "--port", "1", env=env)
    assert run.code == 2
    assert "--host 127.0.0.1" in run.err


def test_teams_reviewers_get_the_card_and_decide_on_it(
    tmp_path: Path, connector: FakeConnector, card_validator: jsonschema.Draft6Validator
) -> None:
    from bot.config import load_app_config

    config = load_app_config(PROJECT_ROOT / "app.yaml")
    config = config.model_copy(
        update={"review": config.review.model_copy(update={"teams_user_ids": ("aad-lead",)})}
    )
    app = build_app(teams_settings(f"sqlite:///{tmp_path / 'review.db'}"), config=config)
    server = ServerThread(lambda: build_web_app(app)).start()
    lead, bo = person("Lead"), person("Bo")
    try:
        say(server, connector, "hi", 1, who=lead)  # reviewers are reached where they talked
        for number, answer in enumerate(["hi", *GOOD_ANSWERS], start=2):
            say(server, connector, answer, number)
        submit_data = action(connector.sent[-1], "Submit")["data"]
        post_activity(server.url, invoke(connector.url, ANA, submit_data))
        app.drain()
        card = next(
            s for s in connector.wait_for(10) if "Review TR-0001" in json.dumps(s.card or {})
        )
        assert card.conversation == f"a:personal-{lead['id']}"
        assert "rule-based" in json.dumps(card.card)

        refused = post_activity(
            server.url,
            invoke(
                connector.url, bo, {"triage_action": "review-draft-approve", "triage_value": "1"}
            ),
        )
        assert "Only L&D reviewers" in json.loads(refused[1])["value"]
        approved = json.loads(
            post_activity(
                server.url,
                invoke(
                    connector.url,
                    lead,
                    {"triage_action": "review-draft-approve", "triage_value": "1"},
                ),
            )[1]
        )
        assert "Approved by Lead" in json.dumps(approved["value"])
        card_validator.validate(approved["value"])
        rejected = json.loads(
            post_activity(
                server.url,
                invoke(
                    connector.url,
                    lead,
                    {
                        "triage_action": "review-draft-reject",
                        "triage_value": "2",
                        input_on(card.card, "reason", "review-draft-reject", "2"): (
                            "Ask the CRM admins first"
                        ),
                    },
                ),
            )[1]
        )
        assert "Rejected by Lead" in json.dumps(rejected["value"])
        assert "Ask the CRM admins first" in json.dumps(rejected["value"])
        told = connector.wait_for(
            1,
            where=lambda s: (
                "has been reviewed" in json.dumps(s.activity)
                and s.conversation == f"a:personal-{ANA['id']}"
            ),
        )
        assert len(told) == 1
    finally:
        server.stop()


def input_on(card: dict[str, Any] | None, field: str, action_id: str, value: str) -> str:
    """The id of a form's input as the card draws it, so the test sends what Teams would."""
    ids = re.findall(r'"id": "([^"]+)"', json.dumps(card))
    return next(i for i in ids if i == f"{field}@{action_id}:{value}")


def test_the_review_card_also_goes_to_the_teams_review_channel(
    tmp_path: Path, connector: FakeConnector
) -> None:
    from bot.config import load_app_config

    channel = "19:lnd-review@thread.tacv2"
    config = load_app_config(PROJECT_ROOT / "app.yaml")
    config = config.model_copy(
        update={"review": config.review.model_copy(update={"teams_review_channel": channel})}
    )
    app = build_app(teams_settings(f"sqlite:///{tmp_path / 'channel.db'}"), config=config)
    server = ServerThread(lambda: build_web_app(app)).start()
    try:
        for number, answer in enumerate(["hi", *GOOD_ANSWERS], start=1):
            say(server, connector, answer, number)
        submit_data = action(connector.sent[-1], "Submit")["data"]
        post_activity(server.url, invoke(connector.url, ANA, submit_data))
        app.drain()
        posted = connector.wait_for(9)
        in_channel = [s for s in posted if s.conversation == channel]
        assert len(in_channel) == 1 and in_channel[0].verb == "send"
        assert "Review TR-0001" in json.dumps(in_channel[0].card)
    finally:
        server.stop()


def test_teams_reviewers_edit_questions_and_a_second_press_changes_nothing(
    tmp_path: Path, connector: FakeConnector
) -> None:
    app, server, card = reviewed_in_teams(tmp_path, connector)
    lead = person("Lead")
    try:
        edit = {
            "triage_action": "review-draft-edit",
            "triage_value": "2",
            input_on(card, "questions", "review-draft-edit", "2"): (
                "risk: Who loses data if this waits?\nno colon line"
            ),
        }
        first = json.loads(post_activity(server.url, invoke(connector.url, lead, edit))[1])
        assert "Edited by Lead" in json.dumps(first["value"])
        again = json.loads(post_activity(server.url, invoke(connector.url, lead, edit))[1])
        assert "already edited" in again["value"]
        from bot.storage.models import Draft

        with app.database.session() as session:
            questions = session.get(Draft, 2)
        assert questions is not None
        assert questions.final_content == {"risk": ["Who loses data if this waits?"]}
    finally:
        server.stop()


def test_bodies_that_are_not_activities_get_400_not_500(
    teams: ServerThread, connector: FakeConnector
) -> None:
    import urllib.error
    import urllib.request

    statuses = []
    for raw in (
        b"[" * 10_000,
        b'{"text": "caf\xe9"}',
        b"null",
        b'{"type": "message", "timestamp": 5}',
    ):
        request = urllib.request.Request(
            teams.url + "/api/messages",
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            statuses.append(200)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses == [400, 400, 400, 400]
    assert connector.sent == []


def test_a_teams_reviewer_asks_and_the_requester_answers_on_the_card(
    tmp_path: Path, connector: FakeConnector, card_validator: jsonschema.Draft6Validator
) -> None:
    from bot.storage.models import Clarification

    app, server, card = reviewed_in_teams(tmp_path, connector)
    lead = person("Lead")
    try:
        ask = {
            "triage_action": "review-question-ask",
            "triage_value": "1",
            input_on(card, "question", "review-question-ask", "1"): "Which CRM screen?",
        }
        redrawn = json.loads(post_activity(server.url, invoke(connector.url, lead, ask))[1])
        card_validator.validate(redrawn["value"])
        assert "Not answered yet." in json.dumps(redrawn["value"])
        question = connector.wait_for(
            1,
            where=lambda s: (
                "has a question" in json.dumps(s.activity)
                and s.conversation == f"a:personal-{ANA['id']}"
            ),
        )[0]
        assert question.card is not None
        card_validator.validate(question.card)
        answer_id = input_on(question.card, "answer", "review-question-answer", "1")
        answer = {
            "triage_action": "review-question-answer",
            "triage_value": "1",
            answer_id: "The quote screen",
        }
        stranger = json.loads(post_activity(server.url, invoke(connector.url, lead, answer))[1])
        assert "Only the person who made the request" in json.dumps(stranger)
        thanks = json.loads(post_activity(server.url, invoke(connector.url, ANA, answer))[1])
        assert "added your answer to TR-0001" in json.dumps(thanks)
        with app.database.session() as session:
            assert session.exec(select(Clarification)).one().answer == "The quote screen"
    finally:
        server.stop()


def test_a_reply_the_connector_refuses_is_sent_later_and_later_replies_wait_behind_it(
    tmp_path: Path, connector: FakeConnector
) -> None:
    clock = FakeClock()
    app = build_app(teams_settings(f"sqlite:///{tmp_path / 'teams.db'}"), clock=clock)
    server = ServerThread(lambda: build_web_app(app)).start()
    try:
        connector.fail_next(500)  # not one the connector asks to retry: the reply fails now
        status, _ = post_activity(server.url, message(connector.url, ANA, "hi"))
        assert status in (200, 201)
        status, _ = post_activity(server.url, message(connector.url, ANA, GOOD_ANSWERS[0]))
        assert status in (200, 201)
        assert connector.sent == []  # question 2 must not arrive before question 1
        assert answers(app, "failing_task") == [GOOD_ANSWERS[0]]

        assert server.web_app is not None
        outbox = server.web_app[TEAMS_KEY].outbox
        assert outbox is not None
        clock.advance(seconds=6)
        server.call(outbox.run_once())
        server.call(outbox.run_once())
        sent = connector.wait_for(2)
        texts = [json.dumps(s.activity, ensure_ascii=False) for s in sent]
        assert "Question 1 of 6" in texts[0] and "Question 2 of 6" in texts[1]
        say(server, connector, GOOD_ANSWERS[1], 3)  # owed nothing now: straight back
        assert "Question 3 of 6" in json.dumps(connector.sent[-1].activity)
    finally:
        server.stop()


def test_a_summary_of_long_answers_in_other_scripts_stays_under_teams_message_limit(
    teams_app: App,
    teams: ServerThread,
    connector: FakeConnector,
    card_validator: jsonschema.Draft6Validator,
) -> None:
    """Teams refuses a message past about 28 KB with 413; a character outside ASCII weighs up
    to six bytes on the wire."""
    say(teams, connector, "hi", 1)
    long_answers = [f"{n}: " + "見積もりの承認が止まる。" * 150 for n in range(5)]
    for number, answer in enumerate([*long_answers, "https://wiki.example.com/a"], start=2):
        say(teams, connector, answer, number)
    summary = connector.sent[-1]
    assert "Here is request TR-0001" in connector.text()
    assert len(json.dumps(summary.activity).encode()) < 28_000
    assert "stored in full" in json.dumps(summary.activity, ensure_ascii=False)
    assert answers(teams_app, "failing_task") == [long_answers[0]]  # stored whole
    assert_valid_cards(connector, card_validator)
