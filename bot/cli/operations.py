"""Running the desk: ``db upgrade``, ``serve``, ``socket``, ``manifest`` and ``check``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.app import build_app
from bot.cli.common import EXIT_OK, EXIT_USAGE
from bot.config import ConfigError, Settings, load_app_config
from bot.storage.database import Database, DatabaseUnavailable, SchemaOutOfDate, SchemaState

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
"""Where ``serve`` can be reached from this machine only (its default is the first)."""


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

    from bot.server import build_web_app, served_routes

    if settings.teams_emulator and args.host not in LOCAL_HOSTS:
        raise ConfigError(
            "TEAMS_EMULATOR=1 turns Bot Framework authentication off, so serve it on this "
            "machine only: add --host 127.0.0.1"
        )
    if args.base_url:
        os.environ["PUBLIC_URL"] = args.base_url  # the turn worker reads the environment itself
        settings = settings.model_copy(update={"public_url": args.base_url})
    app = build_app(settings, turn_worker=args.turns == "process")
    if not (settings.slack_enabled or settings.teams_enabled):
        print(
            "triage-bot: no chat channel is configured, so only the health check, the metrics "
            "and the web desk are served; see triage-bot check",
            file=sys.stderr,
        )
    web_app = build_web_app(app, run_scheduler=not args.no_scheduler)
    host = f"[{args.host}]" if ":" in args.host else args.host
    listening = f"Serving on http://{host}:{args.port} ({', '.join(served_routes(web_app))})"
    # aiohttp calls ``print`` once it is listening, so the line also says the server is ready.
    web.run_app(
        web_app,
        host=args.host,
        port=args.port,
        print=lambda _: print(listening, file=sys.stderr, flush=True),
    )
    return EXIT_OK


def run_socket(args: argparse.Namespace, settings: Settings) -> int:
    from bot.socket_mode import run_socket_mode

    if not settings.slack_app_token:
        raise ConfigError(
            "Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write)"
        )
    app = build_app(settings, turn_worker=args.turns == "process")
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
    from bot.channels.teams.manifest import placeholder_warning, teams_links, teams_package

    if not settings.microsoft_app_id:
        raise ConfigError("the Teams package needs MICROSOFT_APP_ID (the bot's Azure app id)")
    links = teams_links(load_app_config(settings.triage_config).teams_app, website=args.website)
    package = teams_package(app_id=settings.microsoft_app_id, links=links)
    try:
        args.out.write_bytes(package)
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"Wrote {args.out}: upload it in Teams (Apps, Manage your apps, Upload an app).")
    if warning := placeholder_warning(links):
        print(f"triage-bot: warning: {warning}", file=sys.stderr)
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
    if settings.microsoft_app_id and config is not None:
        from bot.channels.teams.manifest import placeholder_warning, teams_links

        if warning := placeholder_warning(teams_links(config.teams_app)):
            print(f"warning   {warning}")
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
