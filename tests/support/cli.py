"""Running the real ``triage-bot`` command in a child process, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


def clean_env(**overrides: str) -> dict[str, str]:
    """The parent's environment without anything that could point at real services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SLACK_", "MICROSOFT_", "OPENAI_", "DATABASE_", "TRIAGE_", "PUBLIC_URL", "DESK_")
        )
    }
    env.update({"TRIAGE_CONFIG": str(PROJECT_ROOT / "app.yaml"), "PYTHONIOENCODING": "utf-8"})
    env.update(overrides)
    return env


def triage_bot(
    *args: str, env: dict[str, str], stdin: str = "", cwd: Path | None = None, timeout: float = 60
) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd or PROJECT_ROOT,
        timeout=timeout,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def in_process(*args: str, env: dict[str, str], stdin: str = "") -> Run:
    """The same command run inside the test's own process: the entry point, settings read from
    ``env``, output captured. For tests about what a command does rather than about the
    process itself (exit on a broken pipe, a terminal, several processes at once), it saves
    the second of start-up that a child process pays for every command."""
    import contextlib
    import io
    import logging

    from bot.cli import main

    saved_environment = dict(os.environ)
    saved_handlers, saved_level = logging.root.handlers[:], logging.root.level
    saved_stdin = sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse refusing the arguments
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdin = saved_stdin
        os.environ.clear()
        os.environ.update(saved_environment)
        logging.root.handlers[:] = saved_handlers
        logging.root.setLevel(saved_level)
    return Run(code, out.getvalue(), err.getvalue())
