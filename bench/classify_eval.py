"""How well the classifier sorts the labelled requests in tests/data/triage_cases.yaml.

Prints accuracy and a confusion matrix (rows: expected, columns: predicted) for the rule-based
classifier and, when an LLM is configured (OPENAI_API_KEY or OPENAI_BASE_URL), for the model too.
Run: `.venv/bin/python bench/classify_eval.py`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.assist.rules import classify  # noqa: E402
from bot.config import Settings, load_app_config  # noqa: E402

Classifier = Callable[[Mapping[str, str]], str]


def evaluate(name: str, predict: Classifier, cases: list[dict], categories: list[str]) -> float:
    confusion: Counter[tuple[str, str]] = Counter()
    for case in cases:
        confusion[(case["expected"], predict(case["answers"]))] += 1
    correct = sum(count for (expected, got), count in confusion.items() if expected == got)
    accuracy = correct / len(cases)
    print(f"\n{name}: {correct}/{len(cases)} correct, accuracy {accuracy:.0%}")
    short = {c: c[:8] for c in categories}
    print(f"{'expected / predicted':<22}" + "".join(f"{short[c]:>9}" for c in categories))
    for expected in categories:
        row = "".join(f"{confusion[(expected, got)] or '.':>9}" for got in categories)
        print(f"{expected:<22}{row}")
    return accuracy


def main() -> None:
    settings = Settings()
    config = load_app_config(ROOT / "app.yaml")
    categories = [c.id for c in config.categories]
    cases = yaml.safe_load((ROOT / "tests/data/triage_cases.yaml").read_text())["cases"]
    print(f"{len(cases)} labelled requests, {len(categories)} categories")
    evaluate(
        "rule-based",
        lambda answers: classify(answers, tuple(categories)).category,
        cases,
        categories,
    )
    if settings.llm_configured:
        from bot.assist.llm import LlmClassifier

        model = LlmClassifier.from_settings(settings, config)
        evaluate(
            f"LLM ({model.model})",
            lambda answers: model.classify(answers).category,
            cases,
            categories,
        )
    else:
        print("\n(no LLM configured: set OPENAI_API_KEY or OPENAI_BASE_URL to compare a model)")


if __name__ == "__main__":
    main()
