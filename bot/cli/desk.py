"""Reading the desk: ``requests list``, ``requests show``, ``export`` and ``waiting``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.cli.common import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, acting_person, open_app
from bot.config import ConfigError, Settings
from bot.conversation import copy
from bot.decisions.waiting import waiting_line, waiting_on
from bot.requests import as_text, desk
from bot.storage.models import parse_reference, reference_for
from bot.storage.service import get_request
from bot.text import visible


def run_requests_list(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    with app.database.session(write=False) as session:
        rows = desk.request_rows(session, app.config, status=args.status)
        total = desk.request_count(session) if args.status and not rows else len(rows)
    if args.json:
        print(desk.to_json(list(reversed(rows))))
    else:
        first_question = app.config.questions[0].id
        print(visible(as_text.render_list(rows, first_question, status=args.status, total=total)))
    return EXIT_OK


def run_requests_show(args: argparse.Namespace, settings: Settings) -> int:
    request_id = parse_reference(args.reference)
    if request_id is None:
        print(
            f"triage-bot: {args.reference!r} is not a request reference (try TR-0042 or 42)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app = open_app(settings)
    with app.database.session(write=False) as session:
        request = get_request(session, request_id=request_id)
        if request is None:
            print(f"triage-bot: no request {reference_for(request_id)}", file=sys.stderr)
            return EXIT_NOT_FOUND
        detail = desk.request_detail(session, app.config, request)
    print(desk.to_json(detail) if args.json else visible(as_text.render_detail(detail)))
    return EXIT_OK


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    with app.database.session(write=False) as session:
        rows = desk.request_rows(session, app.config, status=args.status)
    if args.format == "json":
        text = desk.to_json(rows) + "\n"
    else:
        text = desk.to_csv(rows, desk.export_columns(app.config))
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.out.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"Wrote {len(rows)} request(s) to {args.out}", file=sys.stderr)
    return EXIT_OK


def run_waiting(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    person = acting_person(args, settings)
    now = datetime.now(UTC)
    items = waiting_on(app.database, person, reviewer=app.assistant.is_reviewer(person), now=now)
    if not items:
        print(copy.WAITING_NOTHING)
    for item in items:
        print(visible(waiting_line(item)))
    return EXIT_OK
