"""Reviewers at the terminal: ``review list|approve|edit|reject|ask`` and ``assist report``.

The verdicts and questions go through the same review flow as the Slack and Teams cards, so
the same rules hold: reviewers only, one verdict per draft, the requester told once.
"""

from __future__ import annotations

import argparse
import sys

from bot.assist.catch_up import waiting_for_drafts
from bot.cli.common import EXIT_NOT_FOUND, EXIT_OK, acting_person, open_app, reviewer_hint
from bot.config import ConfigError, Settings
from bot.messages import ActResult
from bot.requests import desk
from bot.review import copy
from bot.review import terminal as review_desk
from bot.review.forms import APPROVE, ASK, EDIT, REJECT
from bot.storage.models import parse_reference
from bot.text import visible

VERB_ACTIONS = {"approve": APPROVE, "edit": EDIT, "reject": REJECT}


def run_review_list(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    reviewer = acting_person(args, settings)
    if not app.reviewers(reviewer):
        hint = reviewer_hint(app.config.review.terminal_reviewers)
        print(f"triage-bot: {copy.LIST_FOR_REVIEWERS} {hint}", file=sys.stderr)
        return EXIT_NOT_FOUND
    rows = [review_desk.pending_row(draft, request) for draft, request in app.assistant.pending()]
    undrafted = waiting_for_drafts(app.database, submitted_before=app.engine.clock())
    if args.json:
        print(desk.to_json(rows))
    elif not rows:
        print("No drafts are waiting for review.")
    else:
        print(visible("\n\n".join(review_desk.render_pending(row) for row in rows)))
    if undrafted and not args.json:
        references = ", ".join(request.reference for request in undrafted)
        print(copy.WAITING_FOR_DRAFTS.format(count=len(undrafted), references=references))
    return EXIT_OK


def run_review_decide(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    reviewer = acting_person(args, settings)
    inputs: dict[str, str] = {}
    if args.verb == "reject":
        inputs["reason"] = args.reason
    if args.verb == "edit":
        if args.questions is not None:
            inputs["questions"] = args.questions.replace("\\n", "\n")
        else:
            inputs["category"] = args.category
            if args.training_fit:
                inputs["training_fit"] = args.training_fit
    action_id = VERB_ACTIONS[args.verb]
    result = app.review.act(reviewer, action_id, str(args.draft_id), inputs)
    return _report(result, app.reviewers(reviewer), app.config.review.terminal_reviewers)


def run_review_ask(args: argparse.Namespace, settings: Settings) -> int:
    request_id = parse_reference(args.reference)
    if request_id is None:
        raise ConfigError(f"{args.reference!r} is not a request reference (try TR-0042 or 42)")
    app = open_app(settings)
    reviewer = acting_person(args, settings)
    # A Slack or Teams requester is written to by the scheduler of the running server.
    result = app.review.act(reviewer, ASK, str(request_id), {"question": args.question})
    return _report(result, app.reviewers(reviewer), app.config.review.terminal_reviewers)


def _report(result: ActResult, is_reviewer: bool, names: tuple[str, ...]) -> int:
    if result.ok:
        print(visible(result.message))
        return EXIT_OK
    message = result.message if is_reviewer else f"{result.message} {reviewer_hint(names)}"
    print(f"triage-bot: {visible(message)}", file=sys.stderr)
    return EXIT_NOT_FOUND


def run_assist_report(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    with app.database.session(write=False) as session:
        rows = review_desk.verdicts_by_prompt(session)
    print(desk.to_json(rows) if args.json else review_desk.render_report(rows))
    return EXIT_OK
