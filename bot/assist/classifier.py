"""Is training even the answer? The draft classification, from the shipped model or the rules.

The model reads the words of the answers and the field's signals; Mager and Pipe's test is then
weighed on top: each sign that people could not do it (new to it, never practised, rare and
high-stakes, nothing teaches it, others manage with the same tools) raises the case for
training, each sign that they could (training completed, done right before) lowers it, a
request where no answer shows a gap at all is held back from training (the environment is where
most causes live, Gilbert), and a training need must reach a minimum probability. Where the
model was trained on other categories than app.yaml's, the rules draft instead. Either way
the verdict says which of the field's tests it rests on.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from bot.assist.features import request_features
from bot.assist.model import LinearModel, shipped_model, softmax
from bot.assist.rules import classify_by_rules
from bot.assist.signals import detect
from bot.assist.verdict import COULD_DO_IT, TRAINING, Classification, verdict

COULD_NOT = frozenset(
    {"new_to_it", "never_done", "rare_high_stakes", "no_training", "others_manage"}
)


def classify(answers: Mapping[str, str], categories: tuple[str, ...]) -> Classification:
    model = shipped_model()
    if model is None or not set(categories) <= set(model.classes):
        return classify_by_rules(answers, categories)
    found = detect(answers)
    logits = model.logits(request_features(answers, found))
    best, probabilities = decide(logits, {hit.signal.name for hit in found}, categories, model)
    return verdict(best, min(0.95, probabilities[best]), found)


def decide(
    logits: Mapping[str, float], heard: Set[str], categories: tuple[str, ...], model: LinearModel
) -> tuple[str, dict[str, float]]:
    """The category, and the probabilities it was chosen from. bench/train_classifier.py
    chooses the model's weights for this with this same function."""
    scores = {category: logits[category] for category in categories}
    if TRAINING in scores:
        could_not = len(heard & COULD_NOT)
        scores[TRAINING] += model.person_weight * could_not
        scores[TRAINING] -= model.could_weight * len(heard & set(COULD_DO_IT))
        if not could_not:
            scores[TRAINING] -= model.no_gap_weight
    probabilities = softmax(scores)
    ranked = sorted(categories, key=lambda category: -probabilities[category])
    best = ranked[0]
    if best == TRAINING and probabilities[best] < model.training_threshold and len(ranked) > 1:
        best = ranked[1]
    return best, probabilities
