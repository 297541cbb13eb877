"""The rule-based classifier: the field's signals, weighed by hand.

It is what drafts when the shipped model cannot (the categories in app.yaml are not the ones it
was trained on), and it is the reasoning the model starts from. Each signal heard counts for the
category it points to, more where the cause shows (the failure point and the existing
support say more about the cause than the task's name). The Mager and Pipe signals weigh the
verdict on training itself: people new to the task, people who never practised it, rare
high-stakes tasks and skills nothing teaches count for a training need; training completed and
work done right before count against it, because people who could do it if their job depended
on it have no skill gap. A request that names no behaviour and shows no cause is "unclear".
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.assist.signals import Found, detect, normalise
from bot.assist.verdict import ENVIRONMENT, TRAINING, UNCLEAR, Classification, verdict

FIELD_WEIGHTS = {
    "failing_task": 1.0,
    "performer": 0.8,
    "failure_point": 1.5,
    "existing_support": 1.2,
    "evidence": 0.6,
}
COULD_DO_IT_PENALTY = 1.5
"""How much one "they could do it" signal takes off a training need."""


def rule_scores(found: list[Found], categories: tuple[str, ...]) -> dict[str, float]:
    scores = dict.fromkeys(categories, 0.0)
    against_training = 0.0
    for hit in found:
        weight = FIELD_WEIGHTS.get(hit.question_id, 0.5) * hit.signal.weight
        if hit.signal.points_to == ENVIRONMENT:
            against_training += COULD_DO_IT_PENALTY
        elif hit.signal.points_to in scores:
            scores[hit.signal.points_to] += weight
    if TRAINING in scores:
        scores[TRAINING] -= against_training
    return scores


def classify_by_rules(answers: Mapping[str, str], categories: tuple[str, ...]) -> Classification:
    found = detect(answers)
    scores = rule_scores(found, categories)
    task = normalise(answers.get("failing_task", ""))
    causes = [hit for hit in found if hit.signal.points_to != ENVIRONMENT]
    if UNCLEAR in scores and (not task or not causes):
        return verdict(UNCLEAR, 0.5, found, extra=("no behaviour or cause is named",))
    best = max(scores, key=lambda category: scores[category])
    if scores[best] <= 0:
        fallback = UNCLEAR if UNCLEAR in scores else best
        return verdict(fallback, 0.3, found, extra=("no signal of any cause",))
    total = sum(max(score, 0.0) for score in scores.values())
    return verdict(best, min(0.95, scores[best] / total), found)
