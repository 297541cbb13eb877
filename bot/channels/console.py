"""The terminal channel: the triage conversation typed at a prompt, or read from a script.

Buttons become the words to type (continue, submit, skip ...) and numbered options, so the same
flow works without a mouse. User text is shown with control characters made visible: an answer
can carry escape sequences, and they must not repaint the operator's terminal.
"""

from __future__ import annotations

import logging
import textwrap
import uuid
from collections.abc import Callable, Iterable

from bot.conversation import copy
from bot.conversation.commands import TriageAction
from bot.conversation.engine import Engine
from bot.messages import Inbound, Outbound, PersonRef, Summary, TurnResult
from bot.reminders.nudges import escalation_text, nudge_text
from bot.reminders.sweep import Nudge, is_nudge
from bot.text import shorten, visible

log = logging.getLogger(__name__)

PLATFORM = "terminal"
DISPLAY_LIMIT = 600
PROMPT = "you › "
LEAVE_WORDS = {"quit", "exit"}
"""Typed alone, these leave the terminal like Ctrl-D (quoted, "quit" is an answer)."""
BOT = "bot › "
GOODBYE = "Bye. Run triage-bot chat whenever you want to start a request."
PAUSED = (
    "Paused. Everything you typed is saved; "
    "run triage-bot chat again to pick up where you left off."
)

_TYPED_WORD: dict[str, str] = {
    TriageAction.CONTINUE: "continue",
    TriageAction.RESTART: "new",
    TriageAction.SUBMIT: "submit",
    TriageAction.SKIP: "skip",
    TriageAction.KEEP: "keep",
}


def terminal_person(name: str) -> PersonRef:
    return PersonRef(platform=PLATFORM, user_id=name.strip().casefold(), display_name=name.strip())


def render(message: Outbound) -> str:
    lines: list[str] = []
    body = shorten(visible(message.text), DISPLAY_LIMIT * 5)
    lines.append(f"[{message.progress}] {body}" if message.progress else body)
    if message.summary:
        lines.extend(_render_summary(message.summary))
    if message.hint:
        lines.append(f"  ({visible(message.hint)})")
    options = [b for b in message.buttons if b.action_id == TriageAction.CHOOSE]
    for number, button in enumerate(options, start=1):
        lines.append(f"  {number}) {visible(button.label)}")
    words = [_TYPED_WORD[b.action_id] for b in message.buttons if b.action_id in _TYPED_WORD]
    if words:
        lines.append("  → type: " + " · ".join(words))
    return "\n".join(lines)


def _render_summary(summary: Summary) -> list[str]:
    lines: list[str] = []
    for item in summary.items:
        lines.append(f"  {item.number}. {item.prompt}")
        if item.skipped:
            answer = "(skipped)"
        elif item.answer is None:
            answer = "(not answered yet)"
        else:
            answer = shorten(visible(item.answer), DISPLAY_LIMIT)
        lines.extend(f"     {line}" for line in answer.splitlines() or [""])
    lines.extend(f"  Note: {shorten(visible(note), DISPLAY_LIMIT)}" for note in summary.notes)
    return lines


class ConsoleChannel:
    def __init__(
        self,
        *,
        engine: Engine,
        person: PersonRef,
        write: Callable[[str], None] = print,
        width: int | None = None,
    ) -> None:
        self.engine = engine
        self.person = person
        self.write = write
        self.width = width
        self.answering: str | None = None
        self.in_progress = False

    def start(self) -> None:
        self._show(self.engine.handle(Inbound.start(self.person)))

    def reply(self, text: str) -> None:
        inbound = Inbound.say(self.person, text, answering=self.answering)
        try:
            result = self.engine.handle(inbound)
        except Exception as exc:  # a failed turn must not end the conversation: say so, go on
            error_id = uuid.uuid4().hex[:8]
            log.error("turn failed (error id %s): %s", error_id, type(exc).__name__, exc_info=True)
            self.write(BOT + copy.ERROR_APOLOGY.format(error_id=error_id))
            return
        self._show(result)

    def _show(self, result: TurnResult) -> None:
        self.answering = result.asking
        self.in_progress = result.request_reference is not None
        for message in result.messages:
            self.write(_prefix(render(message), self.width))

    def run_lines(self, lines: Iterable[str], *, echo: bool = True) -> None:
        """Scripted mode: one reply per line, the conversation printed like a transcript."""
        self.start()
        for line in lines:
            text = line.rstrip("\r\n")
            if echo:
                self.write(PROMPT + visible(text))
            if _is_leaving(text):
                break
            self.reply(text)
        self.write(PAUSED if self.in_progress else GOODBYE)

    def run_interactive(self, read: Callable[[str], str] = input) -> None:
        self.start()
        while True:
            try:
                text = read(PROMPT)
            except (EOFError, KeyboardInterrupt):
                self.write("\n" + (PAUSED if self.in_progress else GOODBYE))
                return
            if _is_leaving(text):
                self.write(PAUSED if self.in_progress else GOODBYE)
                return
            self.reply(text)


def _is_leaving(text: str) -> bool:
    return text.strip().casefold() in LEAVE_WORDS


def _prefix(text: str, width: int | None) -> str:
    """Indent under the bot's name, wrapping at word boundaries when the width is known."""
    lines: list[str] = []
    for number, line in enumerate(text.split("\n")):
        lead = BOT if number == 0 else " " * len(BOT)
        if width is None:
            lines.append(lead + line)
            continue
        stripped = line.lstrip(" ")
        inner = " " * len(BOT) + " " * (len(line) - len(stripped))
        lines.append(
            textwrap.fill(
                stripped,
                width,
                initial_indent=lead + line[: len(line) - len(stripped)],
                subsequent_indent=inner,
                break_on_hyphens=False,
            )
            or lead
        )
    return "\n".join(lines)


class TerminalSender:
    """Reminders for terminal owners, printed by ``triage-bot remind --once``: one line each,
    a digest under one heading, escalations marked for the reviewers."""

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write

    def deliver(self, nudges: list[Nudge]) -> None:
        if len(nudges) > 1:
            self.write(f"digest · {visible(nudges[0].recipient)} · {len(nudges)} waiting")
        for nudge in nudges:
            due = f" · due {nudge.due_at:%Y-%m-%d}" if is_nudge(nudge.kind) else ""
            kind = nudge.kind.replace("_", " ")
            self.write(
                f"{kind} · {visible(nudge.recipient)} · {nudge.reference} · "
                f"{visible(nudge_text(nudge))}{due}"
            )

    def escalate(self, nudge: Nudge, problem: str | None) -> None:
        self.write(f"to reviewers · {visible(escalation_text(nudge, problem))}")
