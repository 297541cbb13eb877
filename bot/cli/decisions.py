"""Decisions and reminders: ``decide``, ``remind --once`` and ``scheduler``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.channels.console import TerminalSender, terminal_person
from bot.cli.common import EXIT_NOT_FOUND, EXIT_OK, acting_person, open_app
from bot.config import ConfigError, Settings
from bot.decisions import copy
from bot.reminders.nudges import DecisionAction
from bot.storage.models import parse_reference, reference_for


def run_decide(args: argparse.Namespace, settings: Settings) -> int:
    """The decision flow's actions from flags: the same rules as the buttons in a chat."""
    request_id = parse_reference(args.reference)
    if request_id is None:
        raise ConfigError(f"{args.reference!r} is not a request reference (try TR-0042 or 42)")
    app = open_app(settings)
    actor = acting_person(args, settings)
    acting_on_open = args.outcome or args.snooze or args.reassign
    if acting_on_open or args.follow_up:
        desk = app.decisions
        found = desk.open_for(request_id) if acting_on_open else desk.latest_for(request_id)
        if found is None:
            reference = reference_for(request_id)
            nothing = (
                f"{reference} has no open decision"
                if acting_on_open
                else copy.NO_DECISION_TO_CHECK.format(reference=reference)
            )
            print(f"triage-bot: {nothing}", file=sys.stderr)
            return EXIT_NOT_FOUND
        decision = str(found.id or 0)
        if args.outcome:
            inputs = {"outcome": args.outcome, "note": args.note or ""}
            result = app.decision_flow.act(actor, DecisionAction.RECORD, decision, inputs)
        elif args.snooze:
            value = f"{decision}:{args.snooze}"
            result = app.decision_flow.act(actor, DecisionAction.SNOOZE, value, {})
        elif args.reassign:
            owner = _person_inputs(args.reassign)
            result = app.decision_flow.act(actor, DecisionAction.REASSIGN, decision, owner)
        else:
            value = f"{decision}:{args.follow_up}"
            note = {"note": args.note} if args.note else {}
            result = app.decision_flow.act(actor, DecisionAction.FOLLOW_UP, value, note)
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
        inputs = {
            **_person_inputs(args.owner),
            "due": args.due.isoformat(),
            "next": args.next_decision,
            "review_type": args.review_type,
        }
        result = app.decision_flow.act(actor, DecisionAction.ASSIGN, str(request_id), inputs)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_NOT_FOUND


def _person_inputs(name: str) -> dict[str, str]:
    """A terminal name as a form's person field: the id it is known by, and the name as typed."""
    person = terminal_person(name)
    return {"owner": person.user_id, "owner.name": person.display_name}


def run_remind(args: argparse.Namespace, settings: Settings) -> int:
    """One sweep through every configured channel (Slack, Teams, and terminal owners, whose
    reminders are printed), then exit: what cron or a Kubernetes CronJob runs."""
    from bot.server import sweep_once_everywhere

    app = open_app(settings)
    report = asyncio.run(sweep_once_everywhere(app, TerminalSender()))
    if report.skipped:
        print("Another process is sweeping right now; nothing was sent here.", file=sys.stderr)
    print(f"{report.sent} reminder(s) sent.", file=sys.stderr)
    return EXIT_OK


def run_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import run_reminders_only

    app = open_app(settings)
    if not (settings.slack_enabled or settings.teams_enabled):
        raise ConfigError(
            "the scheduler sends reminders in Slack or Teams, and neither is configured; "
            "see triage-bot check (terminal owners: triage-bot remind --once)"
        )
    print("Sweeping reminders every minute; Ctrl-C to stop.", file=sys.stderr)
    asyncio.run(run_reminders_only(app))
    return EXIT_OK
