"""Is training the answer? The shipped classifier and the rules on fixed requests, and the
labelled set they are judged on."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.assist.classifier import classify
from bot.assist.model import shipped_model
from bot.assist.rules import classify_by_rules
from bot.assist.signals import detect
from bot.config import AppConfig

DATA = Path(__file__).parents[1] / "data"
LABELLED: list[dict[str, Any]] = yaml.safe_load(
    (DATA / "labelled_requests.yaml").read_text(encoding="utf-8")
)["cases"]
SECOND_DEV: list[dict[str, Any]] = yaml.safe_load(
    (DATA / "labelled_requests_dev2.yaml").read_text(encoding="utf-8")
)["cases"]

SKILL_GAP = {
    "failing_task": "Nurses on 4B set up infusions wrongly on the pumps we switched to last week",
    "performer": "About 30 nurses, most of them newly qualified",
    "failure_point": "Programming a secondary infusion: they have never used this model",
    "existing_support": "Nothing yet, the supplier demo was cancelled",
    "evidence": "No programming errors on the pump log by March",
}
STALE_DOCUMENT = {
    "failing_task": "We need a refresher course: agents quote the wrong refund limits",
    "performer": "40 support agents who have done this for years",
    "failure_point": "The refund SOP on the wiki contradicts the policy PDF, so each site "
    "follows a different one",
    "existing_support": "Everyone completed the refunds module last quarter, 97% completion",
    "evidence": "One refund rule applied everywhere, audited monthly",
}
BROKEN_TOOL = {
    "failing_task": "We need a course on the new CRM because reps keep losing their notes",
    "performer": "60 field sales reps",
    "failure_point": "Notes typed on the mobile app don't sync to the desktop CRM and are lost",
    "existing_support": "Two e-learning modules, 95% completion",
    "evidence": "No more lost-note tickets in the help desk queue",
}


def categories(app_config: AppConfig) -> tuple[str, ...]:
    return tuple(c.id for c in app_config.categories)


def test_a_skill_gap_is_a_training_fit_and_says_which_test_it_rests_on(
    app_config: AppConfig,
) -> None:
    result = classify(SKILL_GAP, categories(app_config))
    assert result.category == "training_need" and result.training_fit is True
    assert "skill gap training can close" in result.test
    assert result.evidence, "the card shows what the verdict rests on"


def test_a_stale_document_behind_a_course_request_is_not_training(app_config: AppConfig) -> None:
    result = classify(STALE_DOCUMENT, categories(app_config))
    assert result.category == "documentation"
    assert result.training_fit is False
    # The decisive test against training comes first: they completed it and still fail.
    assert "Training exists and people completed it" in result.test
    assert any("training already exists" in reason for reason in result.reasons)


def test_a_course_request_about_a_broken_tool_is_a_platform_problem(app_config: AppConfig) -> None:
    result = classify(BROKEN_TOOL, categories(app_config))
    assert result.category == "platform_governance"
    assert result.training_fit is False


def test_completed_training_turns_a_skill_gap_away_from_training(app_config: AppConfig) -> None:
    done = {
        **SKILL_GAP,
        "failing_task": "Nurses on 4B set up secondary infusions wrongly on the pumps",
        "performer": "About 30 nurses who have worked with these pumps for years",
        "failure_point": "Programming a secondary infusion since the upgrade in March",
        "existing_support": "All of them completed the pump e-learning and passed, 100%",
    }
    assert classify(SKILL_GAP, categories(app_config)).training_fit is True
    assert classify(done, categories(app_config)).training_fit is False


def test_newcomers_failing_where_others_manage_with_the_same_tools_is_a_skill_gap(
    app_config: AppConfig,
) -> None:
    answers = {
        "failing_task": "Cash-up variances at close on most evenings",
        "performer": "The 9 christmas temps on the tills",
        "failure_point": "Counting the float and the pickup: the ones who have been here a year "
        "get it right on the same tills",
        "existing_support": "The induction doesn't cover cash-up, they watch someone once",
        "evidence": "Variances under 5 pounds a till by January",
    }
    heard = {hit.signal.name for hit in detect(answers)}
    assert {"others_manage", "new_to_it", "no_training"} <= heard
    assert "did_it_before" not in heard  # "the ones who have been here a year" are others
    result = classify(answers, categories(app_config))
    assert result.category == "training_need" and result.training_fit is True
    assert result.test.endswith("a knowledge or skill gap training can close.")


def test_no_sign_of_a_gap_keeps_a_request_away_from_training(app_config: AppConfig) -> None:
    answers = {
        "failing_task": "We want a session on pick accuracy because errors stay high",
        "performer": "200 pickers and 7 shift managers",
        "failure_point": "The shift managers never tell pickers when their error rate is high; "
        "they only hear at the annual review",
        "existing_support": "Managers have the daily dashboard but no routine to use it",
        "evidence": "Pick errors under 1%",
    }
    heard = {hit.signal.name for hit in detect(answers)}
    assert not heard & {"new_to_it", "never_done", "rare_high_stakes", "no_training"}
    result = classify(answers, categories(app_config))
    assert result.category == "manager_support" and result.training_fit is False
    assert "Gilbert: incentives" in result.test


def test_a_tool_merely_named_is_not_a_tool_in_the_way() -> None:
    named = detect({"failure_point": "The system shows each picker's error rate daily"})
    broken = detect({"failure_point": "The system logs everyone out after five minutes"})
    assert [hit.signal.name for hit in named] == ["tool_named"]
    assert "tool_in_the_way" in [hit.signal.name for hit in broken]


def test_an_asset_with_no_behaviour_and_no_cause_is_unclear(app_config: AppConfig) -> None:
    for judge in (classify, classify_by_rules):
        result = judge(
            {"failing_task": "A course on resilience", "failure_point": "Not sure"},
            categories(app_config),
        )
        assert result.category == "unclear"
        assert result.training_fit is False
        assert "action mapping" in result.test


def test_the_rules_draft_alone_when_app_yaml_has_other_categories() -> None:
    own = ("training_need", "tooling", "unclear")  # "tooling" is no category the model knows
    result = classify(BROKEN_TOOL, own)
    assert result.category in own
    assert result == classify_by_rules(BROKEN_TOOL, own)


def test_words_inside_other_words_are_not_signals() -> None:
    heard = detect({"failing_task": "Improve the handbook", "failure_point": "Screenshots"})
    # "improve" is not "prove", "screenshots" not "screen"; "handbook" is a document.
    assert [hit.signal.name for hit in heard] == ["information_missing"]


# -- the labelled set ---------------------------------------------------------------------------


def test_the_labelled_set_is_big_and_varied_enough_to_trust(app_config: AppConfig) -> None:
    assert len(LABELLED) >= 150
    assert len({case["industry"] for case in LABELLED}) >= 10
    styles = Counter(case["style"] for case in LABELLED)
    assert {"terse", "rambling", "course-first", "typos", "first-person", "numbers", "vague"} <= (
        set(styles)
    )
    training = sum(case["category"] == "training_need" for case in LABELLED)
    assert 0.2 <= training / len(LABELLED) <= 0.3  # about a quarter are genuine training needs
    assert {case["category"] for case in LABELLED} == set(categories(app_config))
    for case in LABELLED:
        assert isinstance(case["training_fit"], bool) and isinstance(case["asset_only"], bool)
        assert case["part"] in ("dev", "test")
        assert bool(case.get("after_follow_up")) == case["asset_only"], case["id"]
    ids = [case["id"] for case in LABELLED]
    assert len(ids) == len(set(ids))


def test_both_parts_hold_every_category_and_asset_only_requests() -> None:
    for part in ("dev", "test"):
        cases = [case for case in LABELLED if case["part"] == part]
        assert len(cases) >= 100
        assert len({case["category"] for case in cases}) == 9
        assert sum(case["asset_only"] for case in cases) >= 10


def test_the_second_development_file_is_all_development_and_new_cases() -> None:
    assert {case["part"] for case in SECOND_DEV} == {"dev"}
    assert not {case["id"] for case in SECOND_DEV} & {case["id"] for case in LABELLED}
    for case in SECOND_DEV:
        assert case["training_fit"] == (case["category"] == "training_need"), case["id"]
        assert bool(case.get("after_follow_up")) == case["asset_only"], case["id"]


def test_the_shipped_model_was_trained_on_the_development_requests_only() -> None:
    model = shipped_model()
    assert model is not None
    dev = sorted(case["id"] for case in [*LABELLED, *SECOND_DEV] if case["part"] == "dev")
    assert model.trained_on == hashlib.sha256("\n".join(dev).encode()).hexdigest()[:16]


@pytest.mark.parametrize("category", ["training_need", "documentation", "platform_governance"])
def test_the_model_explains_itself_with_the_features_that_pushed_it(category: str) -> None:
    model = shipped_model()
    assert model is not None
    pushed = model.pushed_towards({"sig:never_done", "sig:information_missing", "w:sync"}, category)
    assert pushed and all(weight > 0 for _, weight in pushed)
