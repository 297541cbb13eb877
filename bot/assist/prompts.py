"""Prompt files: one per LLM task, a version line on top, rendered with the request's answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: str

    def render(self, **values: str) -> str:
        return self.template.format(**values)


def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> Prompt:
    """`version: X`, a line `---`, then the template with {placeholders}."""
    text = (folder / f"{name}.md").read_text(encoding="utf-8")
    header, separator, template = text.partition("\n---\n")
    if not separator or not header.startswith("version:"):
        raise ValueError(f"{folder / name}.md must start with 'version: …' and a '---' line")
    return Prompt(name, header.removeprefix("version:").strip(), template.strip() + "\n")


# Marker characters, and the line breaks JSON leaves raw (NEL, line and paragraph separators).
_ESCAPED = ("<", ">", "\u0085", "\u2028", "\u2029")


def render_answers(answers: Mapping[str, str], prompts: Mapping[str, str]) -> str:
    """The answers as one JSON array of {question, answer}, one item a line, for the model to
    read as data. JSON turns an answer's newlines into ``\\n``, so no answer can add a line of
    its own, and ``<`` and ``>`` are written as ``\\u003c`` and ``\\u003e``, so no answer can
    spell the markers that close the block; nor can Unicode's own line separators break a line."""
    items = [
        json.dumps(
            {"question": prompts.get(question_id, question_id), "answer": text.strip()},
            ensure_ascii=False,
        )
        for question_id, text in answers.items()
        if text.strip()
    ]
    listed = "[\n" + ",\n".join(items) + "\n]"
    for character in _ESCAPED:
        listed = listed.replace(character, f"\\u{ord(character):04x}")
    return listed


def load_examples(name: str, folder: Path = PROMPTS_DIR) -> list[dict[str, Any]]:
    """Labelled examples for a prompt (``{name}_examples.json``), chosen from the development
    part of the labelled requests; none when the file is absent."""
    path = folder / f"{name}_examples.json"
    if not path.exists():
        return []
    examples: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return examples


def render_examples(examples: list[dict[str, Any]], categories: list[str]) -> str:
    """Each example's answers and the verdict a consultant gave, as JSON, one example a line.
    Examples whose category is not in app.yaml are left out."""
    lines = [
        json.dumps(
            {"answers": example["answers"], "verdict": example["verdict"]}, ensure_ascii=False
        )
        for example in examples
        if example["verdict"]["category"] in categories
    ]
    text = "\n".join(lines) if lines else "(none)"
    for character in _ESCAPED:
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text
