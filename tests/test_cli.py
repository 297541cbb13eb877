"""The triage-bot command end to end, in child processes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.database import Database
from tests.conftest import GOOD_ANSWERS
from tests.support.cli import PROJECT_ROOT, Run, clean_env, in_process, triage_bot
from tests.support.fake_slack import FakeSlack


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return clean_env(DATABASE_URL=database_url)


def write_script(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "script.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def submit_one(env: dict[str, str], tmp_path: Path, name: str = "Ana") -> None:
    script = write_script(tmp_path, [*GOOD_ANSWERS, "submit"])
    run = in_process("chat", "--as", name, "--script", str(script), env=env)
    assert run.code == 0, run.err
    assert "Submitted. Your reference is" in run.out


def test_scripted_chat_prints_the_bot_side_and_exits_zero(
    env: dict[str, str], tmp_path: Path
) -> None:
    script = write_script(tmp_path, [*GOOD_ANSWERS, "submit"])
    run = triage_bot("chat", "--as", "Ana", "--script", str(script), env=env)
    assert run.code == 0, run.err
    assert "bot › Hi Ana" in run.out
    assert "[Question 6 of 6]" in run.out
    assert "Submitted. Your reference is TR-0001" in run.out
    assert "Traceback" not in run.err


def test_chat_reads_replies_from_a_pipe(env: dict[str, str]) -> None:
    run = triage_bot("chat", "--as", "Bo", env=env, stdin=GOOD_ANSWERS[0] + "\n")
    assert run.code == 0, run.err
    assert "[Question 2 of 6] Who performs it?" in run.out
    assert "Paused" in run.out


def test_quit_leaves_the_terminal_and_files_nothing(env: dict[str, str]) -> None:
    run = triage_bot("chat", "--as", "Di", env=env, stdin=f"{GOOD_ANSWERS[0]}\nQuit\nmore\n")
    assert run.code == 0, run.err
    assert run.out.rstrip().endswith(
        "you › Quit\nPaused. Everything you typed is saved; "
        "run triage-bot chat again to pick up where you left off."
    )
    again = triage_bot("chat", "--as", "Di", env=env, stdin='continue\n"exit"\n')
    assert "You were on question 2 of 6" in again.out  # "more" was never read
    assert "[Question 3 of 6]" in again.out  # a quoted "exit" is an answer


def test_a_control_character_typed_by_accident_is_neither_a_line_nor_stored(
    env: dict[str, str], tmp_path: Path
) -> None:
    typed = [GOOD_ANSWERS[0] + "\x0c", *GOOD_ANSWERS[1:4], "Ctrl-L\x0c 🔥 <!channel>", "skip"]
    run = in_process("chat", "--as", "Ana", "--script", str(write_script(tmp_path, typed)), env=env)
    assert run.code == 0, run.err
    assert "Here is request TR-0001" in run.out  # six lines, six answers: \x0c ends no line
    exported = in_process("export", "--format", "csv", env=env).out
    assert "\x0c" not in exported
    row = next(csv.DictReader(io.StringIO(exported)))
    assert GOOD_ANSWERS[0] in row.values() and "Ctrl-L 🔥 <!channel>" in row.values()


def test_closing_and_reopening_the_terminal_resumes(env: dict[str, str]) -> None:
    first = triage_bot("chat", "--as", "Cy", env=env, stdin="\n".join(GOOD_ANSWERS[:2]) + "\n")
    assert first.code == 0, first.err
    assert "Paused" in first.out
    run = triage_bot("chat", "--as", "Cy", env=env, stdin="continue\n")
    assert run.code == 0, run.err
    assert "You were on question 3 of 6" in run.out
    assert "[Question 3 of 6] Where does it fail?" in run.out


@pytest.mark.parametrize(
    ("make_path", "reason"),
    [
        (lambda tmp: tmp / "missing.txt", "no such file"),
        (lambda tmp: tmp, "it is a folder"),
        (lambda tmp: _binary(tmp), "not UTF-8 text"),
    ],
)
def test_a_bad_script_file_is_one_clear_line_and_exit_two(
    tmp_path: Path, make_path: object, reason: str
) -> None:
    path = make_path(tmp_path)  # type: ignore[operator]
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    run = triage_bot("chat", "--script", str(path), env=env)
    assert run.code == 2
    assert reason in run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "x.db").exists(), "nothing should be created for a bad script"


def _binary(tmp: Path) -> Path:
    path = tmp / "script.bin"
    path.write_bytes(b"\xff\xfe\x00bad")
    return path


def test_requests_list_show_and_export(env: dict[str, str], tmp_path: Path) -> None:
    submit_one(env, tmp_path)
    listing = in_process("requests", "list", env=env)
    assert listing.code == 0, listing.err
    assert "TR-0001" in listing.out and "in_review" in listing.out  # drafted after submit

    rows = json.loads(
        in_process("requests", "list", "--json", "--status", "in_review", env=env).out
    )
    assert [row["reference"] for row in rows] == ["TR-0001"]
    assert rows[0]["failing_task"] == GOOD_ANSWERS[0]
    assert (
        json.loads(in_process("requests", "list", "--json", "--status", "cancelled", env=env).out)
        == []
    )

    show = json.loads(in_process("requests", "show", "TR-0001", "--json", env=env).out)
    assert show["status"] == "in_review"
    assert show["questions"][1]["versions"][0]["text"] == GOOD_ANSWERS[1]
    assert [e["action"] for e in show["audit"]] == [
        "request.created",
        "request.status_changed",
        "request.status_changed",
        "draft.created",
        "draft.created",
    ]
    assert [e["after"]["status"] for e in show["audit"][1:3]] == ["submitted", "in_review"]
    assert "What task is failing?" in in_process("requests", "show", "1", env=env).out

    missing = in_process("requests", "show", "TR-0099", env=env)
    assert missing.code == 1 and "no request TR-0099" in missing.err

    out = tmp_path / "log.csv"
    export = in_process("export", "--format", "csv", "--out", str(out), env=env)
    assert export.code == 0, export.err
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(table) == 1
    assert table[0]["reference"] == "TR-0001"
    assert table[0]["evidence"] == GOOD_ANSWERS[4]
    assert {"decision_owner", "due_at", "next_decision", "submitted_at"} <= set(table[0])
    exported = json.loads(in_process("export", "--format", "json", env=env).out)
    assert exported[0]["source_material"] == GOOD_ANSWERS[5]


def test_csv_export_defuses_formulas_and_json_keeps_text_verbatim(
    env: dict[str, str], tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    script = write_script(tmp_path, [formula, *GOOD_ANSWERS[1:], "submit"])
    assert in_process("chat", "--script", str(script), env=env).code == 0
    table = list(csv.DictReader(io.StringIO(in_process("export", env=env).out)))
    assert table[0]["failing_task"] == "'" + formula
    assert (
        json.loads(in_process("export", "--format", "json", env=env).out)[0]["failing_task"]
        == formula
    )


def test_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL="postgresql://triage:s3cret@127.0.0.1:1/desk")
    run = triage_bot("requests", "list", env=env)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert "Cannot reach the database postgresql+psycopg://triage:***@127.0.0.1:1/desk" in lines[0]
    assert "s3cret" not in run.err


def test_an_old_schema_is_refused_with_the_command_to_run(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    database.downgrade("base")
    env = clean_env(DATABASE_URL=database_url)
    for args in (["requests", "list"], ["chat"]):
        run = in_process(*args, env=env)
        assert run.code == 2
        assert "Run: triage-bot db upgrade" in run.err
    upgraded = in_process("db", "upgrade", env=env)
    assert upgraded.code == 0, upgraded.err
    assert "Upgraded" in upgraded.out
    assert in_process("requests", "list", env=env).out.strip() == "No requests yet."
    assert "already at revision" in in_process("db", "upgrade", env=env).out


def test_a_new_database_is_set_up_on_first_use(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    run = triage_bot("requests", "list", env=env)
    assert run.code == 0, run.err
    assert (tmp_path / "fresh.db").exists()


def test_check_reports_config_database_and_channels(env: dict[str, str]) -> None:
    assert in_process("db", "upgrade", env=env).code == 0
    run = in_process("check", env=env)
    assert run.code == 0, run.out
    assert "6 questions" in run.out
    assert "reachable" in run.out
    assert "slack     off" in run.out
    assert "llm       off" in run.out


def test_check_fails_on_a_broken_app_yaml(tmp_path: Path) -> None:
    broken = tmp_path / "app.yaml"
    broken.write_text("questions: []\ncategories: [{id: x, label: X}]\n", encoding="utf-8")
    env = clean_env(TRIAGE_CONFIG=str(broken), DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}")
    run = in_process("check", env=env)
    assert run.code == 2
    assert "questions: " in run.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("questions: [\n  - id: x\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        (
            "questions:\n  - {id: Bad Id, prompt: x}\ncategories: [{id: a, label: A}]\n",
            "questions.0.id",
        ),
        (
            "questions:\n  - {id: a, prompt: x, kind: essay}\ncategories: [{id: a, label: A}]\n",
            "questions.0.kind",
        ),
        (
            "questions:\n  - {id: a, prompt: x, kind: choice}\ncategories: [{id: a, label: A}]\n",
            "needs at least two options",
        ),
        (
            "questions:\n  - {id: a, prompt: x}\n  - {id: a, prompt: y}\n"
            "categories: [{id: a, label: A}]\n",
            "used twice",
        ),
        (
            "questions:\n  - {id: a, prompt: x, colour: red}\ncategories: [{id: a, label: A}]\n",
            "questions.0.colour",
        ),
    ],
)
def test_a_missing_or_malformed_app_yaml_names_the_file_and_the_key(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "app.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    env = clean_env(TRIAGE_CONFIG=str(path), DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}")
    run = in_process("chat", env=env)
    assert run.code == 2
    assert str(path) in run.err
    assert message in run.err
    assert "Traceback" not in run.err


def test_several_processes_on_a_new_database_create_the_schema_once(database_url: str) -> None:
    import subprocess
    import sys

    from tests.support.cli import PROJECT_ROOT

    env = clean_env(DATABASE_URL=database_url)
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "requests", "list"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [(child.wait(timeout=120), child.communicate()) for child in children]
    for code, (out, err) in results:
        assert code == 0, err
        assert out.strip() == "No requests yet."


def test_reading_the_desk_does_not_wait_for_a_conversation_turn(tmp_path: Path) -> None:
    """On SQLite a turn holds the write lock; list and export read beside it."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    env = clean_env(DATABASE_URL=url)
    assert triage_bot("requests", "list", env=env).code == 0
    writer = Database(url)
    with writer.session() as session:  # BEGIN IMMEDIATE: the write lock is held from here
        session.exec(text("UPDATE conversation SET version = version"))
        run = triage_bot("export", "--format", "json", env=env, timeout=20)
    assert run.code == 0, run.err
    assert json.loads(run.out) == []


