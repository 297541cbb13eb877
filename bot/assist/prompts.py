"""Prompt files: one per LLM task, a version line on top, rendered with the request's answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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


def render_answers(answers: Mapping[str, str], prompts: Mapping[str, str]) -> str:
    """One line per answer, labelled with its question, for the model to read as data."""
    return "\n".join(
        f"- {prompts.get(question_id, question_id)} {text.strip()}"
        for question_id, text in answers.items()
        if text.strip()
    )
