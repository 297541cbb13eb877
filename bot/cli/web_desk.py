"""``desk link``: a reviewer at a terminal signs in to the web desk as they would from chat."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import EXIT_NOT_FOUND, EXIT_OK, acting_person, open_app, reviewer_hint
from bot.config import Settings
from bot.conversation import copy
from bot.storage import sign_in
from bot.storage.people import upsert_person

DEFAULT_BASE_URL = "http://127.0.0.1:3000"


def run_desk_link(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    person = acting_person(args, settings)
    if not app.reviewers(person):
        hint = reviewer_hint(app.config.review.terminal_reviewers)
        print(f"triage-bot: {copy.DESK_FOR_REVIEWERS} {hint}", file=sys.stderr)
        return EXIT_NOT_FOUND
    base_url = args.base_url or settings.public_url or DEFAULT_BASE_URL
    now = app.engine.clock()
    with app.database.session() as session:
        stored = upsert_person(session, ref=person, now=now)
        assert stored.id is not None
        token = sign_in.issue(session, person_id=stored.id, now=now)
    print(copy.DESK_LINK.format(link=sign_in.link(base_url, token)))
    return EXIT_OK