def test_check_does_not_create_a_mistyped_sqlite_file(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'tpyo.db'}")
    run = triage_bot("check", env=env)
    assert run.code == 0
    assert "created on first use" in run.out
    assert not (tmp_path / "tpyo.db").exists()


def test_check_reports_an_unparsable_database_url_and_carries_on(tmp_path: Path) -> None:
    run = in_process("check", env=clean_env(DATABASE_URL="not a url at all"))
    assert run.code == 2
    assert "not a database URL" in run.out
    assert "terminal  on" in run.out


def test_a_huge_reference_is_not_found_not_a_crash(env: dict[str, str]) -> None:
    run = in_process("requests", "show", "99999999999999999999", env=env)
    assert run.code == 2
    assert "not a request reference" in run.err


def test_json_logs_are_one_json_object_per_line(tmp_path: Path) -> None:
    env = clean_env(
        DATABASE_URL="postgresql://u:p@127.0.0.1:1/x", LOG_FORMAT="json", LOG_LEVEL="INFO"
    )
    run = triage_bot("chat", "--script", str(write_script(tmp_path, ["hi"])), env=env)
    assert run.code == 2
    for line in run.err.splitlines():
        if line.startswith("{"):
            assert json.loads(line)["level"]


def test_reviewers_decide_drafts_from_the_terminal(env: dict[str, str], tmp_path: Path) -> None:
    submit_one(env, tmp_path)  # chat waits for its drafts before it exits
    stranger = in_process("review", "list", "--as", "Bob", env=env)
    assert stranger.code == 1 and "--as NAME" in stranger.err and "lnd-lead" in stranger.err
    listing = in_process("review", "list", "--as", "lnd-lead", env=env)
    assert "draft 1 · TR-0001 · classification · rule-based" in listing.out
    assert "sme facts:" in listing.out
    outsider = in_process("review", "approve", "1", "--as", "Bob", env=env)
    assert outsider.code == 1 and "Only L&D reviewers" in outsider.err
    bogus = in_process("review", "edit", "2", "--category", "bogus", "--as", "lnd-lead", env=env)
    assert bogus.code == 1 and "reviewer questions" in bogus.err  # not stored on the wrong kind
    wrong = in_process("review", "edit", "1", "--category", "bogus", "--as", "lnd-lead", env=env)
    assert wrong.code == 1 and "'bogus' is not a category" in wrong.err
    assert in_process("review", "approve", "1", "--as", "lnd-lead", env=env).code == 0
    again = in_process("review", "reject", "1", "--reason", "late", "--as", "lnd-lead", env=env)
    assert again.code == 1 and "already approved by lnd-lead" in again.err
    assert (
        in_process(
            "review", "reject", "2", "--reason", "too generic", "--as", "lnd-lead", env=env
        ).code
        == 0
    )
    exported = json.loads(in_process("export", "--format", "json", env=env).out)[0]
    assert exported["draft_category"] == exported["draft_final_category"]
    assert (exported["draft_source"], exported["draft_verdict"]) == ("rules", "approved")
    assert exported["draft_decided_by"] == "lnd-lead"
    report = json.loads(in_process("assist", "report", "--json", env=env).out)
    assert {(r["kind"], r["approved"], r["rejected"]) for r in report} == {
        ("classification", 1, 0),
        ("reviewer_questions", 0, 1),
    }
    assert "No drafts are waiting" in in_process("review", "list", "--as", "lnd-lead", env=env).out


