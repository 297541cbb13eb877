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
        if not key.startswith(("SLACK_", "MICROSOFT_", "OPENAI_", "DATABASE_", "TRIAGE_"))
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
