"""The rule-based classifier on the labelled requests, and the field's tests it encodes."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.assist.rules import classify
from bot.config import AppConfig

CASES = yaml.safe_load((Path(__file__).parents[1] / "data/triage_cases.yaml").read_text())["cases"]


def categories(app_config: AppConfig) -> tuple[str, ...]:
    return tuple(c.id for c in app_config.categories)


def test_the_labelled_set_covers_every_category_with_thirty_or_more_cases(
    app_config: AppConfig,
) -> None:
    assert len(CASES) >= 30
    assert {case["expected"] for case in CASES} == set(categories(app_config))


def test_the_rules_sort_at_least_seventy_percent_of_the_labelled_requests(
    app_config: AppConfig,
) -> None:
    correct = sum(
        classify(case["answers"], categories(app_config)).category == case["expected"]
        for case in CASES
    )
    assert correct / len(CASES) >= 0.70, f"{correct}/{len(CASES)}"


def test_a_course_request_about_a_broken_tool_is_not_a_training_need(
    app_config: AppConfig,
) -> None:
    case = next(c for c in CASES if c["id"] == "crm-course-broken-sync")
    result = classify(case["answers"], categories(app_config))
    assert result.category == "platform_governance"
    assert result.training_fit is False
    assert any("sync" in excerpt for excerpt in result.evidence)


def test_completed_training_counts_against_a_training_need(app_config: AppConfig) -> None:
    answers = {
        "failing_task": "Agents don't know how to apply the discount rules",
        "failure_point": "At quote time",
        "existing_support": "Everyone completed the discount course last month",
    }
    without = classify({**answers, "existing_support": "Nothing"}, categories(app_config))
    with_done = classify(answers, categories(app_config))
    assert without.category == "training_need"
    assert with_done.category != "training_need" or with_done.confidence < without.confidence
    assert "training already exists" in " ".join(with_done.reasons)


def test_an_asset_with_no_behaviour_and_no_cause_is_unclear(app_config: AppConfig) -> None:
    result = classify(
        {"failing_task": "A course on resilience", "failure_point": "Not sure"},
        categories(app_config),
    )
    assert result.category == "unclear"
    assert result.training_fit is False


def test_words_inside_other_words_are_not_cues(app_config: AppConfig) -> None:
    result = classify(
        {"failing_task": "Improve morale", "failure_point": "Screenshots"}, categories(app_config)
    )
    assert result.category == "unclear"  # "improve" is not "prove", "screenshots" not "screen"
