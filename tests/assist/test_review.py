"""Drafts for submitted requests and the human gate, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.assist.cards import AI_LABEL, label
from bot.assist.llm import LlmClassifier
from bot.assist.service import Assistant
from bot.config import AppConfig, Settings
from bot.conversation.engine import Engine
from bot.messages import PersonRef
from bot.storage.database import Database
from bot.storage.models import AuditEvent, Draft, DraftStatus, Request
from tests.support.clock import FakeClock
from tests.support.fake_openai import FakeOpenAI
from tests.support.transcript import Transcript

LEAD = PersonRef(platform="terminal", user_id="lnd-lead", display_name="Lead")
OUTSIDER = PersonRef(platform="terminal", user_id="bob", display_name="Bob")
BROKEN_TOOL = [
    "We need a course on the new CRM because reps keep losing their notes",
    "60 field sales reps",
    "Notes typed on the mobile app don't sync to the desktop CRM and are lost",
    "Two e-learning modules, 95% completion",
    "No more lost-note tickets",
    "skip",
]


@pytest.fixture
def reviewing_config(app_config: AppConfig) -> AppConfig:
    review = app_config.review.model_copy(update={"terminal_reviewers": ("lnd-lead", "kim")})
    return app_config.model_copy(update={"review": review})


@pytest.fixture
def assistant(database: Database, reviewing_config: AppConfig, clock: FakeClock) -> Assistant:
    return Assistant(database=database, config=reviewing_config, clock=clock)


def submitted(engine: Engine) -> int:
    chat = Transcript(engine, PersonRef(platform="terminal", user_id="ana", display_name="Ana"))
    chat.start().answer_all(BROKEN_TOOL).send("submit").expect("Submitted")
    return 1


def drafts(database: Database) -> list[Draft]:
    with database.session() as session:
        return list(session.exec(select(Draft).order_by(Draft.id)).all())


def test_a_submitted_request_gets_a_classification_and_reviewer_questions(
    engine: Engine, assistant: Assistant, database: Database
) -> None:
    request_id = submitted(engine)
    created = assistant.draft_for(request_id)
    assert created == ["classification", "reviewer_questions"]
    classification, questions = drafts(database)
    assert classification.content["category"] == "platform_governance"
    assert classification.content["training_fit"] is False
    assert label(classification) == "rule-based"
    assert set(questions.content) == {
        "sme_facts",
        "workflow_judgment",
        "preferences",
        "risk",
        "approval",
    }
    with database.session() as session:
        assert session.get(Request, request_id).status == "in_review"  # type: ignore[union-attr]
    assert assistant.draft_for(request_id) == []  # once per request


def test_several_requests_are_drafted_together_once_each(
    engine: Engine, assistant: Assistant, database: Database
) -> None:
    requests = []
    for name in ("ana", "raj", "mia"):
        chat = Transcript(engine, PersonRef(platform="terminal", user_id=name, display_name=name))
        chat.start().answer_all(BROKEN_TOOL).send("submit").expect("Submitted")
        requests.append(len(requests) + 1)
    assert assistant.draft_for(requests[1])
    assert assistant.draft_many([*requests, 99]) == [requests[0], requests[2]]
    assert sorted(d.request_id for d in drafts(database)) == [1, 1, 2, 2, 3, 3]
    with database.session() as session:
        statuses = {r.id: r.status for r in session.exec(select(Request)).all()}
        created = session.exec(select(AuditEvent).where(AuditEvent.action == "draft.created"))
        assert len(created.all()) == 6
    assert statuses == {1: "in_review", 2: "in_review", 3: "in_review"}


def test_only_reviewers_decide_and_refusals_are_audited(
    engine: Engine, assistant: Assistant, database: Database
) -> None:
    assistant.draft_for(submitted(engine))
    refused = assistant.decide(draft_id=1, reviewer=OUTSIDER, verdict=DraftStatus.APPROVED)
    assert not refused.ok and "Only L&D reviewers" in refused.message
    assert drafts(database)[0].status == "pending"
    with database.session() as session:
        audit = session.exec(
            select(AuditEvent).where(AuditEvent.action == "draft.decision_refused")
        ).one()
    assert audit.after == {"draft_id": 1, "verdict": "approved"}


def test_a_rejection_needs_a_reason_and_an_edit_a_known_category(
    engine: Engine, assistant: Assistant, database: Database
) -> None:
    assistant.draft_for(submitted(engine))
    assert not assistant.decide(draft_id=1, reviewer=LEAD, verdict=DraftStatus.REJECTED).ok
    bad = assistant.decide(
        draft_id=1, reviewer=LEAD, verdict=DraftStatus.EDITED, edited={"category": "astrology"}
    )
    assert not bad.ok and "astrology" in bad.message
    good = assistant.decide(
        draft_id=1,
        reviewer=LEAD,
        verdict=DraftStatus.EDITED,
        edited={"category": "workflow_process", "training_fit": False},
    )
    assert good.ok
    draft = drafts(database)[0]
    assert draft.status == "edited"
    assert draft.content["category"] == "platform_governance"  # the original is kept
    assert draft.final_content == {"category": "workflow_process", "training_fit": False}
    with database.session() as session:
        assert session.get(Request, 1).category == "workflow_process"  # type: ignore[union-attr]


def test_two_reviewers_at_once_make_exactly_one_decision(
    engine: Engine, assistant: Assistant, database: Database
) -> None:
    assistant.draft_for(submitted(engine))
    kim = PersonRef(platform="terminal", user_id="kim", display_name="Kim")
    results = []
    barrier = threading.Barrier(2)

    def decide(reviewer: PersonRef, verdict: DraftStatus) -> None:
        barrier.wait()
        results.append(
            assistant.decide(
                draft_id=1, reviewer=reviewer, verdict=verdict, reason="not a tooling issue"
            )
        )

    threads = [
        threading.Thread(target=decide, args=(LEAD, DraftStatus.APPROVED)),
        threading.Thread(target=decide, args=(kim, DraftStatus.REJECTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.ok for r in results) == [False, True]
    loser = next(r for r in results if not r.ok)
    assert "already" in loser.message
    with database.session() as session:
        decisions = session.exec(
            select(AuditEvent).where(AuditEvent.action.in_(["draft.approved", "draft.rejected"]))
        ).all()  # type: ignore[attr-defined]
    assert len(decisions) == 1


@pytest.fixture
def stub() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    yield fake
    fake.stop()


def test_a_model_draft_is_labelled_and_costs_are_kept(
    engine: Engine,
    database: Database,
    reviewing_config: AppConfig,
    stub: FakeOpenAI,
    clock: FakeClock,
) -> None:
    settings = Settings(openai_base_url=stub.url, openai_api_key="sk-test", openai_model="stub")
    llm = LlmClassifier.from_settings(settings, reviewing_config)
    assistant = Assistant(database=database, config=reviewing_config, llm=llm, clock=clock)
    assistant.draft_for(submitted(engine))
    classification, questions = drafts(database)
    assert classification.source == "llm" and label(classification) == AI_LABEL
    assert classification.model == "stub" and classification.prompt_version == "classify-3"
    assert (classification.prompt_tokens, classification.completion_tokens) == (321, 42)
    assert questions.source == "llm" and questions.prompt_version == "reviewer-questions-2"
    assert questions.content["risk"] == ["Which customer notes were lost already?"]
    assert "platform_governance" in stub.prompts()[-1]  # the questions know the category


def test_reviewer_questions_fall_back_to_templates_when_the_model_fails(
    engine: Engine,
    database: Database,
    reviewing_config: AppConfig,
    stub: FakeOpenAI,
    clock: FakeClock,
) -> None:
    from tests.support.fake_openai import Behaviour

    settings = Settings(openai_base_url=stub.url, openai_api_key="sk-test", openai_model="stub")
    llm = LlmClassifier.from_settings(settings, reviewing_config)
    assistant = Assistant(database=database, config=reviewing_config, llm=llm, clock=clock)
    stub.then(Behaviour(), Behaviour("garbage"), Behaviour("garbage"))
    assistant.draft_for(submitted(engine))
    classification, questions = drafts(database)
    assert classification.source == "llm"
    assert questions.source == "rules" and "not JSON" in (questions.note or "")
    assert questions.content["approval"]


def test_a_terminal_requester_hears_about_the_review_once_at_the_next_chat(
    engine: Engine, assistant: Assistant, database: Database
) -> None:
    ana = PersonRef(platform="terminal", user_id="ana", display_name="Ana")
    assistant.draft_for(submitted(engine))
    assistant.decide(draft_id=1, reviewer=LEAD, verdict=DraftStatus.APPROVED)
    Transcript(engine, ana).start().expect_not("has been reviewed")  # one draft still pending
    assistant.decide(draft_id=2, reviewer=LEAD, verdict=DraftStatus.APPROVED)
    Transcript(engine, ana).start().expect("Your request TR-0001 has been reviewed by L&D")
    Transcript(engine, ana).start().expect_not("has been reviewed")
