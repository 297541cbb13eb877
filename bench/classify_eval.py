"""How well the desk judges requests nobody tuned it on: the test part, beside the development part.

For each part of tests/data/labelled_requests.yaml (the development part the model and rules
were tuned on, and the held-out test part that nothing was tuned on), the second development
file (labelled_requests_dev2.yaml) and the second held-out file (labelled_requests_test2.yaml)
it prints, for the shipped classifier, for the rules alone and, when an LLM is configured
(OPENAI_BASE_URL or OPENAI_API_KEY), for the model:
- category accuracy, recall per category and a confusion matrix (rows: labelled, columns: drafted);
- training fit: recall among genuine training needs, and how often the others are called a fit;
- the asset follow-up on first answers: false alarms (it asks again although the answer names a
  problem) and misses (it lets through an answer that only asks for an asset);
- drafting time per request for the classifier and for the rules, measured in the same run.
Run: `.venv/bin/python bench/classify_eval.py [--part test|test2|dev|project|all]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from labelled import (  # noqa: E402
    DEV,
    SECOND_DEV,
    SECOND_TEST,
    TEST,
    TEST2,
    load,
    project_examples,
    stored_answers,
)

from bot.assist.classifier import classify  # noqa: E402
from bot.assist.questions import rule_questions  # noqa: E402
from bot.assist.rules import classify_by_rules  # noqa: E402
from bot.assist.verdict import Classification  # noqa: E402
from bot.config import Settings, load_app_config  # noqa: E402
from bot.conversation.assets import asset_asked_for  # noqa: E402

TRAINING = "training_need"
Judge = Callable[[Mapping[str, str]], Classification]


def report(name: str, judge: Judge, cases: list[dict[str, Any]], categories: list[str]) -> None:
    confusion: Counter[tuple[str, str]] = Counter()
    fits: Counter[tuple[bool, bool]] = Counter()
    for case in cases:
        drafted = judge(stored_answers(case))
        confusion[(case["category"], drafted.category)] += 1
        labelled_fit = bool(case.get("training_fit", case["category"] == TRAINING))
        fits[(labelled_fit, drafted.training_fit)] += 1
    correct = sum(n for (label, got), n in confusion.items() if label == got)
    print(f"\n  {name}: category {correct}/{len(cases)} = {correct / len(cases):.0%}")
    needs = fits[(True, True)] + fits[(True, False)]
    others = fits[(False, True)] + fits[(False, False)]
    called = fits[(True, True)] + fits[(False, True)]
    print(
        f"    training fit: recall {_share(fits[(True, True)], needs)} of {needs} genuine needs; "
        f"precision {_share(fits[(True, True)], called)}; "
        f"called a fit among the others {_share(fits[(False, True)], others)} of {others}"
    )
    print(
        "    recall per category: "
        + ", ".join(
            f"{c} {_share(confusion[(c, c)], sum(confusion[(c, g)] for g in categories))}"
            for c in categories
            if any(confusion[(c, g)] for g in categories)
        )
    )
    short = {c: c[:7] for c in categories}
    print(f"    {'labelled / drafted':<21}" + "".join(f"{short[c]:>8}" for c in categories))
    for label in categories:
        row = "".join(f"{confusion[(label, got)] or '.':>8}" for got in categories)
        print(f"    {label:<21}{row}")


def report_asset_follow_up(cases: list[dict[str, Any]], config: Any, *, name_them: bool) -> None:
    """The follow-up's false alarms and misses; which requests they were only on a development
    part, so that reading a held-out figure never shows which held-out cases to look at."""
    false_alarms, misses = [], []
    problems = [c for c in cases if not c.get("asset_only")]
    asset_only = [c for c in cases if c.get("asset_only")]
    for case in cases:
        asked = asset_asked_for(str(case["answers"]["failing_task"]), config.asset_pushback)
        fires = asked is not None and asked.needs_follow_up
        if fires and not case.get("asset_only"):
            false_alarms.append(case["id"])
        if case.get("asset_only") and not fires:
            misses.append(case["id"])
    print(
        f"\n  asset follow-up: fires on {_share(len(false_alarms), len(problems))} of "
        f"{len(problems)} first answers that describe a problem (false alarms), misses "
        f"{len(misses)} of {len(asset_only)} that only ask for an asset"
    )
    if name_them and false_alarms:
        print("    false alarms: " + ", ".join(false_alarms))
    if name_them and misses:
        print("    misses: " + ", ".join(misses))


def report_speed(cases: list[dict[str, Any]], categories: tuple[str, ...]) -> None:
    answers = [stored_answers(case) for case in cases]

    def timed(draft: Callable[[Mapping[str, str]], Any]) -> list[float]:
        samples = []
        for _ in range(5):
            for one in answers:
                started = time.perf_counter()
                draft(one)
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    def whole_draft(one: Mapping[str, str]) -> None:
        rule_questions(classify(one, categories).category, dict(one))

    print("\n  drafting time per request (ms, same run):")
    for name, draft in (
        ("rules alone", lambda one: classify_by_rules(one, categories)),
        ("shipped classifier", lambda one: classify(one, categories)),
        ("classifier + reviewer questions", whole_draft),
    ):
        samples = sorted(timed(draft))
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(f"    {name:<32} p50 {statistics.median(samples):.2f}  p99 {p99:.2f}")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("test", "test2", "dev", "project", "all"), default="all")
    args = parser.parse_args()
    config = load_app_config(ROOT / "app.yaml")
    categories = [c.id for c in config.categories]
    judges: list[tuple[str, Judge]] = [
        ("shipped classifier", lambda a: classify(a, tuple(categories))),
        ("rules alone", lambda a: classify_by_rules(a, tuple(categories))),
    ]
    settings = Settings()
    if settings.llm_configured:
        from bot.assist.llm import LlmClassifier

        model = LlmClassifier.from_settings(settings, config)
        judges.append((f"LLM ({model.model})", model.classify))
    else:
        print("(no LLM configured: set OPENAI_BASE_URL or OPENAI_API_KEY to compare a model)")
    parts = {
        "test": [("test part (held out: nothing was tuned on it)", load(TEST))],
        "test2": [
            (
                "second test part (written later, by someone who had read neither the rules nor "
                "the other cases; held out too)",
                load(TEST2, SECOND_TEST),
            )
        ],
        "dev": [
            ("development part (the model and rules were tuned on it)", load(DEV)),
            (
                "second development part (labelled_requests_dev2.yaml; tuned on too)",
                load(DEV, SECOND_DEV),
            ),
        ],
        "project": [("the project's own examples (training data)", project_examples())],
    }
    chosen = ["test", "test2", "dev", "project"] if args.part == "all" else [args.part]
    for key in chosen:
        for title, cases in parts[key]:
            industries = len({c.get("industry") for c in cases} - {None})
            print(
                f"\n== {title}: {len(cases)} requests"
                + (f", {industries} industries" if industries else "")
            )
            for name, judge in judges:
                report(name, judge, cases, categories)
            if key != "project":
                report_asset_follow_up(cases, config, name_them=key == "dev")
    report_speed(load(), tuple(categories))


if __name__ == "__main__":
    main()
