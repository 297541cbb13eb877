"""The labelled requests (tests/data/labelled_requests*.yaml), as the classifier sees them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "labelled_requests.yaml"
SECOND_TEST = ROOT / "tests" / "data" / "labelled_requests_test2.yaml"
"""A second held-out part, written after the first test part's figures had been read, by
someone who had seen neither the classifier nor the other cases: nothing is tuned on it."""
SECOND_DEV = ROOT / "tests" / "data" / "labelled_requests_dev2.yaml"
"""More development requests, from industries and writing styles the first file barely has:
tuned and trained on like the first file's development part."""
PROJECT_EXAMPLES = ROOT / "tests" / "data" / "triage_cases.yaml"
DEV, TEST, TEST2 = "dev", "test", "test2"


def load(part: str | None = None, path: Path = LABELLED) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [case for case in cases if part is None or case["part"] == part]


def development() -> list[dict[str, Any]]:
    """Every development request: the first file's development part, then the second file."""
    return load(DEV) + load(DEV, SECOND_DEV)


def project_examples() -> list[dict[str, Any]]:
    """The project's own 36 examples, written beside the first rules: training data only."""
    cases = yaml.safe_load(PROJECT_EXAMPLES.read_text(encoding="utf-8"))["cases"]
    return [{**case, "category": case["expected"]} for case in cases]


def stored_answers(case: dict[str, Any]) -> dict[str, str]:
    """The answers as the conversation stores them: after the asset follow-up, the reply to it
    is the answer to question 1."""
    answers = {key: str(value) for key, value in case["answers"].items()}
    if case.get("asset_only") and case.get("after_follow_up"):
        answers["failing_task"] = str(case["after_follow_up"])
    return answers


def digest(cases: list[dict[str, Any]]) -> str:
    """Which cases a model was trained on, as one short hash of their sorted ids."""
    ids = "\n".join(sorted(str(case["id"]) for case in cases))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]
