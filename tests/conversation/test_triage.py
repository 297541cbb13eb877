"""The triage conversation through the real engine, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from bot.conversation.commands import TriageAction
from bot.conversation.engine import Engine
from bot.conversation.views import ASSET_NOTE_ID
from bot.decisions.desk import DecisionDesk
from bot.messages import Inbound, PersonRef
from bot.storage.database import Database
from bot.storage.models import Answer, AuditEvent, Conversation, Reminder, Request
from tests.conftest import GOOD_ANSWERS
from tests.support.clock import FakeClock
from tests.support.transcript import Transcript


def answers_in_db(database: Database, question_id: str) -> list[Answer]:
    with database.session() as session:
        return list(
            session.exec(
                select(Answer)
                .where(Answer.question_id == question_id)
                .order_by(col(Answer.version))
            ).all()
        )


def only_request(database: Database) -> Request:
    with database.session() as session:
        requests = session.exec(select(Request)).all()
    assert len(requests) == 1
    return requests[0]


def test_full_triage_ends_with_a_reference_and_a_submitted_request(
    chat: Transcript, database: Database
) -> None:
    chat.start().expect("Hi Ana", "6 short questions", "Question 1 of 6", "What task is failing?")
    chat.send(GOOD_ANSWERS[0]).expect("Question 2 of 6", "Who performs it?")
    chat.send(GOOD_ANSWERS[1]).expect("Question 3 of 6", "Where does it fail?")
    chat.send(GOOD_ANSWERS[2]).expect("Question 4 of 6", "What support already exists?")
    chat.send(GOOD_ANSWERS[3]).expect("Question 5 of 6", "What evidence would show progress?")
    chat.send(GOOD_ANSWERS[4]).expect("Question 6 of 6", "source material", "(optional)")
    chat.send(GOOD_ANSWERS[5]).expect("Here is request TR-0001", *GOOD_ANSWERS)
    assert only_request(database).status == "drafting"
    chat.button("Submit").expect("Submitted. Your reference is TR-0001")
    request = only_request(database)
    assert request.status == "submitted"
    assert request.submitted_at is not None
    with database.session() as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        status_events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "request.status_changed")
        ).all()
    assert actions[0] == "request.created"
    assert [(e.before, e.after) for e in status_events] == [
        ({"status": "drafting"}, {"status": "submitted"})
    ]


def test_every_answer_is_committed_the_moment_it_is_given(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    stored = answers_in_db(database, "failing_task")
    assert [a.text for a in stored] == [GOOD_ANSWERS[0]]


def test_back_shows_the_current_answer_and_keep_moves_on(chat: Transcript) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send(GOOD_ANSWERS[1])
    chat.send("back").expect("Question 2 of 6", f"Your current answer: {GOOD_ANSWERS[1]}")
    chat.send("keep").expect("Question 3 of 6")
    chat.send("back").send("back").expect("Question 1 of 6")
    chat.send("back").expect("This is the first question")


def test_editing_an_answer_keeps_every_version_and_audits_the_change(
    chat: Transcript, database: Database, clock: FakeClock
) -> None:
    chat.start().answer_all(GOOD_ANSWERS).expect("Here is request")
    chat.send("change my answer to question 2").expect("Question 2 of 6", GOOD_ANSWERS[1])
    clock.advance(minutes=3)
    chat.send("About 55 account managers").expect("Here is request", "About 55 account managers")
    versions = answers_in_db(database, "performer")
    assert [(a.version, a.text) for a in versions] == [
        (1, GOOD_ANSWERS[1]),
        (2, "About 55 account managers"),
    ]
    assert versions[1].answered_at > versions[0].answered_at
    with database.session() as session:
        edit = session.exec(select(AuditEvent).where(AuditEvent.action == "answer.edited")).one()
    assert edit.before == {
        "question_id": "performer",
        "version": 1,
        "text": GOOD_ANSWERS[1],
        "skipped": False,
    }
    assert edit.after is not None and edit.after["text"] == "About 55 account managers"


def test_edit_button_on_the_summary_asks_that_question(chat: Transcript) -> None:
    chat.start().answer_all(GOOD_ANSWERS)
    request_id = chat.reference and int(chat.reference.removeprefix("TR-"))
    chat.press(TriageAction.EDIT, f"{request_id}:evidence").expect("Question 5 of 6")
    chat.send("keep").expect("Here is request")


def test_edit_with_a_number_out_of_range_is_explained(chat: Transcript) -> None:
    chat.start().send("edit 9").expect("There are no answers yet", "Question 1 of 6")
    chat.expect_not("start with question 1")
    chat.send(GOOD_ANSWERS[0]).send("edit 9").expect("There is no question 9", "1 to 6")


def test_required_questions_cannot_be_skipped_but_optional_ones_can(
    chat: Transcript, database: Database
) -> None:
    chat.start().send("skip").expect("can't be skipped", "What task is failing?")
    assert answers_in_db(database, "failing_task") == []
    chat.answer_all(GOOD_ANSWERS[:5]).send("skip").expect("Here is request", "(skipped)")
    assert [a.skipped for a in answers_in_db(database, "source_material")] == [True]


def test_empty_and_whitespace_answers_are_asked_again_and_not_stored(
    chat: Transcript, database: Database
) -> None:
    chat.start()
    for blank in ["", "   ", "\t \n "]:
        chat.send(blank).expect("I didn't catch an answer", "Question 1 of 6")
    assert answers_in_db(database, "failing_task") == []


def test_a_named_asset_gets_one_gentle_follow_up_and_is_kept_as_a_note(
    chat: Transcript, database: Database
) -> None:
    chat.start().send("A 20-minute video").expect(
        "format (video)", "kept it as a note", "Question 1 of 6"
    )
    assert answers_in_db(database, "failing_task") == []
    assert [a.text for a in answers_in_db(database, ASSET_NOTE_ID)] == ["A 20-minute video"]
    chat.send("an e-learning module").expect("Question 2 of 6")  # only one follow-up
    assert [a.text for a in answers_in_db(database, "failing_task")] == ["an e-learning module"]
    chat.answer_all(GOOD_ANSWERS[1:]).expect("Asset idea noted: A 20-minute video")


def test_a_behaviour_that_mentions_a_course_is_not_pushed_back(chat: Transcript) -> None:
    chat.start().send("Managers don't finish the onboarding course with new hires")
    chat.expect("Question 2 of 6").expect_not("format (")


@pytest.mark.parametrize(
    "asset_only",
    [
        "Please build a course on our brand.",
        "can u do a toolbox talk on ladders",
        "Could you do us a quick talk on lockout for the line?",
        "we'd like a lunch and learn about AI",
        "Refresher on GDPR for the team pls",
        "Our team would benefit from a workshop on negotiation",
        "something on the new tariffs for the late shift",
        "Excel course",
        "Looking for a leadership programme for our graduates",
        "the team could do with a refresher on complaints handling",
        "Conflict resolution and de-escalation training for our front line team please",
        "i wud like trainig on excel pivot tables",
        "We want our managers trained in mental health first aid",
    ],
)
def test_a_request_that_only_asks_for_an_asset_is_asked_for_the_behaviour(
    chat: Transcript, database: Database, asset_only: str
) -> None:
    chat.start().send(asset_only).expect("rather than what people do", "Question 1 of 6")
    assert [a.text for a in answers_in_db(database, ASSET_NOTE_ID)] == [asset_only]
    assert answers_in_db(database, "failing_task") == []


@pytest.mark.parametrize(
    "problem",
    [
        "The course's approvals are stuck with legal for months",
        "Engineers fit the telemetry module wrongly on the new boards",
        "Approval for outside trainers takes months",
        "Nobody owns the approvals for the compliance course",
        "Sessions time out on the ward tablets",
        "HR would like to know if the listening workshop made any difference",
        "The board wants training completion figures by region",
        "Our director wants proof the phone script training cut repeat calls",
        "Compliance course content unapproved for 5 months",
        "The first aid course is booked up until March",
        "Product training happens after the launch so reps go in blind",
    ],
)
def test_an_asset_word_inside_a_problem_is_not_pushed_back_nor_noted(
    chat: Transcript, database: Database, problem: str
) -> None:
    chat.start().send(problem).expect("Question 2 of 6").expect_not("rather than what people do")
    assert [a.text for a in answers_in_db(database, "failing_task")] == [problem]
    assert answers_in_db(database, ASSET_NOTE_ID) == []


def test_an_asset_asked_for_with_the_behaviour_goes_on_with_the_idea_noted(
    chat: Transcript, database: Database
) -> None:
    first = "We need a video because drivers keep skipping the pre-trip check"
    chat.start().send(first).expect("Question 2 of 6").expect_not("rather than what people do")
    assert [a.text for a in answers_in_db(database, "failing_task")] == [first]
    assert [a.text for a in answers_in_db(database, ASSET_NOTE_ID)] == [first]
    chat.answer_all(GOOD_ANSWERS[1:]).expect(f"Asset idea noted: {first}")


def test_naming_an_asset_under_existing_support_is_fine(chat: Transcript) -> None:
    chat.start().answer_all(GOOD_ANSWERS[:3]).send("A video")
    chat.expect("Question 5 of 6").expect_not("format (")


def test_a_command_word_in_another_case_is_the_command_and_quoted_it_is_an_answer(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("BACK").expect("Question 1 of 6")
    chat.send("keep").send('"back"').expect("Question 3 of 6")
    assert [a.text for a in answers_in_db(database, "performer")] == ["back"]


def test_unknown_commands_are_explained_and_nothing_is_stored(
    chat: Transcript, database: Database
) -> None:
    chat.start().send("/frobnicate").expect("I don't know the command /frobnicate", "help")
    assert answers_in_db(database, "failing_task") == []


def test_help_lists_the_commands_and_repeats_the_question(chat: Transcript) -> None:
    chat.start().send("help").expect("back", "skip", "edit N", "cancel", "Question 1 of 6")


def test_unusual_text_is_stored_verbatim(chat: Transcript, database: Database) -> None:
    huge = "The renewal quote is wrong. " * 715 + "end"
    assert len(huge) > 20_000
    emoji = "🔥🔥🔥 📉"
    rtl = "الموظفون لا يسجلون الطلبات في النظام"
    control = "Tabs\tand\r\nline breaks, a C1 \x9b31m escape"
    mention = "<!channel> <@U123> *bold* _it_"
    chat.start().answer_all([huge, emoji, rtl, control, mention])
    stored = {
        q: answers_in_db(database, q)[-1].text
        for q in ["failing_task", "performer", "failure_point", "existing_support", "evidence"]
    }
    assert stored == {
        "failing_task": huge,
        "performer": emoji,
        "failure_point": rtl,
        "existing_support": control,
        "evidence": mention,
    }
    chat.send("skip").expect("characters in all, stored in full", "🔥🔥🔥", rtl, mention)
    chat.expect("\\x9b31m").expect_not("\x9b")  # escapes are shown, not obeyed


def test_cancel_keeps_the_answers_and_the_next_message_starts_a_new_request(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("cancel").expect("Cancelled request TR-0001")
    assert only_request(database).status == "cancelled"
    assert len(answers_in_db(database, "failing_task")) == 1
    chat.send("hello").expect("Question 1 of 6").expect_not("TR-0002")
    chat.send(GOOD_ANSWERS[0]).expect("Question 2 of 6")
    assert chat.reference == "TR-0002"


def test_restart_asks_first_and_only_yes_cancels_the_draft(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("restart")
    chat.expect("Start over?", "cancels request TR-0001", "Type yes").expect_not("is cancelled")
    assert only_request(database).status == "drafting"
    chat.send("What?").expect("Carrying on with request TR-0001", "Question 2 of 6")
    assert answers_in_db(database, "performer") == []  # anything else is not an answer
    chat.send("restart").button("No, carry on").expect("Carrying on", "Question 2 of 6")
    chat.send("restart").send("cancel").expect("Carrying on")  # no: the request is not cancelled
    assert only_request(database).status == "drafting"
    chat.send("new").send("yes").expect("TR-0001 is cancelled", "Question 1 of 6")
    assert only_request(database).status == "cancelled"


def test_the_restart_button_answers_the_question_it_was_asked_with(chat: Transcript) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("restart")
    old = next(b for m in chat.replies for b in m.buttons if b.label == "Yes, start over")
    chat.send("no").send("restart").button("Yes, start over").expect("TR-0001 is cancelled")
    chat.send(GOOD_ANSWERS[0]).send("restart")
    chat.press(old.action_id, old.value).expect("belongs to an earlier step")
    assert chat.reference == "TR-0002"


def test_resuming_after_closing_offers_to_continue_at_the_right_question(
    database: Database, engine: Engine, app_config: object, ana: PersonRef, clock: FakeClock
) -> None:
    first = Transcript(engine, ana).start().answer_all(GOOD_ANSWERS[:2])
    assert first.reference == "TR-0001"
    later = Engine(database=database, config=engine.config, clock=clock)  # a new process
    again = Transcript(later, ana).start()
    again.expect("Welcome back, Ana", "question 3 of 6", "TR-0001", "Where does it fail?")
    again.button("Continue").expect("Question 3 of 6")
    again.send(GOOD_ANSWERS[2]).expect("Question 4 of 6")


def test_resume_at_the_summary_and_submit(chat: Transcript, engine: Engine, ana: PersonRef) -> None:
    chat.start().answer_all(GOOD_ANSWERS)
    again = Transcript(engine, ana).start().expect("complete but not submitted")
    again.send("yes").expect("Here is request TR-0001").send("submit").expect("Submitted")


def test_start_new_from_the_resume_prompt(chat: Transcript, database: Database) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    chat.start().button("Start a new request").expect("TR-0001 is cancelled", "Question 1 of 6")
    chat.send(GOOD_ANSWERS[0])
    assert chat.reference == "TR-0002"


def test_typing_an_answer_at_the_resume_prompt_files_it(chat: Transcript) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    chat.start().expect("Continue?").send(GOOD_ANSWERS[1]).expect("Question 3 of 6")


def test_an_opening_message_answers_question_1_and_is_the_title(
    chat: Transcript, database: Database
) -> None:
    chat.send("We need a course on the new CRM").expect("Hi Ana", "Starting request TR-0001")
    chat.expect("as the answer to question 1", "format (course)", "Question 1 of 6")
    assert only_request(database).title == "We need a course on the new CRM"
    assert [a.text for a in answers_in_db(database, ASSET_NOTE_ID)] == [
        "We need a course on the new CRM"
    ]


def test_status_describes_where_you_are(chat: Transcript) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("submit")
    chat.send("status").expect("no request in progress", "TR-0001 · submitted")


def test_stale_and_unknown_buttons_change_nothing(chat: Transcript, database: Database) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    chat.press("triage-request-explode", "1").expect("isn't one I recognise")
    chat.press(TriageAction.SUBMIT, "1").expect("belongs to an earlier step")
    chat.press(TriageAction.SKIP, "999:source_material").expect("belongs to an earlier step")
    chat.press(TriageAction.SKIP, "1:failing_task").expect("belongs to an earlier step")
    assert only_request(database).status == "drafting"
    assert answers_in_db(database, "source_material") == []


def test_a_reply_to_a_question_another_window_moved_past_is_kept_but_not_filed(
    engine: Engine, ana: PersonRef, database: Database
) -> None:
    first = Transcript(engine, ana).start().send(GOOD_ANSWERS[0], as_shown=True)
    second = Transcript(engine, ana).start().expect("Continue?", "question 2 of 6")
    first.send(GOOD_ANSWERS[1], as_shown=True).expect("Question 3 of 6")
    second.send("My answer to question 2", as_shown=True)
    second.expect("moved on in another window", "Question 3 of 6")
    assert [a.text for a in answers_in_db(database, "performer")] == [GOOD_ANSWERS[1]]
    assert answers_in_db(database, "failure_point") == []
    with database.session() as session:
        kept = session.exec(
            select(AuditEvent).where(AuditEvent.action == "answer.not_filed_stale")
        ).one()
    assert kept.after == {"text": "My answer to question 2"}
    second.send(GOOD_ANSWERS[2], as_shown=True).expect("Question 4 of 6")


def test_each_platform_has_its_own_conversation(engine: Engine, database: Database) -> None:
    terminal = Transcript(engine, PersonRef(platform="terminal", user_id="ana"))
    slack = Transcript(engine, PersonRef(platform="slack", user_id="U1", workspace_id="T1"))
    terminal.start().send(GOOD_ANSWERS[0])
    slack.start().expect("Question 1 of 6").send(GOOD_ANSWERS[0])
    assert slack.reference == "TR-0002"
    with database.session() as session:
        assert len(session.exec(select(Conversation)).all()) == 2


def test_a_redelivered_event_changes_nothing_and_says_nothing(
    engine: Engine, ana: PersonRef, database: Database
) -> None:
    Transcript(engine, ana).start()
    first = engine.handle(Inbound.say(ana, GOOD_ANSWERS[0], event_id="Ev1"))
    again = engine.handle(Inbound.say(ana, GOOD_ANSWERS[0], event_id="Ev1"))
    assert not first.duplicate and first.messages
    assert again.duplicate and again.messages == []
    assert len(answers_in_db(database, "failing_task")) == 1
    assert not engine.handle(Inbound.say(ana, GOOD_ANSWERS[1], event_id="Ev2")).duplicate


def test_opening_the_chat_and_leaving_creates_no_request(
    chat: Transcript, database: Database
) -> None:
    chat.start().send("status").expect("no request in progress")
    with database.session() as session:
        assert session.exec(select(Request)).all() == []


def test_after_submitting_small_talk_and_commands_do_not_open_a_request(
    chat: Transcript, database: Database
) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
    chat.send("thanks!").expect("You're welcome")
    chat.send("submit").expect("no request in progress")
    chat.send("edit 2").expect("no request in progress")
    assert only_request(database).status == "submitted"
    chat.send("new").expect("Question 1 of 6")


def test_an_old_start_a_new_request_button_does_not_cancel_the_live_draft(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    old_prompt = chat.start()
    restart = next(
        b for m in old_prompt.replies for b in m.buttons if b.label == "Start a new request"
    )
    chat.button("Continue").send(GOOD_ANSWERS[1]).expect("Question 3 of 6")
    chat.press(restart.action_id, restart.value).expect("belongs to an earlier step")
    assert only_request(database).status == "drafting"


def test_the_summary_submit_button_still_works_after_a_resume_prompt(
    chat: Transcript, database: Database
) -> None:
    chat.start().answer_all(GOOD_ANSWERS)
    submit = next(b for m in chat.replies for b in m.buttons if b.label == "Submit")
    chat.start().expect("complete but not submitted")
    chat.press(submit.action_id, submit.value).expect("Submitted")
    assert only_request(database).status == "submitted"


def test_no_at_the_resume_prompt_is_not_taken_as_an_answer(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    chat.start().send("no").expect("Type continue", "or new")
    assert answers_in_db(database, "performer") == []


def test_a_path_with_slashes_is_an_answer_not_a_command(
    chat: Transcript, database: Database
) -> None:
    chat.start().answer_all(GOOD_ANSWERS[:2]).send("/checkout/payment").expect("Question 4 of 6")
    assert [a.text for a in answers_in_db(database, "failure_point")] == ["/checkout/payment"]


def test_edit_without_a_number_asks_which_and_a_huge_number_is_explained(
    chat: Transcript,
) -> None:
    chat.start().send(GOOD_ANSWERS[0])
    chat.send("edit").expect("Which answer?")
    chat.send("edit 1000").expect("There is no question 1000")


def test_ok_at_the_summary_does_not_submit(chat: Transcript, database: Database) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("ok").expect("Type submit")
    assert only_request(database).status == "drafting"


def test_nul_is_dropped_and_undecodable_bytes_become_a_replacement_character(
    chat: Transcript, database: Database
) -> None:
    chat.start().send("before\x00after").send("bad byte \udcff here").expect("Question 3 of 6")
    assert answers_in_db(database, "failing_task")[0].text == "beforeafter"
    assert answers_in_db(database, "performer")[0].text == "bad byte \ufffd here"


def test_an_overlong_name_is_shortened_not_refused(engine: Engine, database: Database) -> None:
    person = PersonRef(platform="terminal", user_id="x" * 500, display_name="N" * 500)
    Transcript(engine, person).start().expect("Question 1 of 6").send(GOOD_ANSWERS[0])
    assert len(answers_in_db(database, "failing_task")) == 1


# -- a command one letter off ------------------------------------------------------------------


def test_a_typo_of_a_command_is_confirmed_before_anything_is_stored(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("helpp")
    chat.expect("Did you mean help?", 'no to send "helpp" as you typed it')
    assert answers_in_db(database, "performer") == []
    chat.send("yes").expect("Here is what I understand", "Question 2 of 6")
    chat.send(GOOD_ANSWERS[1]).send("stauts").expect("Did you mean status?")
    chat.send("no").expect("Question 4 of 6")
    assert [a.text for a in answers_in_db(database, "failure_point")] == ["stauts"]
    chat.send("sumary").expect("Did you mean summary?").button("Yes")
    chat.expect("answers to request TR-0001 so far", GOOD_ANSWERS[1], "stauts", "Question 4 of 6")
    chat.send("restrat").expect("Did you mean restart?").send("yes").expect("Start over?")
    chat.send("no").expect("Carrying on", "Question 4 of 6")
    assert only_request(database).status == "drafting"


def test_saying_no_to_did_you_mean_stores_the_word_as_typed(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(" Stauts ").expect("Did you mean status?").button("No")
    chat.expect("Question 2 of 6")
    assert [a.text for a in answers_in_db(database, "failing_task")] == [" Stauts "]


def test_another_reply_to_did_you_mean_is_taken_as_a_new_message(
    chat: Transcript, database: Database
) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("skp").expect("Did you mean skip?")
    chat.send(GOOD_ANSWERS[1]).expect("Question 3 of 6")
    assert [a.text for a in answers_in_db(database, "performer")] == [GOOD_ANSWERS[1]]
    chat.send("status").expect("You're on question 3")  # the real command runs at once


def test_an_old_did_you_mean_button_changes_nothing(chat: Transcript, database: Database) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send("stauts")
    yes = next(b for m in chat.replies for b in m.buttons if b.label == "Yes")
    chat.send(GOOD_ANSWERS[1]).expect("Question 3 of 6")
    chat.press(yes.action_id, yes.value).expect("belongs to an earlier step")
    chat.send("stauts").expect("Did you mean status?")  # asked again: the old button is not it
    chat.press(yes.action_id, yes.value).expect("belongs to an earlier step")
    assert [a.text for a in answers_in_db(database, "failure_point")] == []


@pytest.mark.parametrize(
    "word",
    ["Sales", "nurses", "none", "n/a", "42", "2019", "Bank", "deep", "exit", "stats", "Writing"],
)
def test_real_one_word_answers_are_stored_without_a_question(
    chat: Transcript, database: Database, word: str
) -> None:
    chat.start().send(GOOD_ANSWERS[0]).send(word).expect("Question 3 of 6")
    chat.expect_not("Did you mean")
    assert [a.text for a in answers_in_db(database, "performer")] == [word]


# -- after a submit ----------------------------------------------------------------------------


def test_after_a_submit_the_next_message_answers_question_1_of_a_new_request(
    chat: Transcript, database: Database
) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Say anything to start another")
    chat.send("Drivers skip the pre-trip check").expect(
        "Starting request TR-0002", "as the answer to question 1 (What task is failing?)"
    )
    chat.expect("Question 2 of 6").expect_not("Hi Ana", "Question 1 of 6")
    assert [a.text for a in answers_in_db(database, "failing_task")] == [
        GOOD_ANSWERS[0],
        "Drivers skip the pre-trip check",
    ]


def test_after_a_submit_an_asset_only_message_still_gets_the_asset_check(
    chat: Transcript, database: Database
) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("submit")
    chat.send("Please build a course on our brand.").expect(
        "Starting request TR-0002", "rather than what people do", "Question 1 of 6"
    )
    assert [a.text for a in answers_in_db(database, ASSET_NOTE_ID)] == [
        "Please build a course on our brand."
    ]
    assert len(answers_in_db(database, "failing_task")) == 1  # only TR-0001's


def test_after_a_submit_a_greeting_just_asks_question_1(
    chat: Transcript, database: Database
) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("submit")
    chat.send("yes").expect("Question 1 of 6", "What task is failing?")
    chat.send("hello").expect("Question 1 of 6").expect_not("Starting request")
    with database.session() as session:
        assert len(session.exec(select(Request)).all()) == 1
    chat.send(GOOD_ANSWERS[0]).expect("Question 2 of 6")
    assert chat.reference == "TR-0002"


# -- the rest of the conversation's small things -----------------------------------------------


def test_the_optional_question_says_optional_once(chat: Transcript) -> None:
    chat.start().answer_all(GOOD_ANSWERS[:5]).expect("Question 6 of 6")
    assert chat.text.casefold().count("optional") == 1, chat.text


def test_control_characters_typed_by_accident_are_not_stored(
    chat: Transcript, database: Database
) -> None:
    chat.start().send("Reps skip\x0c the CRM\x1b check 🔥 <!channel>\tnow\x07")
    chat.expect("Question 2 of 6")
    stored = answers_in_db(database, "failing_task")[0].text
    assert stored == "Reps skip the CRM check 🔥 <!channel>\tnow"


# -- hearing the decision ----------------------------------------------------------------------

OLU = PersonRef(platform="terminal", user_id="olu", display_name="Olu")
LEAD = PersonRef(platform="terminal", user_id="lnd-lead", display_name="Lee")


def decide_first_request(engine: Engine, clock: FakeClock) -> None:
    """TR-0001 assigned to Olu by a reviewer, then decided by Olu a day later."""
    review = engine.config.review.model_copy(update={"terminal_reviewers": ("lnd-lead",)})
    config = engine.config.model_copy(update={"review": review})
    desk = DecisionDesk(database=engine.database, config=config, clock=clock)
    assigned = desk.assign(
        request_id=1,
        owner=OLU,
        due=date(2026, 12, 4),
        next_decision="Fix the sync or train reps?",
        review_type="risk",
        by=LEAD,
    )
    assert assigned.ok, assigned.message
    clock.advance(days=1)
    assert desk.record(decision_id=1, outcome="fix_workflow", note="IT patches it", by=OLU).ok


def test_a_terminal_requester_hears_the_decision_at_their_next_chat_once(
    chat: Transcript, engine: Engine, clock: FakeClock
) -> None:
    chat.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
    decide_first_request(engine, clock)
    chat.start().expect(
        "The decision on your request TR-0001 (Fix the sync or train reps?) is made: "
        "Fix the workflow, decided by Olu on 2026-11-24.",
        "Note: IT patches it",
        "Next: on 2027-03-31 Olu checks whether the evidence you named has moved.",
        "What task is failing?",
    )
    chat.start().expect("What task is failing?").expect_not("decision on your request")


def test_a_slack_requester_is_told_by_the_sweep_not_again_in_chat(
    engine: Engine, clock: FakeClock, database: Database
) -> None:
    slack = Transcript(engine, PersonRef(platform="slack", user_id="U1", workspace_id="T1"))
    slack.start().answer_all(GOOD_ANSWERS).send("submit").expect("Submitted")
    decide_first_request(engine, clock)
    with database.session() as session:
        kinds = [r.kind for r in session.exec(select(Reminder)).all()]
    assert "outcome" in kinds  # the notice the sweep sends in Slack
    slack.start().expect("What task is failing?").expect_not("decision on your request")
