"""The field's tests, as signals read out of a request's answers.

Each signal is one thing a performance consultant listens for in the triage, named after the
test it feeds:

- Mager and Pipe ask whether people could do it "if their life depended on it". People new to
  the task, product, equipment, rule or role, people who have never done or practised it, rare
  high-stakes tasks and skills no training covers say *no*: a knowledge or skill gap.
  People who did it right before, or who completed the training that exists, say *yes*: look at
  obstacles, consequences and feedback instead.
- Gilbert's Behavior Engineering Model puts most causes in the environment: information (missing
  or stale documents, stale courses, no feedback), resources (tools and systems that get in the
  way, steps and handoffs that do not work) and incentives (managers who do not follow up,
  consequences that reward the wrong thing). Ownership and evidence are where L&D's own
  decisions get stuck.

A signal is a set of phrasings, not one keyword: what people actually type ("the rookies",
"first rotation on nights", "since the upgrade"). The signals are the features the classifier
weighs (see classifier.py); each also carries the plain sentence a reviewer reads when the
verdict rests on it. Each test's signals are a table of their own (mager_pipe.py, gilbert.py,
ownership_evidence.py); this module finds them all in a request's answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.assist.signals.gilbert import GILBERT
from bot.assist.signals.mager_pipe import MAGER_AND_PIPE
from bot.assist.signals.ownership_evidence import OWNERSHIP_AND_EVIDENCE
from bot.assist.signals.signal import Signal

SIGNALS: tuple[Signal, ...] = (*MAGER_AND_PIPE, *GILBERT, *OWNERSHIP_AND_EVIDENCE)
BY_NAME = {signal.name: signal for signal in SIGNALS}


@dataclass(frozen=True)
class Found:
    signal: Signal
    question_id: str
    excerpt: str


def normalise(text: str) -> str:
    """What the patterns read: case folded, curly quotes straightened, spaces collapsed, and
    the contractions people type without apostrophes restored (dont, cant, isnt)."""
    text = text.casefold().replace("’", "'").replace("‘", "'")
    text = re.sub(
        r"\b(don|doesn|isn|aren|wasn|weren|haven|hasn|hadn|didn|won|wouldn|couldn|"
        r"shouldn|can)t\b",
        r"\1't",
        text,
    )
    return " ".join(text.split())


def detect(answers: Mapping[str, str]) -> list[Found]:
    """Every signal in every answer it is read from, in the order of the answers."""
    found: list[Found] = []
    for question_id, text in answers.items():
        lowered = normalise(text)
        if not lowered:
            continue
        for signal in SIGNALS:
            if question_id in signal.fields and (match := signal.find(lowered)):
                found.append(Found(signal, question_id, _excerpt(text, match)))
    return found


def _excerpt(text: str, match: re.Match[str], width: int = 90) -> str:
    """The words around what the signal heard, so a reviewer sees what a verdict rests on.
    The match is in the normalised text, whose offsets differ from the typed text's by a
    character per restored apostrophe: near enough for a window of 90."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    middle = (match.start() + match.end()) // 2
    start = max(0, min(middle - width // 2, len(text) - width))
    snippet = text[start : start + width].strip()
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")
