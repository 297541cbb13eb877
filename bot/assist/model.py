"""The shipped classifier: a linear model over the request's features, trained on the
development requests (tests/data/labelled_requests.yaml's development part and
labelled_requests_dev2.yaml) by bench/train_classifier.py.

It is a table of weights (one per feature and category), so it loads in milliseconds, runs in
pure Python with no download and no numerical library, and explains itself: the features that
pushed a request into its category are the ones a reviewer is shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("classifier_model.json")


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    trained_on: str  # a digest of the development requests' ids: which cases taught it
    training_threshold: float = 0.0
    """How sure the model must be before it calls a request a training need; below it, the
    runner-up category wins."""
    person_weight: float = 0.0
    """What each sign that people could not do it (new to it, never practised...) adds to a
    training need's score: Mager and Pipe's test, weighed beside the words."""
    could_weight: float = 0.0
    """What each sign that people could do it (training completed, done right before) takes
    off."""
    no_gap_weight: float = 0.0
    """What a training need loses when no answer shows a gap at all (nobody new, nothing never
    done, nothing missing from training). These four are chosen by cross-validation on the
    development requests."""

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LinearModel:
        weights = data["weights"]
        assert isinstance(weights, dict)
        return cls(
            classes=tuple(data["classes"]),  # type: ignore[arg-type]
            intercepts=tuple(data["intercepts"]),  # type: ignore[arg-type]
            weights={name: tuple(row) for name, row in weights.items()},
            trained_on=str(data["trained_on"]),
            training_threshold=float(data.get("training_threshold", 0.0)),  # type: ignore[arg-type]
            person_weight=float(data.get("person_weight", 0.0)),  # type: ignore[arg-type]
            could_weight=float(data.get("could_weight", 0.0)),  # type: ignore[arg-type]
            no_gap_weight=float(data.get("no_gap_weight", 0.0)),  # type: ignore[arg-type]
        )

    def logits(self, features: Iterable[str]) -> dict[str, float]:
        totals = list(self.intercepts)
        for name in features:
            row = self.weights.get(name)
            if row is not None:
                for index, weight in enumerate(row):
                    totals[index] += weight
        return dict(zip(self.classes, totals, strict=True))

    def pushed_towards(self, features: Iterable[str], category: str) -> list[tuple[str, float]]:
        """The features that counted most for ``category``, strongest first."""
        index = self.classes.index(category)
        weights = [(name, row[index]) for name in features if (row := self.weights.get(name))]
        return sorted((w for w in weights if w[1] > 0), key=lambda w: -w[1])


@cache
def shipped_model(path: Path = MODEL_PATH) -> LinearModel | None:
    """The model that ships with the package, or None when the file is absent."""
    if not path.exists():
        return None
    return LinearModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exps = {category: math.exp(score - top) for category, score in scores.items()}
    norm = sum(exps.values())
    return {category: e / norm for category, e in exps.items()}
