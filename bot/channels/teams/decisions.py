"""Reminders in Teams: the reminder cards, and the sender the reminder sweep uses to reach
Teams people. Their buttons (Record / Snooze / Reassign, the check-in, the reviewer's Assign)
are answered by the decision flow through TeamsBot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.assist.service import Assistant
from bot.channels.teams import cards
from bot.messages import Button, Outbound
from bot.reminders.nudges import escalation_text, nudge_messages
from bot.reminders.sweep import Nudge, Undeliverable

if TYPE_CHECKING:
    from bot.channels.teams.bot import TeamsBot

log = logging.getLogger(__name__)

PLATFORM = "teams"
UNREACHABLE_STATUSES = {403, 404}
"""The Bot Connector's answer for a user who blocked or removed the bot, or left the tenant."""


def _buttons(buttons: Sequence[Button]) -> dict[str, Any]:
    return {"type": "ActionSet", "actions": [cards.action(b) for b in buttons]}


def nudge_card(messages: Sequence[Outbound]) -> dict[str, Any]:
    """A reminder, or a digest: each decision keeps its own buttons under its own text."""
    body: list[dict[str, Any]] = []
    for message in messages:
        body.append(cards.typed(message.text))
        if message.buttons:
            body.append(_buttons(message.buttons))
    return cards.adaptive_card(body)


class TeamsSender:
    """How the sweep (on a scheduler thread) reaches Teams people: proactively, from the
    conversation reference kept at their last turn, on the server's event loop."""

    def __init__(
        self, *, teams: TeamsBot, assistant: Assistant, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.teams = teams
        self.assistant = assistant
        self.loop = loop

    def deliver(self, nudges: list[Nudge]) -> None:
        user_id = nudges[0].recipient_user_id
        reference = self.assistant.person_channel(PLATFORM, user_id)
        if reference is None:
            raise Undeliverable("has never chatted with the bot in Teams, so it cannot write")
        card = nudge_card(nudge_messages(nudges))
        self._run(self.teams.send_card_proactive(reference, card))

    def escalate(self, nudge: Nudge, problem: str | None) -> None:
        card = nudge_card([Outbound(escalation_text(nudge, problem))])
        self._run(self.teams.post_to_reviewers(nudge.request_id, card))

    def _run(self, work: Any) -> None:
        try:
            asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=120)
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in UNREACHABLE_STATUSES:
                raise Undeliverable(f"cannot be reached in Teams (HTTP {status})") from exc
            raise
