"""``triage-bot chat``: the triage conversation in this terminal, typed or scripted."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bot.channels.console import ConsoleChannel
from bot.cli.common import EXIT_OK, acting_person, open_app
from bot.config import ConfigError, Settings


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    lines: list[str] | None = None
    if args.script is not None:
        lines = _read_script(args.script)
    app = open_app(settings)
    person = acting_person(args, settings)
    if lines is None and not sys.stdin.isatty():
        lines = _replies(sys.stdin.read())
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
        return _replies(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"cannot read the script {path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"cannot read the script {path}: it is a folder") from None
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read the script {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the script {path}: {exc.strerror}") from None


def _replies(text: str) -> list[str]:
    """One reply a line. Only a line break ends one: str.splitlines would also break at a form
    feed (Ctrl-L) and other controls, which the engine drops from the text instead."""
    return text.removesuffix("\n").split("\n") if text else []
