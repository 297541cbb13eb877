"""What the desk's pages show and do, apart from HTTP: a request's whole story, the review
card's actions handed to the flows, and the words and formats the templates use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jinja2
from sqlmodel import col, select

from bot.config import AppConfig
from bot.decisions import flows as decision_flows
from bot.messages import ActResult, Card, CardSection, Choice, Form, PersonRef
from bot.reminders.nudges import DecisionAction
from bot.requests.desk import request_detail
from bot.review import copy as review_copy
from bot.review.forms import ACTIONS as REVIEW_ACTIONS
from bot.review.forms import ANSWER, ASK, EDIT, REJECT
from bot.storage.models import Draft, Request

if TYPE_CHECKING:
    from bot.app import App

NOT_A_REVIEWER = "The web desk is for L&D reviewers. Ask your L&D team if you need to be one."
STALE_FORM = "That form had expired. Go back, reload the page and try again."
LINK_USED = (
    "This sign-in link has been used or has expired. Type desk to the bot in your chat for a "
    "new one; links work once, for 15 minutes."
)
SIGN_IN_FROM_CHAT = (
    "Sign in from your chat: type desk to the bot in Slack or Teams (or run triage-bot desk "
    "link --as NAME in a terminal) and open the link it gives you."
)
SIGNED_OUT = "You are signed out. Type desk to the bot in your chat to sign in again."
NO_SUCH_REQUEST = "There is no such request."
DONE = "Done."

FORM_ACTIONS = frozenset(
    {
        EDIT,
        REJECT,
        ASK,
        ANSWER,
        DecisionAction.ASSIGN,
        DecisionAction.RECORD,
        DecisionAction.REASSIGN,
    }
)
"""Actions whose form can be asked for again without acting (Approve and Snooze act at once)."""
_NOT_INPUTS = frozenset({"csrf", "action_id", "value", "_form"})


@dataclass(frozen=True)
class RequestView:
    detail: dict[str, Any]
    drafts: list[Draft]
    card: Card | None
    panel: tuple[CardSection, ...]
    """The card's sections beyond the answers (which the page shows with their versions)."""


def request_view(app: App, request_id: int) -> RequestView | None:
    with app.database.session(write=False) as session:
        request = session.get(Request, request_id)
        if request is None:
            return None
        detail = request_detail(session, app.config, request)
        drafts = list(
            session.exec(
                select(Draft).where(Draft.request_id == request_id).order_by(col(Draft.id))
            ).all()
        )
    card = app.review.card(request_id)
    prompts = {question.prompt for question in app.config.questions}
    panel = tuple(
        section
        for section in (card.sections if card else ())
        if section.buttons or section.note or section.heading not in prompts
    )
    return RequestView(detail=detail, drafts=drafts, card=card, panel=panel)


def act(
    app: App,
    person: PersonRef,
    action_id: str,
    value: str,
    inputs: Mapping[str, str] | None,
) -> ActResult:
    """A press on the web, handed to the flow that owns the action, as the chat cards do."""
    if action_id in REVIEW_ACTIONS:
        return app.review.act(person, action_id, value, inputs)
    if action_id in decision_flows.ACTIONS:
        return app.decision_flow.act(person, action_id, value, inputs)
    return ActResult(False, review_copy.UNKNOWN_BUTTON)


def form_again(app: App, person: PersonRef, action_id: str, value: str) -> Form | None:
    """The form a submission came from, to show it again with its errors."""
    if action_id not in FORM_ACTIONS:
        return None
    return act(app, person, action_id, value, None).form


def inputs_of(form: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: str(value)
        for key, value in form.items()
        if key not in _NOT_INPUTS and isinstance(value, str)
    }


def people_for(app: App, person: PersonRef) -> tuple[Choice, ...]:
    """Whom a person picker lists on the web: the people of the reviewer's own workspace or
    tenant that the bot has met (the web has no platform people search)."""
    known = app.decisions.people_on(person.platform, workspace_id=person.workspace_id)
    return tuple(Choice(user_id, name) for user_id, name in known)


def query_without_page(query: Mapping[str, str]) -> str:
    return urlencode([(k, v) for k, v in query.items() if k != "page" and v])


# -- template filters ---------------------------------------------------------------------


def _moment(value: datetime | str | None) -> datetime | None:
    """Templates get both datetimes and the ISO strings the export rows carry."""
    if value is None or value == "":
        return None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def when(value: datetime | str | None) -> str:
    """'2 Dec 2026, 10:15 UTC': what a person reads."""
    moment = _moment(value)
    return f"{moment:%-d %b %Y, %H:%M} UTC" if moment else ""


def day(value: datetime | str | None) -> str:
    moment = _moment(value)
    return f"{moment:%-d %b %Y}" if moment else ""


def compact_json(data: Any) -> str:
    return "" if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)


def add_filters(environment: jinja2.Environment, config: AppConfig) -> None:
    labels = {category.id: category.label for category in config.categories}
    environment.filters["when"] = when
    environment.filters["day"] = day
    environment.filters["compact_json"] = compact_json
    environment.filters["category"] = lambda value: labels.get(value, value) if value else ""
    environment.filters["status"] = lambda value: str(value).replace("_", " ")
    environment.globals["field_kind"] = lambda field: type(field).__name__
