"""The review flow's action ids and the forms its buttons open, for the flow and the notices
that carry its buttons (a requester's Answer)."""

from __future__ import annotations

from bot.messages import Form, TextField
from bot.review import copy

APPROVE = "review-draft-approve"
EDIT = "review-draft-edit"
REJECT = "review-draft-reject"
ASK = "review-question-ask"
ANSWER = "review-question-answer"
ACTIONS = (APPROVE, EDIT, REJECT, ASK, ANSWER)


def ask_form(request_id: int) -> Form:
    field = TextField("question", copy.LABEL_QUESTION)
    return Form(
        ASK,
        str(request_id),
        copy.FORM_ASK_TITLE,
        copy.FORM_ASK_SUBMIT,
        (field,),
        intro=copy.FORM_ASK_INTRO,
    )


def reject_form(draft_id: int) -> Form:
    field = TextField("reason", copy.LABEL_REASON)
    return Form(REJECT, str(draft_id), copy.FORM_REJECT_TITLE, copy.FORM_REJECT_SUBMIT, (field,))


def answer_form(clarification_id: int, question: str, reference: str) -> Form:
    field = TextField("answer", copy.LABEL_ANSWER)
    return Form(
        ANSWER,
        str(clarification_id),
        copy.FORM_ANSWER_TITLE,
        copy.FORM_ANSWER_SUBMIT,
        (field,),
        intro=f"{reference}: {question}",
    )
