"""Reviewer questions for the SME review, grouped by review type, from templates.

The groups follow the review types in app.yaml: facts, workflow judgment, preferences, risk and
approval, so experts are asked about facts separately from taste and from sign-off.
"""

from __future__ import annotations

from collections.abc import Mapping

REVIEW_TYPES = ("sme_facts", "workflow_judgment", "preferences", "risk", "approval")

_BY_CATEGORY: dict[str, str] = {
    "training_need": "What must people be able to do that they cannot do today, even with help?",
    "workflow_process": "Which step should change, and who owns the hand-off around it?",
    "documentation": "Which document should be the single source, and who keeps it current?",
    "manager_support": "What should managers check or coach, and how often?",
    "platform_governance": "Is this a defect to fix in the tool, or a setting to change?",
    "evidence_reporting": "Which decision should the evidence support, and who takes it?",
    "content_maintenance": "Which asset is out of date, and who retires or updates it?",
    "ownership": "Who should own this decision from now on?",
    "unclear": "What do people actually do, or fail to do, when this goes wrong?",
}


def rule_questions(category: str, answers: Mapping[str, str]) -> dict[str, list[str]]:
    where = answers.get("failure_point", "").strip() or "the step that fails"
    evidence = answers.get("evidence", "").strip() or "the evidence named"
    return {
        "sme_facts": [
            f'Is this an accurate account of where it fails: "{_short(where)}"?',
            "Which source is authoritative for this task today?",
        ],
        "workflow_judgment": [_BY_CATEGORY.get(category, _BY_CATEGORY["unclear"])],
        "preferences": [
            "What format would people use at the moment they need it (checklist, job aid, "
            "short video, a change to the screen)?",
        ],
        "risk": [
            "What happens if nothing changes for three months?",
            "Could a change here break another team's work or a compliance rule?",
        ],
        "approval": [
            f'Who signs off that "{_short(evidence)}" is the right measure of progress?',
            "Who owns the decision on whether training is needed at all?",
        ],
    }


def questions_as_lines(content: Mapping[str, list[str]]) -> str:
    """Questions as editable text, one a line as `type: question` (for forms and cards)."""
    return "\n".join(f"{group}: {q}" for group, questions in content.items() for q in questions)


def questions_from_lines(text: str) -> dict[str, list[str]]:
    """The reverse of questions_as_lines; lines without a `type:` are ignored."""
    groups: dict[str, list[str]] = {}
    for line in text.splitlines():
        group, _, question = line.partition(":")
        if group.strip() and question.strip():
            groups.setdefault(group.strip(), []).append(question.strip())
    return groups


def _short(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
