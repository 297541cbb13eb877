"""A classification and the plain sentence that says which of the field's tests it rests on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.assist.signals import Found

TRAINING = "training_need"
UNCLEAR = "unclear"
ENVIRONMENT = "environment"  # what the "they could do it" signals point to

# When no signal of the chosen category was heard, the category's own test.
DEFAULT_TESTS = {
    TRAINING: "People lack the knowledge or skill, and could not do it even if their job "
    "depended on it: a gap training can close.",
    "workflow_process": "The steps or handoffs themselves do not work: a process cause in the "
    "environment (Gilbert), which training does not fix.",
    "documentation": "The information people need is missing, wrong or hard to find (Gilbert: "
    "information): fix the documents rather than build a course.",
    "manager_support": "Nobody sets the expectation, follows up or gives feedback (Gilbert: "
    "incentives; Mager and Pipe: consequences): a job for managers, not a course.",
    "platform_governance": "A tool or system gets in the way (Gilbert: resources): training "
    "does not fix it.",
    "evidence_reporting": "The ask is to measure or prove an effect: a question of evidence "
    "and reporting, not a skill gap.",
    "content_maintenance": "The learning content itself is out of date: update or retire it "
    "rather than build more.",
    "ownership": "Nobody owns the decision, the process or the asset: an ownership gap no "
    "course can close.",
    UNCLEAR: "No behaviour is named yet: action mapping starts from what people must do, so "
    "ask the requester before deciding.",
}
COULD_DO_IT = ("training_done", "did_it_before")


@dataclass(frozen=True)
class Classification:
    category: str
    training_fit: bool
    confidence: float
    evidence: tuple[str, ...]
    reasons: tuple[str, ...] = field(default=())
    test: str = ""
    """One plain sentence: which of the field's tests the verdict rests on."""


def verdict(
    category: str, confidence: float, found: Sequence[Found], *, extra: Sequence[str] = ()
) -> Classification:
    """The classification for ``category``, explained by the signals heard for it. Training fit
    follows the diagnosis: only a knowledge or skill gap is a training fit."""
    own = [hit for hit in found if hit.signal.points_to == category]
    # Completed training is the stronger sign they could do it, so its sentence leads.
    could = sorted(
        (hit for hit in found if hit.signal.name in COULD_DO_IT),
        key=lambda hit: COULD_DO_IT.index(hit.signal.name),
    )
    if category not in (TRAINING, UNCLEAR) and could:
        test = could[0].signal.test  # the decisive test against training comes first
    elif own:
        test = own[0].signal.test
    else:
        test = DEFAULT_TESTS.get(category, "")
    shown = own if category != UNCLEAR else []
    if category not in (TRAINING, UNCLEAR):
        shown = could + shown
    reasons = [*extra, *(_reason(hit) for hit in shown)]
    return Classification(
        category=category,
        training_fit=category == TRAINING,
        confidence=round(confidence, 2),
        evidence=tuple(dict.fromkeys(hit.excerpt for hit in shown))[:3],
        reasons=tuple(dict.fromkeys(reasons)),
        test=test,
    )


_REASONS = {
    "new_to_it": "people are new to it",
    "never_done": "they have never done or practised it",
    "rare_high_stakes": "it is rare and high-stakes",
    "no_training": "nothing teaches it yet",
    "others_manage": "others do it right with the same tools and steps",
    "training_done": "training already exists and people completed it",
    "did_it_before": "people did it right before",
    "tool_in_the_way": "a tool or system gets in the way",
    "tool_named": "a tool or system is part of the failing step",
    "steps_do_not_work": "the steps or handoffs do not work",
    "information_missing": "the information is missing, wrong or hard to find",
    "content_stale": "the learning content is out of date",
    "no_follow_up": "nobody follows up or the consequences reward the shortcut",
    "nobody_owns_it": "nobody owns it",
    "prove_it": "the ask is to measure or prove",
}


def _reason(hit: Found) -> str:
    return f"{_REASONS.get(hit.signal.name, hit.signal.name)} ({hit.question_id})"
