"""Several people's turns in one transaction (how the turn worker drains its queue on SQLite):
the same answers and replies as one by one, and one bad turn costs nobody else anything."""

from __future__ import annotations

from sqlmodel import col, select

from bot.conversation.engine import BATCH_LIMIT, Engine
from bot.messages import Inbound, PersonRef, TurnResult
from bot.storage.database import Database
from bot.storage.models import Answer, AuditEvent, ProcessedEvent
from tests.conftest import GOOD_ANSWERS


def person(n: int) -> PersonRef:
    return PersonRef(platform="slack", user_id=f"U{n}", workspace_id="T1", display_name=f"P{n}")


def stored_answers(database: Database) -> list[tuple[str, str, int]]:
    with database.session(write=False) as session:
        rows = session.exec(select(Answer).order_by(col(Answer.id))).all()
        return [(str(row.request_id), row.text, row.version) for row in rows]


def ok(result: TurnResult | Exception) -> TurnResult:
    assert isinstance(result, TurnResult), result
    return result


def test_a_batch_stores_every_answer_and_replies_as_turns_one_by_one(
    engine: Engine, database: Database
) -> None:
    people = [person(n) for n in range(3)]
    for results in (
        engine.handle_batch([Inbound.start(p) for p in people]),
        engine.handle_batch([Inbound.say(p, GOOD_ANSWERS[0]) for p in people]),
    ):
        assert len(results) == len(people)
    replies = [
        ok(r) for r in engine.handle_batch([Inbound.say(p, GOOD_ANSWERS[1]) for p in people])
    ]
    assert [r.asking for r in replies] == ["failure_point"] * 3
    assert all("Question 3 of 6" in (r.messages[-1].progress or "") for r in replies)
    assert [text for _, text, _ in stored_answers(database)] == [
        GOOD_ANSWERS[0],
        GOOD_ANSWERS[0],
        GOOD_ANSWERS[0],
        GOOD_ANSWERS[1],
        GOOD_ANSWERS[1],
        GOOD_ANSWERS[1],
    ]


def test_one_persons_turns_in_a_batch_run_in_order_and_see_each_other(
    engine: Engine, database: Database
) -> None:
    ana = person(1)
    inbounds = [Inbound.start(ana), *(Inbound.say(ana, a) for a in GOOD_ANSWERS[:3])]
    results = [ok(r) for r in engine.handle_batch(inbounds)]
    assert [r.asking for r in results] == [
        "failing_task",
        "performer",
        "failure_point",
        "existing_support",
    ]
    assert [text for _, text, _ in stored_answers(database)] == GOOD_ANSWERS[:3]


def test_a_redelivery_inside_a_batch_is_dropped(engine: Engine, database: Database) -> None:
    first = Inbound.say(person(1), "hi", event_id="Ev1")
    results = engine.handle_batch([first, Inbound.say(person(2), "hi", event_id="Ev1")])
    assert ok(results[0]).duplicate is False
    assert ok(results[1]).duplicate is True
    with database.session(write=False) as session:
        assert len(session.exec(select(ProcessedEvent)).all()) == 1


def test_a_turn_that_fails_costs_only_its_own_answer(engine: Engine, database: Database) -> None:
    people = [person(n) for n in range(3)]
    engine.handle_batch([Inbound.start(p) for p in people])
    unstorable = {"reply_to": object()}  # no JSON for this: the batch's commit fails
    results = engine.handle_batch(
        [
            Inbound.say(people[0], GOOD_ANSWERS[0]),
            Inbound.say(people[1], GOOD_ANSWERS[0], conversation_ref=unstorable),
            Inbound.say(people[2], GOOD_ANSWERS[0]),
        ]
    )
    assert ok(results[0]).asking == ok(results[2]).asking == "performer"
    assert isinstance(results[1], Exception)
    assert len(stored_answers(database)) == 2
    retried = ok(engine.handle(Inbound.say(people[1], GOOD_ANSWERS[0])))
    assert retried.asking == "performer"
    with database.session(write=False) as session:
        created = session.exec(
            select(AuditEvent).where(AuditEvent.action == "request.created")
        ).all()
    assert len(created) == 3


def test_a_long_queue_is_split_at_the_batch_limit(engine: Engine, database: Database) -> None:
    people = [person(n) for n in range(BATCH_LIMIT + 5)]
    engine.handle_batch([Inbound.start(p) for p in people])
    results = engine.handle_batch([Inbound.say(p, GOOD_ANSWERS[0]) for p in people])
    assert len(results) == len(people)
    assert {ok(r).asking for r in results} == {"performer"}
    assert len(stored_answers(database)) == len(people)


def test_each_persons_summary_in_a_batch_shows_their_own_answers(engine: Engine) -> None:
    people = [person(n) for n in range(3)]
    engine.handle_batch([Inbound.start(p) for p in people])
    for answer in GOOD_ANSWERS[:-1]:
        engine.handle_batch([Inbound.say(p, f"{answer} ({p.user_id})") for p in people])
    last = engine.handle_batch(
        [Inbound.say(p, f"{GOOD_ANSWERS[-1]} ({p.user_id})") for p in people]
    )
    for who, result in zip(people, last, strict=True):
        summary = ok(result).messages[-1].summary
        assert summary is not None
        assert [item.answer for item in summary.items] == [
            f"{answer} ({who.user_id})" for answer in GOOD_ANSWERS
        ]


def test_a_hook_that_fails_after_the_commit_leaves_every_turn_answered(
    engine: Engine, database: Database
) -> None:
    def broken_drafting(request_id: int) -> None:
        raise RuntimeError("drafting pool shut down")

    people = [person(n) for n in range(2)]
    engine.handle_batch([Inbound.start(p) for p in people])
    for answer in GOOD_ANSWERS:
        engine.handle_batch([Inbound.say(p, answer) for p in people])
    engine.after_submit = broken_drafting
    results = engine.handle_batch([Inbound.say(p, "submit") for p in people])
    assert [ok(r).submitted_request_id for r in results] == [1, 2]


def test_a_malformed_turn_in_a_batch_fails_alone(engine: Engine) -> None:
    nameless = PersonRef(platform="slack", user_id=None)  # type: ignore[arg-type]
    results = engine.handle_batch([Inbound.start(person(1)), Inbound.start(nameless)])
    assert ok(results[0]).asking == "failing_task"
    assert isinstance(results[1], Exception)