def test_requests_show_reads_as_a_person_would_and_json_keeps_its_shape(
    env: dict[str, str], tmp_path: Path
) -> None:
    answers = [GOOD_ANSWERS[0], "30 reps", *GOOD_ANSWERS[2:], "edit 2", GOOD_ANSWERS[1]]
    script = write_script(tmp_path, [*answers, "submit"])
    assert in_process("chat", "--as", "Ana", "--script", str(script), env=env).code == 0
    assert in_process("review", "approve", "1", "--as", "lnd-lead", env=env).code == 0
    text = in_process("requests", "show", "TR-0001", env=env).out
    when = r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC"
    assert re.search(rf"^created {when}  ·  submitted {when}$", text, re.M), text
    assert re.search(
        rf"2\. Who performs it\?\n   {GOOD_ANSWERS[1]}\n   earlier versions:\n"
        rf"     v1, {when}, by Ana: 30 reps\n",
        text,
    ), text
    assert "earlier version(s) kept" not in text
    assert re.search(
        r"  draft 1 · classification · rule-based · approved by lnd-lead, .+ UTC\n"
        r"    drafted: \w+, training the answer: (yes|no), confidence [\d.]+\n    why: ",
        text,
    ), text
    assert "  draft 2 · reviewer questions · rule-based · pending" in text
    assert re.search(
        rf"  {when}  request\.status_changed  by Ana\n"
        r"      status: drafting → submitted\n",
        text,
    ), text
    assert re.search(
        rf"  {when}  answer\.edited  by Ana\n      question_id: performer; version: 1 → 2; "
        rf"text: 30 reps → {GOOD_ANSWERS[1]}; skipped: false\n",
        text,
    ), text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)  # no ISO time in the text

    shown = json.loads(in_process("requests", "show", "TR-0001", "--json", env=env).out)
    assert {
        "reference",
        "status",
        "questions",
        "asset_idea",
        "decision",
        "clarifications",
        "audit",
        "drafts",
    } <= set(shown)
    versions = shown["questions"][1]["versions"]
    assert [v["text"] for v in versions] == ["30 reps", GOOD_ANSWERS[1]]
    assert datetime.fromisoformat(versions[0]["answered_at"]).tzinfo is not None  # ISO in JSON
    assert shown["drafts"][0]["kind"] == "classification"
    assert shown["drafts"][0]["status"] == "approved"


