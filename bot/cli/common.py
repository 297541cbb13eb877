"""What the commands share: exit codes, opening the desk, naming people and requests."""

from __future__ import annotations

import argparse

from bot.app import App, build_app
from bot.channels.console import terminal_person
from bot.cli import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE
from bot.config import Settings
from bot.messages import PersonRef
from bot.review import copy

__all__ = [
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "acting_person",
    "open_app",
    "reviewer_hint",
]


def open_app(settings: Settings) -> App:
    return build_app(settings)


def acting_person(args: argparse.Namespace, settings: Settings) -> PersonRef:
    """Who is typing: ``--as NAME``, or the terminal's user."""
    return terminal_person(args.person or settings.terminal_user)


def reviewer_hint(names: tuple[str, ...]) -> str:
    """How to act as a reviewer from a terminal, for refusals that need one."""
    if not names:
        return copy.NO_TERMINAL_REVIEWERS
    return copy.TERMINAL_REVIEWER_HINT.format(names=", ".join(names))
