"""Building the flow's messages from data; no state changes here, so every view is easy to test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.config import AppConfig, Question
from bot.conversation import copy
from bot.conversation.commands import TriageAction
from bot.messages import Button, ButtonStyle, Outbound, Summary, SummaryItem
from bot.storage.models import Request
from bot.storage.service import CurrentAnswer

ASSET_NOTE_ID = "_asset_idea"
"""Where the asset idea from the push-back is kept: an answer row no question owns."""
NEW_REQUEST_KEY = "new"
SOURCE_NOTE_ID = "_source_link"
"""Where a linked message goes when app.yaml has no link question."""


def progress(config: AppConfig, question: Question) -> str:
    number = config.question_number(question.id)
    return copy.QUESTION_PROGRESS.format(number=number, count=len(config.questions))


def question_message(
    config: AppConfig, request: Request | None, question: Question, answer: CurrentAnswer | None
) -> Outbound:
    """The question, its help, and the current answer when the person comes back to it.
    Before the first answer there is no request yet, and buttons carry NEW_REQUEST_KEY."""
    lines = [question.prompt + _optional_mark(question)]
    key = f"{request.id if request else NEW_REQUEST_KEY}:{question.id}"
    buttons = [
        Button(option, TriageAction.CHOOSE, f"{key}:{index}")
        for index, option in enumerate(question.options)
    ]
    if answer is not None:
        lines.append(
            copy.CURRENT_ANSWER_SKIPPED
            if answer.skipped
            else copy.CURRENT_ANSWER.format(answer=answer.text)
        )
        lines.append(copy.KEEP_OR_REPLACE)
        buttons.append(Button(copy.BUTTON_KEEP, TriageAction.KEEP, key))
    if not question.required:
        buttons.append(Button(copy.BUTTON_SKIP, TriageAction.SKIP, key))
    return Outbound(
        "\n".join(lines),
        buttons=tuple(buttons),
        progress=progress(config, question),
        hint=question.help or None,
    )


def _optional_mark(question: Question) -> str:
    """The "(optional)" after an optional question, unless its own words already say so."""
    said = f"{question.prompt} {question.help}".casefold()
    return "" if question.required or "optional" in said else copy.OPTIONAL_MARK


def summary_message(
    config: AppConfig,
    request: Request,
    answers: Mapping[str, CurrentAnswer],
    *,
    complete: bool = True,
) -> Outbound:
    """The answers, to check and submit; ``complete=False`` mid-way, with no Submit button."""
    items = tuple(
        SummaryItem(
            number=number,
            question_id=question.id,
            prompt=question.prompt,
            answer=answers[question.id].text if question.id in answers else None,
            skipped=question.id in answers and answers[question.id].skipped,
            required=question.required,
        )
        for number, question in enumerate(config.questions, start=1)
    )
    asset_note = answers.get(ASSET_NOTE_ID)
    notes = (copy.ASSET_NOTE.format(text=asset_note.text),) if asset_note else ()
    summary = Summary(
        request_id=request.id or 0, reference=request.reference, items=items, notes=notes
    )
    if not complete:
        return Outbound(
            copy.SUMMARY_SO_FAR.format(reference=request.reference),
            summary=summary,
            hint=copy.SUMMARY_SO_FAR_HINT,
        )
    submit = Button(copy.BUTTON_SUBMIT, TriageAction.SUBMIT, str(request.id), ButtonStyle.PRIMARY)
    return Outbound(
        copy.SUMMARY_INTRO.format(reference=request.reference),
        summary=summary,
        buttons=(submit,),
        hint=copy.SUMMARY_HINT,
    )


def resume_message(
    config: AppConfig, request: Request, question: Question | None, display_name: str
) -> Outbound:
    """'You were on question 3 of 6'; ``question`` is None when they paused at the summary."""
    name = f", {display_name}" if display_name else ""
    if question is None:
        text = copy.RESUME_SUMMARY.format(name=name, reference=request.reference)
    else:
        text = copy.RESUME_QUESTION.format(
            name=name,
            number=config.question_number(question.id),
            count=len(config.questions),
            reference=request.reference,
            prompt=question.prompt,
        )
    key = str(request.id)
    buttons = (
        Button(copy.BUTTON_CONTINUE, TriageAction.CONTINUE, key, ButtonStyle.PRIMARY),
        Button(copy.BUTTON_NEW_REQUEST, TriageAction.RESTART, key),
    )
    return Outbound(text, buttons=buttons, hint=copy.RESUME_HINT)


def status_message(
    config: AppConfig,
    draft: Request | None,
    answers: Mapping[str, CurrentAnswer],
    question: Question | None,
    recent: Sequence[Request],
) -> Outbound:
    lines: list[str] = []
    if draft is None:
        lines.append(copy.STATUS_IDLE)
    else:
        answered = sum(1 for q in config.questions if q.id in answers)
        lines.append(
            copy.STATUS_DRAFTING.format(
                reference=draft.reference, answered=answered, count=len(config.questions)
            )
        )
        if question is None:
            lines.append(copy.STATUS_AT_SUMMARY)
        else:
            number = config.question_number(question.id)
            lines.append(copy.STATUS_AT_QUESTION.format(number=number, prompt=question.prompt))
    if recent:
        lines.append(copy.STATUS_RECENT_HEADER)
        lines.extend(
            copy.STATUS_RECENT_LINE.format(
                reference=r.reference,
                status=r.status.replace("_", " "),
                updated=r.updated_at.strftime("%Y-%m-%d %H:%M"),
            )
            for r in recent
        )
    return Outbound("\n".join(lines))
