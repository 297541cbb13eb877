"""The README's worked example of changing the questions, proven: its app.yaml entry is added
where the README says, and the conversation it shows is the one the engine holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import load_app_config
from bot.conversation.engine import Engine
from bot.messages import PersonRef
from bot.storage.database import Database
from tests.conftest import GOOD_ANSWERS
from tests.support.cli import PROJECT_ROOT, clean_env, in_process
from tests.support.clock import FakeClock
from tests.support.transcript import Transcript

SECTION = "### Changing the questions"


def readme_blocks(language: str) -> list[str]:
    """The fenced blocks of one language in the README's section on changing the questions."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(SECTION) :]
    section = section[: section.index("\n### ", len(SECTION))]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """The shipped app.yaml with the README's entry added after failure_point, as it says."""
    [entry] = readme_blocks("yaml")
    [question] = yaml.safe_load(entry)
    data = yaml.safe_load((PROJECT_ROOT / "app.yaml").read_text(encoding="utf-8"))
    ids = [q["id"] for q in data["questions"]]
    data["questions"].insert(ids.index("failure_point") + 1, question)
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def frequency_chat(database: Database, config_path: Path, clock: FakeClock) -> Transcript:
    engine = Engine(database=database, config=load_app_config(config_path), clock=clock)
    return Transcript(engine, PersonRef(platform="terminal", user_id="kim"))


def test_check_counts_the_new_question(config_path: Path, tmp_path: Path) -> None:
    env = clean_env(TRIAGE_CONFIG=str(config_path), DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    run = in_process("check", env=env)
    assert run.code == 0, run.out
    assert "valid (7 questions, 9 categories)" in run.out


def test_the_readme_conversation_is_the_one_the_choice_question_holds(
    frequency_chat: Transcript,
) -> None:
    frequency_chat.start().answer_all(GOOD_ANSWERS[:3])
    [shown] = readme_blocks("text")
    for line in shown.splitlines():
        if line.startswith("you › "):
            frequency_chat.send(line.removeprefix("you › "))
        else:  # a line of the bot's, as the terminal prints it
            frequency_chat.expect(line.removeprefix("bot › ").strip())

    frequency_chat.send("2").expect("Question 5 of 7", "What support already exists?")
    frequency_chat.send("back").expect("Your current answer: Every week")
    frequency_chat.button("Every month").expect("Question 5 of 7")  # Slack's and Teams' buttons
    frequency_chat.answer_all(GOOD_ANSWERS[3:])
    frequency_chat.expect("4. How often does it go wrong?", "Every month")
    frequency_chat.send("submit").expect("Your reference is TR-0001")
