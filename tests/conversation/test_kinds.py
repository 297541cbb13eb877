"""Choice, date and link questions from a custom app.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_app_config
from bot.conversation.engine import Engine
from bot.messages import PersonRef
from bot.storage.database import Database
from tests.support.clock import FakeClock
from tests.support.transcript import Transcript

CONFIG = """
questions:
  - {id: task, prompt: "What task is failing?", kind: text}
  - {id: urgency, prompt: "How urgent is it?", kind: choice, options: [Low, Medium, High]}
  - {id: deadline, prompt: "When is it due?", kind: date}
  - {id: owner, prompt: "Who owns the process?", kind: person, required: false}
  - {id: links, prompt: "Links?", kind: url, required: false}
categories:
  - {id: unclear, label: Unclear}
"""


@pytest.fixture
def kinds_chat(database: Database, tmp_path: Path, clock: FakeClock) -> Transcript:
    path = tmp_path / "app.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    engine = Engine(database=database, config=load_app_config(path), clock=clock)
    return Transcript(engine, PersonRef(platform="terminal", user_id="kim"))


def test_choices_accept_a_number_a_label_or_a_button(kinds_chat: Transcript) -> None:
    kinds_chat.start().send("Invoices are approved twice")
    kinds_chat.expect("How urgent", "1) Low", "3) High")
    kinds_chat.send("Very").expect("Please pick one of: Low, Medium, High")
    kinds_chat.send("high").expect("When is it due?")
    kinds_chat.send("back").expect("Your current answer: High")
    kinds_chat.button("Low").expect("When is it due?")
    kinds_chat.send("2")
    kinds_chat.expect("couldn't read that as a date")
    kinds_chat.send("31 March 2027").expect("Who owns the process?", "(optional)")
    kinds_chat.send("skip").send("no links here").expect("paste at least one link")
    kinds_chat.send("see https://tickets.example.com/42").expect("Here is request")
    kinds_chat.expect("Low", "31 March 2027", "https://tickets.example.com/42")