def test_an_empty_filtered_list_says_how_many_requests_there_are(
    env: dict[str, str], tmp_path: Path
) -> None:
    submit_one(env, tmp_path)
    submit_one(env, tmp_path, name="Bo")
    listing = in_process("requests", "list", "--status", "submitted", env=env)
    assert listing.code == 0
    assert listing.out == "No submitted requests (2 requests in all).\n"
    assert "TR-0002" in in_process("requests", "list", "--status", "in_review", env=env).out


def readme_commands(containing: str) -> list[list[str]]:
    """The triage-bot commands of the README's shell block that holds ``containing``, in order."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```sh\n")[1:] if containing in b.split("```")[0])
    return [
        shlex.split(line, comments=True)[1:]
        for line in block.split("```")[0].splitlines()
        if line.startswith(".venv/bin/triage-bot ")
    ]


def test_the_readme_review_example_works_in_order(env: dict[str, str], tmp_path: Path) -> None:
    submit_one(env, tmp_path)  # the README's scripted conversation: drafts 1 and 2 are TR-0001's
    commands = readme_commands("review edit 1")
    assert [c[:2] for c in commands] == [
        ["review", "list"],
        ["review", "ask"],
        ["review", "edit"],
        ["review", "reject"],
        ["assist", "report"],
    ]
    for command in commands:
        run = in_process(*command, env=env)
        assert run.code == 0, (command, run.err)
    verdicts = {
        d["id"]: (d["status"], d["decided_by"])
        for d in json.loads(in_process("requests", "show", "1", "--json", env=env).out)["drafts"]
    }
    assert verdicts == {1: ("edited", "lnd-lead"), 2: ("rejected", "lnd-lead")}
    # and what the prose under it says: one verdict per draft, refused with who and when
    submit_one(env, tmp_path, name="Bo")  # drafts 3 and 4
    assert in_process("review", "approve", "3", "--as", "lnd-lead", env=env).code == 0
    edit = in_process(
        *("review", "edit", "3", "--category", "workflow_process", "--as", "lnd-lead"), env=env
    )
    assert edit.code == 1
    assert re.fullmatch(
        r"triage-bot: Draft 3 was already approved by lnd-lead on \d{1,2} \w{3} \d{4} at "
        r"\d\d:\d\d UTC, and each draft gets one verdict, so nothing changed\.\n",
        edit.err,
    ), edit.err
    shown = json.loads(in_process("requests", "show", "TR-0002", "--json", env=env).out)
    assert shown["drafts"][0]["final_content"] == shown["drafts"][0]["content"]  # as approved
    assert "draft.edited" not in [event["action"] for event in shown["audit"]]


def test_review_commands_need_a_reviewer_and_say_how_to_act_as_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    submit_one(env, tmp_path)
    as_ana = {**env, "TERMINAL_USER": "ana"}
    for command in (["review", "list"], ["review", "approve", "1"]):
        refused = in_process(*command, env=as_ana)
        assert refused.code == 1, command
        assert refused.err.endswith(
            "Act as a reviewer named in app.yaml (review.terminal_reviewers: lnd-lead) "
            "with --as NAME.\n"
        ), refused.err
        assert refused.out == ""  # no draft is shown to someone who is not a reviewer
    as_lead = {**env, "TERMINAL_USER": "lnd-lead"}  # the login name, when it is a reviewer's
    assert "draft 1 · TR-0001" in in_process("review", "list", env=as_lead).out
    assert "draft 1 · TR-0001" in in_process("review", "list", "--as", "lnd-lead", env=env).out


def test_review_edit_refuses_what_the_draft_cannot_hold_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    submit_one(env, tmp_path)
    categories = "training_need, workflow_process, documentation, manager_support, "
    types = "sme_facts, workflow_judgment, preferences, risk, approval"
    refusals = {
        ("1", "--category", "bogus"): f"'bogus' is not a category in app.yaml, so nothing was "
        f"changed. The categories are: {categories}",
        ("1", "--questions", "risk: Who signs off?"): "This draft is a classification: give the "
        f"category (one of: {categories}",
        ("2", "--category", "bogus"): f"This draft holds reviewer questions: give the edited "
        f"questions, one a line as type: question (the types are: {types}).",
        ("2", "--questions", "risk: Who signs off?\\nbogus: Who pays?"): "Line 2: 'bogus' is not "
        "a type of reviewer question, so nothing was changed. Write each question as type: "
        f"question, with one of: {types}.",
        ("2", "--questions", "no type here"): "give the edited questions, one a line",
        ("9", "--category", "unclear"): "There is no draft 9, so nothing was changed.",
    }
    for args, says in refusals.items():
        run = in_process("review", "edit", *args, "--as", "lnd-lead", env=env)
        assert run.code == 1 and says in run.err, (args, run.err)
    wrong_fit = in_process(
        *("review", "edit", "1", "--category", "unclear", "--training-fit", "maybe"), env=env
    )
    assert wrong_fit.code == 2 and "invalid choice: 'maybe'" in wrong_fit.err
    shown = json.loads(in_process("requests", "show", "1", "--json", env=env).out)
    assert [(d["status"], d["final_content"]) for d in shown["drafts"]] == [
        ("pending", None),
        ("pending", None),
    ]
    assert not any(e["action"].startswith("draft.edited") for e in shown["audit"])
    assert (
        in_process(
            "review", "edit", "2", "--questions", "risk: Who?", "--as", "lnd-lead", env=env
        ).code
        == 0
    )  # a known type is stored


def test_a_reviewer_asks_and_the_terminal_requester_answers_at_their_next_chat(
    env: dict[str, str], tmp_path: Path
) -> None:
    submit_one(env, tmp_path)
    question = "Which screen do the reps use when it goes wrong?"
    refused = in_process("review", "ask", "TR-0001", "--question", question, "--as", "Bob", env=env)
    assert refused.code == 1 and "Only L&D reviewers" in refused.err
    asked = in_process(
        "review", "ask", "TR-0001", "--question", question, "--as", "lnd-lead", env=env
    )
    assert asked.code == 0, asked.err
    assert "Sent to Ana" in asked.out
    script = write_script(tmp_path, ["The quote screen in Salesforce"])
    chat = in_process("chat", "--as", "Ana", "--script", str(script), env=env)
    assert chat.code == 0, chat.err
    assert "L&D has a question about your request TR-0001" in chat.out and question in chat.out
    assert "Thanks, I've added your answer to TR-0001" in chat.out
    shown = json.loads(in_process("requests", "show", "TR-0001", "--json", env=env).out)
    assert [(c["question"], c["answer"], c["asked_by"]) for c in shown["clarifications"]] == [
        (question, "The quote screen in Salesforce", "lnd-lead")
    ]
    actions = [event["action"] for event in shown["audit"]]
    assert actions.index("clarification.asked") < actions.index("clarification.answered")
    text = in_process("requests", "show", "TR-0001", env=env).out
    assert "question from lnd-lead" in text and "answer: The quote screen in Salesforce" in text
    exported = json.loads(in_process("export", "--format", "json", env=env).out)[0]
    assert exported["clarifications"] == f"Q: {question} / A: The quote screen in Salesforce"
    # the next chat starts as usual: the question is answered
    again = in_process("chat", "--as", "Ana", "--script", str(script), env=env)
    assert "has a question" not in again.out


def test_decisions_and_reminders_from_the_terminal(env: dict[str, str], tmp_path: Path) -> None:
    submit_one(env, tmp_path)
    for draft in ("1", "2"):
        assert in_process("review", "approve", draft, "--as", "lnd-lead", env=env).code == 0

    def assign(due: str) -> Run:
        return in_process(
            *("decide", "TR-0001", "--owner", "Olu", "--due", due),
            *("--next", "Fix the sync or train reps?", "--review-type", "risk"),
            *("--as", "lnd-lead"),
            env=env,
        )

    def follow_up() -> Run:
        return in_process("decide", "TR-0001", "--follow-up", "moved", "--as", "lnd-lead", env=env)

    nothing = follow_up()  # a check-in with nothing pending says so, not "that button"
    assert nothing.code == 1
    assert nothing.err == (
        "triage-bot: TR-0001 has no decision yet, so there is no check-in to answer.\n"
    )
    past = assign("2026-01-05")
    assert past.code == 1 and "2026-01-05 has passed" in past.err  # nothing is planned for it
    due = (date.today() + timedelta(days=40)).isoformat()
    assigned = assign(due)
    assert assigned.code == 0, assigned.err
    assert f"decision assigned to Olu, due {due}" in assigned.out
    sweep = in_process("remind", "--once", env=env)
    assert sweep.code == 0, sweep.err
    assert sweep.out.startswith("assigned · Olu · TR-0001 · You own the decision")
    assert "1 reminder(s) sent" in sweep.err
    assert "0 reminder(s) sent" in in_process("remind", "--once", env=env).err
    waiting = in_process("waiting", "--as", "Olu", env=env)
    assert f"TR-0001 · Fix the sync or train reps? · due {due}" in waiting.out
    assert "(overdue)" not in waiting.out
    early = follow_up()
    assert early.code == 1 and early.err == (
        "The decision on TR-0001 is not recorded yet, and the evidence check-in comes after it, "
        "so there is nothing to answer.\n"
    )
    snoozed = in_process("decide", "TR-0001", "--snooze", "week", "--as", "Olu", env=env)
    assert snoozed.code == 0 and "Snoozed TR-0001 until" in snoozed.out
    refused = in_process("decide", "TR-0001", "--outcome", "no_action", "--as", "bob", env=env)
    assert refused.code == 1 and "Only the owner of this decision" in refused.err
    recorded = in_process(
        "decide", "1", "--outcome", "fix_workflow", "--note", "IT patches", "--as", "Olu", env=env
    )
    assert recorded.code == 0, recorded.err
    rows = json.loads(in_process("requests", "list", "--json", env=env).out)
    assert rows[0]["status"] == "decided"
    exported = json.loads(in_process("export", "--format", "json", env=env).out)[0]
    assert (exported["decision_owner"], exported["decision_outcome"]) == ("Olu", "fix_workflow")
    assert (exported["review_type"], exported["decision_note"]) == ("risk", "IT patches")
    assert exported["due_at"].startswith(due) and exported["decided_by"] == "Olu"
    shown = in_process("requests", "show", "TR-0001", env=env).out
    assert f"owner Olu, due {date.fromisoformat(due):%-d %b %Y}, review type risk" in shown
    assert "outcome · " not in in_process("remind", "--once", env=env).out  # not for Ana's chat
    no_replies = write_script(tmp_path, [])
    told = in_process("chat", "--as", "Ana", "--script", str(no_replies), env=env).out
    assert (
        "The decision on your request TR-0001 (Fix the sync or train reps?) is made: "
        "Fix the workflow, decided by Olu on " in told
    )
    assert "Note: IT patches" in told and "has been reviewed" not in told
    again = in_process("chat", "--as", "Ana", "--script", str(no_replies), env=env).out
    assert "decision on your request" not in again and "What task is failing?" in again
    incomplete = in_process("decide", "TR-0001", "--owner", "x", env=env)
    assert incomplete.code == 2 and "--due" in incomplete.err


HEAVY = (
    "openai",
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "aiohttp",
    "apscheduler",
)
MIGRATIONS = ("alembic", "mako", "pygments")
"""Loaded only when the schema is not current."""
LOADED_BY = """
import sys
from bot.cli import main
heavy = set(sys.argv.pop(1).split(","))
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("LOADED:" + ",".join(sorted({m.split(".")[0] for m in sys.modules} & heavy)))
"""


def test_help_imports_no_chat_sdk_no_llm_client_and_no_web_server(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'help.db'}")
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert completed.returncode == 0 and "usage: triage-bot" in completed.stdout
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in completed.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "bot" in imported  # the timing lines were read
    assert imported.isdisjoint({*HEAVY, *MIGRATIONS, "sqlalchemy"}), imported & {*HEAVY}


@pytest.mark.parametrize(
    "command",
    [
        ["requests", "list"],
        ["requests", "show", "1"],
        ["export"],
        ["check"],
        ["review", "list", "--as", "lnd-lead"],
        ["review", "approve", "1", "--as", "lnd-lead"],
        ["assist", "report"],
        ["waiting", "--as", "olu"],
        ["decide", "1", "--snooze", "week", "--as", "olu"],
        ["desk", "link", "--as", "lnd-lead"],
    ],
)
def test_desk_commands_load_no_chat_sdk_no_llm_client_and_no_migrations(
    tmp_path: Path, command: list[str]
) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'quick.db'}")
    assert in_process("db", "upgrade", env=env).code == 0  # a current schema, as usual
    completed = subprocess.run(
        [sys.executable, "-c", LOADED_BY, ",".join((*HEAVY, *MIGRATIONS)), *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert completed.stdout.splitlines()[-1] == "LOADED:", completed.stderr


def test_a_reader_that_stops_early_gets_no_traceback(env: dict[str, str]) -> None:
    """`triage-bot requests list --json | head`: the pipe closes before the output is written."""
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first write fails
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "bot", "requests", "list", "--json"],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert completed.returncode == 141
    assert "Traceback" not in completed.stderr
    assert "Exception ignored" not in completed.stderr


def test_desk_link_is_for_reviewers_and_names_the_address(env: dict[str, str]) -> None:
    stranger = in_process("desk", "link", "--as", "Bob", env=env)
    assert stranger.code == 1 and "for L&D reviewers" in stranger.err
    assert "lnd-lead" in stranger.err and "/desk/sign-in/" not in stranger.out
    given = in_process(
        "desk", "link", "--as", "lnd-lead", "--base-url", "https://desk.example.org/", env=env
    )
    assert given.code == 0
    assert re.search(r"https://desk\.example\.org/desk/sign-in/[\w-]{40,}", given.out), given.out
    assert "works once, for the next 15 minutes" in given.out
    fallback = in_process("desk", "link", "--as", "lnd-lead", env=env)
    assert "http://127.0.0.1:3000/desk/sign-in/" in fallback.out


def _listening_address(port: int) -> str:
    """The IPv4 address a socket on ``port`` listens on, from the kernel's own table."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            return ".".join(str(b) for b in reversed(bytes.fromhex(address)))
    raise AssertionError(f"nothing listens on port {port}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("channel", ["none", "slack"])
def test_serve_listens_on_this_machine_and_names_only_what_it_serves(
    tmp_path: Path, channel: str
) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}")
    fake = FakeSlack() if channel == "slack" else None
    if fake is not None:
        env.update(SLACK_SIGNING_SECRET="s", SLACK_BOT_TOKEN="xoxb-t", SLACK_API_URL=fake.url)
    port = _free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--turns", "thread"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    try:
        assert child.stderr is not None
        said = []
        for line in child.stderr:  # printed once it listens; the loop ends if serve exits
            said.append(line)
            if line.startswith("Serving on"):
                break
        if fake is None:
            assert said[0] == (
                "triage-bot: no chat channel is configured, so only the health check, the "
                "metrics and the web desk are served; see triage-bot check\n"
            )
            routes = "GET /healthz, GET /metrics, /desk/*"
        else:
            routes = "GET /healthz, GET /metrics, POST /slack/events, /desk/*"
        assert said[-1] == f"Serving on http://127.0.0.1:{port} ({routes})\n", said
        assert _listening_address(port) == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
            assert health.status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/messages", data=b"{}", timeout=10)
        assert missing.value.code == 404  # Teams is not configured, so it is not served
    finally:
        child.terminate()
        child.wait(timeout=30)
        if fake is not None:
            fake.stop()
