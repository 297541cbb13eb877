"""The ``triage-bot`` command. Every failure a person can fix ends in one clear line and exit 2."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bot import desk, review_desk
from bot.app import App, build_app
from bot.channels.console import ConsoleChannel, TerminalSender, terminal_person
from bot.config import ConfigError, Settings, load_app_config
from bot.flows import copy
from bot.flows.decisions import FOLLOW_UP_ANSWERS, OUTCOMES
from bot.flows.waiting import waiting_line, waiting_on
from bot.log_setup import configure_logging
from bot.storage.database import Database, DatabaseUnavailable, SchemaOutOfDate, SchemaState
from bot.storage.models import DraftStatus, RequestStatus, parse_reference, reference_for
from bot.storage.service import get_request
from bot.text import visible
from bot.turns import ProcessTurns, TurnWorkerUnavailable
from bot.working_time import SNOOZE_CHOICES

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-bot",
        description="The L&D intake desk: run the triage conversation and read the desk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="the triage conversation in this terminal")
    chat.add_argument("--as", dest="person", metavar="NAME", help="who is typing (default: you)")
    chat.add_argument("--script", type=Path, metavar="FILE", help="read one reply per line")
    chat.set_defaults(handler=run_chat)

    requests = commands.add_parser("requests", help="list or show requests")
    requests_commands = requests.add_subparsers(dest="requests_command", required=True)
    listing = requests_commands.add_parser("list", help="all requests, newest first")
    listing.add_argument("--status", choices=[s.value for s in RequestStatus])
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_requests_list)
    show = requests_commands.add_parser("show", help="one request with history and audit trail")
    show.add_argument("reference", metavar="ID", help="TR-0042 or 42")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler=run_requests_show)

    export = commands.add_parser("export", help="the decision log, one row per request")
    export.add_argument("--format", choices=desk.EXPORT_FORMATS, default="csv")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    export.add_argument("--status", choices=[s.value for s in RequestStatus])
    export.set_defaults(handler=run_export)

    review = commands.add_parser("review", help="L&D reviewers: list and decide drafts")
    review_commands = review.add_subparsers(dest="review_command", required=True)
    review_list = review_commands.add_parser("list", help="drafts waiting for a reviewer")
    review_list.add_argument("--json", action="store_true")
    review_list.set_defaults(handler=run_review_list)
    for verb, text in (
        ("approve", "approve a draft as it is"),
        ("reject", "reject a draft"),
        ("edit", "approve a classification with your changes"),
    ):
        decide = review_commands.add_parser(verb, help=text)
        decide.add_argument("draft_id", type=int, metavar="DRAFT")
        decide.add_argument("--as", dest="person", metavar="NAME", help="the reviewer")
        if verb == "reject":
            decide.add_argument("--reason", required=True)
        if verb == "edit":
            decide.add_argument("--category", required=True)
            decide.add_argument("--training-fit", choices=["yes", "no"])
        decide.set_defaults(handler=run_review_decide, verb=verb)

    assist = commands.add_parser("assist", help="how the drafts fare")
    assist_commands = assist.add_subparsers(dest="assist_command", required=True)
    report = assist_commands.add_parser("report", help="verdicts on drafts by prompt version")
    report.add_argument("--json", action="store_true")
    report.set_defaults(handler=run_assist_report)

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
        "--follow-up", choices=FOLLOW_UP_ANSWERS, help="answer the check-in: did the evidence move?"
    )
    decide.add_argument("--note", metavar="TEXT")
    decide.set_defaults(handler=run_decide)

    waiting = commands.add_parser("waiting", help="decisions and drafts waiting on someone")
    waiting.add_argument("--as", dest="person", metavar="NAME", help="whose desk (default: you)")
    waiting.set_defaults(handler=run_waiting)

    remind = commands.add_parser("remind", help="send the reminders that are due")
    remind.add_argument("--once", action="store_true", required=True, help="one sweep, then exit")
    remind.set_defaults(handler=run_remind)

    scheduler = commands.add_parser(
        "scheduler",
        help="the reminder scheduler alone (beside web replicas run with --no-scheduler)",
    )
    scheduler.set_defaults(handler=run_scheduler)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply migrations")
    upgrade.set_defaults(handler=run_db_upgrade)

    serve = commands.add_parser("serve", help="the HTTP server for Slack (and Teams)")
    _add_turns_option(serve)
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run the reminder scheduler here"
    )
    serve.set_defaults(handler=run_serve)

    socket = commands.add_parser("socket", help="Slack over Socket Mode (no public URL needed)")
    _add_turns_option(socket)
    socket.set_defaults(handler=run_socket)

    manifest = commands.add_parser("manifest", help="app manifests for the chat platforms")
    manifest_commands = manifest.add_subparsers(dest="manifest_command", required=True)
    slack_manifest = manifest_commands.add_parser("slack", help="a Slack app manifest (YAML)")
    slack_manifest.add_argument(
        "--url", metavar="URL", help="public https base URL; without it, Socket Mode"
    )
    slack_manifest.set_defaults(handler=run_manifest_slack)
    teams_manifest = manifest_commands.add_parser(
        "teams", help="a Teams app package (zip) for MICROSOFT_APP_ID"
    )
    teams_manifest.add_argument("--out", type=Path, required=True, metavar="FILE.zip")
    teams_manifest.add_argument(
        "--website", default="https://example.com", help="your site, for the app's store card"
    )
    teams_manifest.set_defaults(handler=run_manifest_teams)

    check = commands.add_parser("check", help="validate app.yaml and the environment")
    check.set_defaults(handler=run_check)
    return parser


def _add_turns_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--turns",
        choices=("process", "thread"),
        default="process",
        help="run chat turns in a worker process (default: the event loop keeps its core) "
        "or in threads of this process",
    )


def _use_turn_worker(args: argparse.Namespace, app: App) -> None:
    if args.turns == "process":
        app.turns = ProcessTurns(app.engine, app.settings, on_drafted=app.announce_drafts)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError, worded for people
        print(f"triage-bot: the environment is not valid: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings, interactive=args.handler is run_chat)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except (ConfigError, DatabaseUnavailable, SchemaOutOfDate, TurnWorkerUnavailable) as exc:
        print(f"triage-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.error("unexpected error %s", error_id, exc_info=True)
        print(
            f"triage-bot: something went wrong (error id {error_id}); the log has the details.",
            file=sys.stderr,
        )
        return 1


def _open(settings: Settings) -> App:
    return build_app(settings)


# -- chat -------------------------------------------------------------------------------------


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    lines: list[str] | None = None
    if args.script is not None:
        lines = _read_script(args.script)
    app = _open(settings)
    person = terminal_person(args.person or settings.terminal_user)
    if lines is None and not sys.stdin.isatty():
        lines = sys.stdin.read().splitlines()
    try:
        if lines is not None:
            ConsoleChannel(engine=app.engine, person=person).run_lines(lines)
        else:
            width = min(shutil.get_terminal_size().columns, 100)
            ConsoleChannel(engine=app.engine, person=person, width=width).run_interactive()
    finally:
        app.close()
    return EXIT_OK


def _read_script(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"cannot read the script {path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"cannot read the script {path}: it is a folder") from None
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read the script {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the script {path}: {exc.strerror}") from None


# -- reading the desk -------------------------------------------------------------------------


def run_requests_list(args: argparse.Namespace, settings: Settings) -> int:
    app = _open(settings)
    with app.database.session(write=False) as session:
        rows = desk.request_rows(session, app.config, status=args.status)
    if args.json:
        print(desk.to_json(list(reversed(rows))))
    else:
        print(visible(desk.render_list(rows, app.config.questions[0].id)))
    return EXIT_OK


def run_requests_show(args: argparse.Namespace, settings: Settings) -> int:
    request_id = parse_reference(args.reference)
    if request_id is None:
        print(
            f"triage-bot: {args.reference!r} is not a request reference (try TR-0042 or 42)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app = _open(settings)
    with app.database.session(write=False) as session:
        request = get_request(session, request_id=request_id)
        if request is None:
            print(f"triage-bot: no request {reference_for(request_id)}", file=sys.stderr)
            return EXIT_NOT_FOUND
        detail = desk.request_detail(session, app.config, request)
    print(desk.to_json(detail) if args.json else visible(desk.render_detail(detail)))
    return EXIT_OK


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    app = _open(settings)
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


# -- reviewing drafts -------------------------------------------------------------------------


def run_review_list(args: argparse.Namespace, settings: Settings) -> int:
    app = _open(settings)
    rows = [review_desk.pending_row(draft, request) for draft, request in app.assistant.pending()]
    if args.json:
        print(desk.to_json(rows))
    elif not rows:
        print("No drafts are waiting for review.")
    else:
        print(visible("\n\n".join(review_desk.render_pending(row) for row in rows)))
    return EXIT_OK


def run_review_decide(args: argparse.Namespace, settings: Settings) -> int:
    app = _open(settings)
    reviewer = terminal_person(args.person or settings.terminal_user)
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
    app = _open(settings)
    with app.database.session(write=False) as session:
        rows = review_desk.verdicts_by_prompt(session)
    print(desk.to_json(rows) if args.json else review_desk.render_report(rows))
    return EXIT_OK


# -- decisions and reminders ------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-31") from None


def run_decide(args: argparse.Namespace, settings: Settings) -> int:
    request_id = parse_reference(args.reference)
    if request_id is None:
        raise ConfigError(f"{args.reference!r} is not a request reference (try TR-0042 or 42)")
    app = _open(settings)
    decisions = app.decisions
    actor = terminal_person(args.person or settings.terminal_user)
    acting_on_open = args.outcome or args.snooze or args.reassign
    if acting_on_open or args.follow_up:
        found = (
            decisions.open_for(request_id) if acting_on_open else decisions.latest_for(request_id)
        )
        if found is None:
            print(f"triage-bot: {reference_for(request_id)} has no open decision", file=sys.stderr)
            return EXIT_NOT_FOUND
        decision_id = found.id or 0
        if args.outcome:
            result = decisions.record(
                decision_id=decision_id, outcome=args.outcome, note=args.note, by=actor
            )
        elif args.snooze:
            result = decisions.snooze(decision_id=decision_id, choice=args.snooze, by=actor)
        elif args.reassign:
            result = decisions.reassign(
                decision_id=decision_id, owner=terminal_person(args.reassign), by=actor
            )
        else:
            result = decisions.answer_follow_up(
                decision_id=decision_id, answer=args.follow_up, note=args.note, by=actor
            )
    else:
        missing = [
            flag
            for flag, value in (
                ("--owner", args.owner),
                ("--due", args.due),
                ("--next", args.next_decision),
                ("--review-type", args.review_type),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                "to assign a decision, give " + ", ".join(missing) + " (or --outcome to record one)"
            )
        result = decisions.assign(
            request_id=request_id,
            owner=terminal_person(args.owner),
            due=args.due,
            next_decision=args.next_decision,
            review_type=args.review_type,
            by=actor,
        )
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_NOT_FOUND


def run_waiting(args: argparse.Namespace, settings: Settings) -> int:
    app = _open(settings)
    person = terminal_person(args.person or settings.terminal_user)
    now = datetime.now(UTC)
    items = waiting_on(app.database, person, reviewer=app.assistant.is_reviewer(person), now=now)
    if not items:
        print(copy.WAITING_NOTHING)
    for item in items:
        print(visible(waiting_line(item)))
    return EXIT_OK


def run_remind(args: argparse.Namespace, settings: Settings) -> int:
    """One sweep through every configured channel (Slack, Teams, and terminal owners, whose
    reminders are printed), then exit: what cron or a Kubernetes CronJob runs."""
    import asyncio

    from bot.server import sweep_once_everywhere

    app = _open(settings)
    report = asyncio.run(sweep_once_everywhere(app, TerminalSender()))
    if report.skipped:
        print("Another process is sweeping right now; nothing was sent here.", file=sys.stderr)
    print(f"{report.sent} reminder(s) sent.", file=sys.stderr)
    return EXIT_OK


def run_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.server import run_reminders_only

    app = _open(settings)
    if not (settings.slack_enabled or settings.teams_enabled):
        raise ConfigError(
            "the scheduler sends reminders in Slack or Teams, and neither is configured; "
            "see triage-bot check (terminal owners: triage-bot remind --once)"
        )
    print("Sweeping reminders every minute; Ctrl-C to stop.", file=sys.stderr)
    asyncio.run(run_reminders_only(app))
    return EXIT_OK


# -- operations -------------------------------------------------------------------------------


def run_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    database = Database(settings.database_url)
    before = database.schema_status()
    if before.state is SchemaState.CURRENT:
        print(f"{database.display_url} is already at revision {before.code_revision}.")
        return EXIT_OK
    if before.state is SchemaState.UNKNOWN:
        raise SchemaOutOfDate(before, database.display_url)
    database.upgrade()
    print(
        f"Upgraded {database.display_url} from {before.database_revision or 'an empty database'} "
        f"to revision {before.code_revision}."
    )
    return EXIT_OK


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.server import build_web_app

    if settings.teams_emulator and args.host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(
            "TEAMS_EMULATOR=1 turns Bot Framework authentication off, so serve it on this "
            "machine only: add --host 127.0.0.1"
        )
    app = _open(settings)
    if not (settings.slack_enabled or settings.teams_enabled):
        print(
            "triage-bot: no chat channel is configured, serving /healthz and /metrics only; "
            "see triage-bot check",
            file=sys.stderr,
        )
    print(
        f"Serving on http://{args.host}:{args.port} (POST /slack/events, GET /healthz)",
        file=sys.stderr,
    )
    _use_turn_worker(args, app)
    web_app = build_web_app(app, run_scheduler=not args.no_scheduler)
    web.run_app(web_app, host=args.host, port=args.port, print=None)
    return EXIT_OK


def run_socket(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.channels.slack.socket import run_socket_mode

    if not settings.slack_app_token:
        raise ConfigError(
            "Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write)"
        )
    app = _open(settings)
    _use_turn_worker(args, app)
    print("Connecting to Slack over Socket Mode; Ctrl-C to stop.", file=sys.stderr)
    asyncio.run(run_socket_mode(app))
    return EXIT_OK


def run_manifest_slack(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.slack.manifest import slack_manifest_yaml

    if args.url and not args.url.startswith("https://"):
        raise ConfigError(f"--url must be a public https:// address, not {args.url!r}")
    sys.stdout.write(slack_manifest_yaml(public_url=args.url))
    return EXIT_OK


def _check_database(settings: Settings) -> tuple[str, bool]:
    """One line about the database, and whether it is usable; never creates anything."""
    try:
        database = Database(settings.database_url)
        if database.sqlite_file is not None and not database.sqlite_file.exists():
            return f"{database.display_url}: no file yet; it is created on first use", True
        status = database.schema_status()
    except DatabaseUnavailable as exc:
        return str(exc), False
    notes = {
        SchemaState.CURRENT: f"schema current ({status.code_revision})",
        SchemaState.EMPTY: "empty; it is set up on first use (or run: triage-bot db upgrade)",
        SchemaState.OUTDATED: f"schema {status.database_revision or '(none)'} is older than "
        f"{status.code_revision}; run: triage-bot db upgrade",
        SchemaState.UNKNOWN: f"schema {status.database_revision} is unknown to this version",
    }
    usable = status.state in (SchemaState.CURRENT, SchemaState.EMPTY)
    return f"{database.display_url}: reachable, {notes[status.state]}", usable


def run_manifest_teams(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.teams.manifest import teams_package

    if not settings.microsoft_app_id:
        raise ConfigError("the Teams package needs MICROSOFT_APP_ID (the bot's Azure app id)")
    package = teams_package(app_id=settings.microsoft_app_id, website=args.website)
    try:
        args.out.write_bytes(package)
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"Wrote {args.out}: upload it in Teams (Apps, Manage your apps, Upload an app).")
    return EXIT_OK


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    problems = 0
    try:
        config = load_app_config(settings.triage_config)
        print(
            f"config    {settings.triage_config}: valid ({len(config.questions)} questions, "
            f"{len(config.categories)} categories)"
        )
    except ConfigError as exc:
        print(f"config    {exc}")
        config = None
        problems += 1
    database_line, database_ok = _check_database(settings)
    print(f"database  {database_line}")
    problems += not database_ok
    print("terminal  on (triage-bot chat)")
    print(
        "slack     "
        + (
            "on"
            if settings.slack_enabled
            else "off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn it on)"
        )
    )
    print(
        "teams     "
        + (
            "on"
            if settings.teams_enabled
            else "off (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn it on)"
        )
    )
    llm_on = settings.llm_configured or (config is not None and config.llm.enabled)
    server = (
        settings.openai_base_url or (config.llm.base_url if config else None) or "api.openai.com"
    )
    model = settings.openai_model or (config.llm.model if config else None) or "(default model)"
    print(
        "llm       "
        + (f"on ({model} at {server})" if llm_on else "off (rule-based classification)")
    )
    return EXIT_USAGE if problems else EXIT_OK
