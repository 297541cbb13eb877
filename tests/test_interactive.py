"""The interactive terminal: a real pseudo-terminal, typed replies, Ctrl-D to pause."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import PROJECT_ROOT, clean_env


class Terminal:
    def __init__(self, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.child = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--as", "Ana"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=PROJECT_ROOT,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.screen = ""

    def read_until(self, text: str, timeout: float = 30) -> str:
        """Read the terminal until ``text`` shows up; the deadline only guards a hang."""
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never appeared; screen:\n{self.screen}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"terminal closed before {text!r}; screen:\n{self.screen}"
                self.screen += chunk.decode("utf-8", "replace")
        return self.screen

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def close(self) -> int:
        os.write(self.master, b"\x04")  # Ctrl-D
        self.read_until("Paused")
        code = self.child.wait(timeout=30)
        os.close(self.master)
        return code


def test_typing_at_the_prompt_and_pausing_with_ctrl_d(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'tty.db'}", TERM="dumb")
    terminal = Terminal(env)
    terminal.read_until("What task is failing?")
    terminal.read_until("you › ")
    terminal.type("New reps put discount codes in the wrong CRM field")
    terminal.read_until("[Question 2 of 6] Who performs it?")
    assert terminal.close() == 0

    again = Terminal(env)
    again.read_until("You were on question 2 of 6")
    again.type("continue")
    again.read_until("[Question 2 of 6]")
    assert again.close() == 0
