"""The ``triage-bot`` command. Every failure a person can fix ends in one clear line and exit 2.

The parser knows every command but imports none of them: a command's module (chat, desk,
review, decisions, operations) is imported when it runs, so ``triage-bot --help`` and the quick
desk commands do not pay for the chat SDKs, the LLM client or the web server.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.conversation.copy import FOLLOW_UP_ANSWERS, OUTCOME_LABELS
from bot.reminders.working_time import SNOOZE_CHOICES
from bot.storage.statuses import RequestStatus

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141
"""What a shell reports for a command stopped by SIGPIPE."""
EXPORT_FORMATS = ("csv", "json")
OUTCOMES = tuple(OUTCOME_LABELS)

Handler = Callable[[argparse.Namespace, "Settings"], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-bot",
        description="The L&D intake desk: run the triage conversation and read the desk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="the triage conversation in this terminal")
    chat.add_argument("--as", dest="person", metavar="NAME", help="who is typing (default: you)")
    chat.add_argument("--script", type=Path, metavar="FILE", help="read one reply per line")
    chat.set_defaults(handler="chat:run_chat")

    requests = commands.add_parser("requests", help="list or show requests")
    requests_commands = requests.add_subparsers(dest="requests_command", required=True)
    listing = requests_commands.add_parser("list", help="all requests, newest first")
    listing.add_argument("--status", choices=[s.value for s in RequestStatus])
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler="desk:run_requests_list")
    show = requests_commands.add_parser("show", help="one request with history and audit trail")
    show.add_argument("reference", metavar="ID", help="TR-0042 or 42")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler="desk:run_requests_show")

    export = commands.add_parser("export", help="the decision log, one row per request")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    export.add_argument("--status", choices=[s.value for s in RequestStatus])
    export.set_defaults(handler="desk:run_export")

    review = commands.add_parser("review", help="L&D reviewers: list and decide drafts")
    review_commands = review.add_subparsers(dest="review_command", required=True)
    review_list = review_commands.add_parser("list", help="drafts waiting for a reviewer")
    review_list.add_argument("--as", dest="person", metavar="NAME", help="the reviewer")
    review_list.add_argument("--json", action="store_true")
    review_list.set_defaults(handler="review:run_review_list")
    for verb, text in (
        ("approve", "approve a draft as it is"),
        ("reject", "reject a draft"),
        ("edit", "approve a draft with your changes"),
    ):
        decide = review_commands.add_parser(verb, help=text)
        decide.add_argument("draft_id", type=int, metavar="DRAFT")
        decide.add_argument("--as", dest="person", metavar="NAME", help="the reviewer")
        if verb == "reject":
            decide.add_argument("--reason", required=True)
        if verb == "edit":
            changes = decide.add_mutually_exclusive_group(required=True)
            changes.add_argument("--category", help="a classification's category")
            changes.add_argument(
                "--questions",
                metavar="TEXT",
                help="reviewer questions, one a line as type: question",
            )
            decide.add_argument("--training-fit", choices=["yes", "no"])
        decide.set_defaults(handler="review:run_review_decide", verb=verb)
    ask = review_commands.add_parser("ask", help="ask the requester a clarifying question")
    ask.add_argument("reference", metavar="ID", help="TR-0042 or 42")
    ask.add_argument("--question", required=True, metavar="TEXT")
    ask.add_argument("--as", dest="person", metavar="NAME", help="the reviewer")
    ask.set_defaults(handler="review:run_review_ask")

    assist = commands.add_parser("assist", help="how the drafts fare")
    assist_commands = assist.add_subparsers(dest="assist_command", required=True)
    report = assist_commands.add_parser("report", help="verdicts on drafts by prompt version")
    report.add_argument("--json", action="store_true")
    report.set_defaults(handler="review:run_assist_report")

    decide = commands.add_parser(
        "decide", help="assign a request's decision (owner, due date) or record its outcome"
    )
    decide.add_argument("reference", metavar="ID", help="TR-0042 or 42")
    decide.add_argument("--as", dest="person", metavar="NAME", help="who is acting")
    decide.add_argument("--owner", metavar="NAME", help="the decision owner (terminal name)")
    decide.add_argument("--due", type=_iso_date, metavar="YYYY-MM-DD")
    decide.add_argument("--next", dest="next_decision", metavar="TEXT", help="decision needed")
    decide.add_argument("--review-type", metavar="TYPE")
    acts = decide.add_mutually_exclusive_group()
    acts.add_argument("--outcome", choices=OUTCOMES, help="record the decision instead")
    acts.add_argument("--snooze", choices=SNOOZE_CHOICES, help="no reminders until then")
    acts.add_argument("--reassign", metavar="NAME", help="give the decision to someone else")
    acts.add_argument(
        "--follow-up",
        choices=tuple(FOLLOW_UP_ANSWERS),
        help="answer the check-in: did the evidence move?",
    )
    decide.add_argument("--note", metavar="TEXT")
    decide.set_defaults(handler="decisions:run_decide")

    waiting = commands.add_parser("waiting", help="decisions and drafts waiting on someone")
    waiting.add_argument("--as", dest="person", metavar="NAME", help="whose desk (default: you)")
    waiting.set_defaults(handler="desk:run_waiting")

    desk = commands.add_parser("desk", help="the web desk that serve shows at /desk")
    desk_commands = desk.add_subparsers(dest="desk_command", required=True)
    link = desk_commands.add_parser("link", help="a single-use sign-in link, for L&D reviewers")
    link.add_argument("--as", dest="person", metavar="NAME", help="who signs in (default: you)")
    link.add_argument(
        "--base-url",
        metavar="URL",
        help="where serve is reached (default: PUBLIC_URL, else http://127.0.0.1:3000)",
    )
    link.set_defaults(handler="web_desk:run_desk_link")

    remind = commands.add_parser("remind", help="send the reminders that are due")
    remind.add_argument("--once", action="store_true", required=True, help="one sweep, then exit")
    remind.set_defaults(handler="decisions:run_remind")

    scheduler = commands.add_parser(
        "scheduler",
        help="the reminder scheduler alone (beside web replicas run with --no-scheduler)",
    )
    scheduler.set_defaults(handler="decisions:run_scheduler")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply migrations")
    upgrade.set_defaults(handler="operations:run_db_upgrade")

    serve = commands.add_parser("serve", help="the HTTP server for Slack (and Teams)")
    _add_turns_option(serve)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: this machine only, for a reverse proxy in "
        "front; 0.0.0.0 for every interface)",
    )
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument(
        "--base-url",
        metavar="URL",
        help="where people reach this server, for web desk sign-in links (or PUBLIC_URL)",
    )
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run the reminder scheduler here"
    )
    serve.set_defaults(handler="operations:run_serve")

    socket = commands.add_parser("socket", help="Slack over Socket Mode (no public URL needed)")
    _add_turns_option(socket)
    socket.set_defaults(handler="operations:run_socket")

    manifest = commands.add_parser("manifest", help="app manifests for the chat platforms")
    manifest_commands = manifest.add_subparsers(dest="manifest_command", required=True)
    slack_manifest = manifest_commands.add_parser("slack", help="a Slack app manifest (YAML)")
    slack_manifest.add_argument(
        "--url", metavar="URL", help="public https base URL; without it, Socket Mode"
    )
    slack_manifest.set_defaults(handler="operations:run_manifest_slack")
    teams_manifest = manifest_commands.add_parser(
        "teams", help="a Teams app package (zip) for MICROSOFT_APP_ID"
    )
    teams_manifest.add_argument("--out", type=Path, required=True, metavar="FILE.zip")
    teams_manifest.add_argument(
        "--website", metavar="URL", help="your site, for the app's details (or app.yaml teams_app)"
    )
    teams_manifest.set_defaults(handler="operations:run_manifest_teams")

    check = commands.add_parser("check", help="validate app.yaml and the environment")
    check.set_defaults(handler="operations:run_check")
    return parser


def _add_turns_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--turns",
        choices=("process", "thread"),
        default="process",
        help="run chat turns in a worker process (default: the event loop keeps its core) "
        "or in threads of this process",
    )


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-31") from None


def _handler(name: str) -> Handler:
    module, _, function = name.partition(":")
    handler: Handler = getattr(importlib.import_module(f"bot.cli.{module}"), function)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.config import ConfigError, Settings
    from bot.log_setup import configure_logging

    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError, worded for people
        print(f"triage-bot: the environment is not valid: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings, interactive=args.handler == "chat:run_chat")
    try:
        code = _handler(args.handler)(args, settings)
        sys.stdout.flush()  # here, where a closed pipe can be answered, not at exit
        return code
    except ConfigError as exc:
        print(f"triage-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `triage-bot requests list --json | head`: the reader had enough
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if isinstance(exc, _errors_people_can_fix()):
            print(f"triage-bot: {exc}", file=sys.stderr)
            return EXIT_USAGE
        error_id = uuid.uuid4().hex[:8]
        log.error("unexpected error %s", error_id, exc_info=True)
        print(
            f"triage-bot: something went wrong (error id {error_id}); the log has the details.",
            file=sys.stderr,
        )
        return 1


def _silence_stdout() -> None:
    """What is still buffered for the closed pipe would fail again when Python exits."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _errors_people_can_fix() -> tuple[type[Exception], ...]:
    """Imported only once something failed: by then the command has loaded them anyway."""
    from bot.runtime.turns import TurnWorkerUnavailable
    from bot.storage.database import DatabaseUnavailable, SchemaOutOfDate

    return (DatabaseUnavailable, SchemaOutOfDate, TurnWorkerUnavailable)
