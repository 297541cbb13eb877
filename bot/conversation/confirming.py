"""Asking a yes-or-no question before acting: a typo of a command ("stauts": did you mean
status?) before it is stored as an answer, and ``restart`` before it cancels the answers.

The question is a step of its own (Step.CONFIRM) that keeps the question or summary the person
was on, so whatever they reply they are back where they were. What is waiting to be confirmed
is an audit event, written when the question is asked: it is in the log either way, and the
conversation row needs no column for a question asked once in a while.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlmodel import col, select

from bot.conversation import copy
from bot.conversation.answers import check_answer
from bot.conversation.commands import Command, CommandName, TriageAction, near_command, normalised
from bot.conversation.state import Step
from bot.conversation.steps import QuestionSteps
from bot.conversation.views import NEW_REQUEST_KEY
from bot.messages import Button, ButtonStyle, Inbound, Outbound
from bot.storage import service
from bot.storage.models import AuditEvent

log = logging.getLogger(__name__)

CONFIRM_ASKED = "conversation.confirm_asked"
YES_WORDS = {"yes", "y", "yeah", "yep", "yes please", "sure", "ok", "okay", "confirm"}
DECLINE_WORDS = {"no", "n", "nope", "nah", "no thanks", "not now"}


@dataclass(frozen=True)
class Pending:
    """What a yes runs, and for a typo, the word a no sends on as typed."""

    command: CommandName
    word: str | None = None


class ConfirmSteps(QuestionSteps):
    # -- what the triage flow answers: a yes runs a command, a no sends the word on as typed ---

    def _on_text(self, inbound: Inbound, *, as_typed: bool = False) -> list[Outbound]:
        raise NotImplementedError

    def _on_command(self, command: Command) -> list[Outbound]:
        raise NotImplementedError

    # -- asking ---------------------------------------------------------------------------------

    def _ask_did_you_mean(self, word: str, command: str, name: CommandName) -> list[Outbound]:
        text = copy.DID_YOU_MEAN.format(command=command, word=word.strip())
        return self._ask_to_confirm(Pending(name, word), text, copy.BUTTON_YES, copy.BUTTON_NO)

    def _ask_to_restart(self) -> list[Outbound]:
        assert self.request is not None
        text = copy.RESTART_CONFIRM.format(reference=self.request.reference)
        return self._ask_to_confirm(
            Pending(CommandName.RESTART), text, copy.BUTTON_START_OVER, copy.BUTTON_CARRY_ON
        )

    def _ask_to_confirm(self, pending: Pending, text: str, yes: str, no: str) -> list[Outbound]:
        self._leave_resume_if_paused()
        self.conversation.step = Step.CONFIRM
        self._keep_unfiled_pending(pending)
        value = self._confirm_value(self.conversation.version)
        buttons = (
            Button(yes, TriageAction.CONFIRM, value, ButtonStyle.PRIMARY),
            Button(no, TriageAction.DECLINE, value),
        )
        return [Outbound(text, buttons=buttons)]

    def _confirm_value(self, version: int) -> str:
        """The request and the turn that asked: a button from an older question is stale."""
        key = str(self.request.id) if self.request is not None else NEW_REQUEST_KEY
        return f"{key}:{version}"

    def _is_current_confirm(self, value: str) -> bool:
        asked_at = self.conversation.version - 1  # the engine counts turns after each one
        return Step(self.conversation.step) is Step.CONFIRM and value == self._confirm_value(
            asked_at
        )

    def _leave_resume_if_paused(self) -> None:
        if self.request is not None and Step(self.conversation.step) is Step.RESUME:
            self._leave_resume()

    def _keep_unfiled_pending(self, pending: Pending) -> None:
        after: dict[str, str | int] = {
            "command": pending.command.value,
            "asked_at": self.conversation.version,
        }
        if pending.word is not None:
            after["text"] = pending.word
        service.record_audit(
            self.session,
            actor_id=self.person_id,
            request_id=self.request.id if self.request else None,
            action=CONFIRM_ASKED,
            after=after,
            now=self.now,
        )

    # -- the reply ------------------------------------------------------------------------------

    def _near_command(self, text: str) -> tuple[str, CommandName] | None:
        """The command a one-word reply is a typo of; a choice's own option is never one."""
        near = near_command(text)
        if near is None or self.conversation.question_id is None:
            return near
        question = self._current_question()
        return None if question.options and check_answer(question, text).text else near

    def _on_confirm_reply(self, inbound: Inbound, command: Command | None) -> list[Outbound]:
        pending = self._leave_confirm()
        if pending is None:  # nothing waiting after all: the reply is an ordinary one
            return self._on_text(inbound)
        said = normalised(inbound.text)
        if said in YES_WORDS or (command is not None and command.name is pending.command):
            return self._confirmed(pending)
        if pending.word is None:  # restart: anything else carries on, and commands still work
            if command is not None and command.name is not CommandName.CANCEL:
                return self._on_command(command)
            self._keep_unfiled("message.kept_at_confirm", inbound.text)
            return self._carry_on()
        if said in DECLINE_WORDS:
            return self._on_text(replace(inbound, text=pending.word), as_typed=True)
        return self._on_text(inbound)  # neither: a new message, taken as such

    def _on_confirm_button(self, inbound: Inbound, *, yes: bool) -> list[Outbound]:
        if not self._is_current_confirm(inbound.value):
            log.warning("stale confirmation %r from person %s", inbound.value, self.person_id)
            return self._refuse(copy.STALE_ACTION)
        pending = self._leave_confirm()
        if pending is None:
            return self._refuse(copy.STALE_ACTION)
        if yes:
            return self._confirmed(pending)
        if pending.word is None:
            return self._carry_on()
        typed = Inbound.say(inbound.person, pending.word)
        return self._on_text(typed, as_typed=True)

    def _confirmed(self, pending: Pending) -> list[Outbound]:
        if pending.command is CommandName.RESTART and pending.word is None:
            return self._restart()
        return self._on_command(Command(pending.command))

    def _carry_on(self) -> list[Outbound]:
        if self.request is None:
            return self._where_we_are()
        said = copy.RESTART_DECLINED.format(reference=self.request.reference)
        return [Outbound(said), *self._where_we_are()]

    # -- the step --------------------------------------------------------------------------------

    def _leave_confirm(self) -> Pending | None:
        """Back to the step the question was asked on; what was waiting, if anything was."""
        if Step(self.conversation.step) is not Step.CONFIRM:
            return None
        on_question = self.conversation.question_id is not None
        if self.request is None:
            self.conversation.step = Step.READY if on_question else Step.IDLE
        else:
            self.conversation.step = Step.ASKING if on_question else Step.SUMMARY
        return self._pending()

    def _pending(self) -> Pending | None:
        asked = self.session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.actor_id == self.person_id,
                AuditEvent.request_id == (self.request.id if self.request else None),
                AuditEvent.action == CONFIRM_ASKED,
            )
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
        after = asked.after if asked is not None else None
        if not after or after.get("asked_at") != self.conversation.version - 1:
            return None  # asked before another turn came between: nothing is waiting now
        if after.get("command") not in set(CommandName):
            return None
        word = after.get("text")
        return Pending(CommandName(after["command"]), word if isinstance(word, str) else None)
