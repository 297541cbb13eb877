"""Conversation tests that read like the conversation: send("hi"), expect("What task")."""

from __future__ import annotations

from bot.channels.console import render
from bot.conversation.engine import Engine
from bot.messages import Inbound, Outbound, PersonRef


class Transcript:
    def __init__(self, engine: Engine, person: PersonRef) -> None:
        self.engine = engine
        self.person = person
        self.replies: list[Outbound] = []
        self.asking: str | None = None
        self.reference: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(render(message) for message in self.replies)

    def start(self, title: str | None = None) -> Transcript:
        return self._turn(Inbound.start(self.person, title=title))

    def send(self, text: str, *, as_shown: bool = False) -> Transcript:
        """With as_shown, the reply is tied to the question this window last showed."""
        answering = self.asking if as_shown else None
        return self._turn(Inbound.say(self.person, text, answering=answering))

    def press(self, action_id: str, value: str = "") -> Transcript:
        return self._turn(Inbound.press(self.person, action_id, value))

    def button(self, label: str) -> Transcript:
        """Press the button with this label in the last replies, as a person would."""
        for message in reversed(self.replies):
            for button in message.buttons:
                if button.label == label:
                    return self.press(button.action_id, button.value)
        raise AssertionError(f"no button {label!r} in:\n{self.text}")

    def expect(self, *fragments: str) -> Transcript:
        for fragment in fragments:
            assert fragment in self.text, f"expected {fragment!r} in the reply:\n{self.text}"
        return self

    def expect_not(self, *fragments: str) -> Transcript:
        for fragment in fragments:
            assert fragment not in self.text, f"did not expect {fragment!r} in:\n{self.text}"
        return self

    def answer_all(self, answers: list[str]) -> Transcript:
        for answer in answers:
            self.send(answer)
        return self

    def _turn(self, inbound: Inbound) -> Transcript:
        result = self.engine.handle(inbound)
        self.replies = result.messages
        self.asking = result.asking
        self.reference = result.request_reference or self.reference
        return self
