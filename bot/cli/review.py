"""Reviewers at the terminal: ``review list``, ``review approve|edit|reject``, ``assist report``."""

from __future__ import annotations

import argparse
import sys

from bot import desk, review_desk
from bot.cli.common import EXIT_NOT_FOUND, EXIT_OK, acting_person, open_app
from bot.config import Settings
from bot.storage.models import DraftStatus
from bot.text import visible


def run_review_list(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    rows = [review_desk.pending_row(draft, request) for draft, request in app.assistant.pending()]
    if args.json:
        print(desk.to_json(rows))
    elif not rows:
        print("No drafts are waiting for review.")
    else:
        print(visible("\n\n".join(review_desk.render_pending(row) for row in rows)))
    return EXIT_OK


def run_review_decide(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    reviewer = acting_person(args, settings)
    edited = None
    if args.verb == "edit":
        edited = {"category": args.category}
        if args.training_fit:
            edited["training_fit"] = args.training_fit == "yes"
    verdict = {
        "approve": DraftStatus.APPROVED,
        "reject": DraftStatus.REJECTED,
        "edit": DraftStatus.EDITED,
    }[args.verb]
    result = app.assistant.decide(
        draft_id=args.draft_id,
        reviewer=reviewer,
        verdict=verdict,
        edited=edited,
        reason=getattr(args, "reason", None),
    )
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_NOT_FOUND


def run_assist_report(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    with app.database.session(write=False) as session:
        rows = review_desk.verdicts_by_prompt(session)
    print(desk.to_json(rows) if args.json else review_desk.render_report(rows))
    return EXIT_OK
