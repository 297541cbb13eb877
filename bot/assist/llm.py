"""Classification by a language model, behind the rules: any OpenAI-compatible endpoint.

The model only ever produces a draft. Its answer must be JSON naming a category from app.yaml;
anything else (timeouts, 429 and 5xx after the client's own retries, refusals, invalid JSON,
out-of-list categories, answers cut off by length) is retried a bounded number of times and then
replaced by the rule-based draft, labelled with why. Nothing here can block a conversation: it
runs after the requester has their reference.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import openai

from bot.assist.classifier import classify
from bot.assist.drafts import Drafted, DraftedQuestions
from bot.assist.prompts import load_examples, load_prompt, render_answers, render_examples
from bot.assist.questions import REVIEW_TYPES, rule_questions
from bot.assist.redaction import Redactor
from bot.assist.verdict import DEFAULT_TESTS, Classification
from bot.config import AppConfig, Settings, reveal

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
ATTEMPTS = 2  # tries for an unusable answer; the client itself retries 429, 5xx and timeouts


class ModelUnusable(Exception):
    """The model answered, but not with something we can use."""


def _schema(categories: list[str]) -> dict[str, object]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["category", "training_fit", "confidence", "evidence", "test"],
        "properties": {
            "category": {"type": "string", "enum": categories},
            "training_fit": {"type": "boolean"},
            "confidence": {"type": "number"},
            "evidence": {"type": "array", "items": {"type": "string"}},
            "test": {"type": "string"},
        },
    }


class LlmClassifier:
    def __init__(
        self, *, client: openai.OpenAI, model: str, config: AppConfig, redactor: Redactor
    ) -> None:
        self.client = client
        self.model = model
        self.config = config
        self.redactor = redactor
        self.prompt = load_prompt("classify")
        self.categories = [category.id for category in config.categories]
        self.examples = load_examples("classify")

    @classmethod
    def from_settings(cls, settings: Settings, config: AppConfig) -> LlmClassifier:
        client = openai.OpenAI(
            api_key=reveal(settings.openai_api_key) or "not-needed",
            base_url=settings.openai_base_url or config.llm.base_url,
            timeout=config.llm.timeout_seconds,
            max_retries=2,
        )
        model = settings.openai_model or config.llm.model or DEFAULT_MODEL
        redactor = Redactor(enabled=config.llm.redact, patterns=config.llm.redact_patterns)
        return cls(client=client, model=model, config=config, redactor=redactor)

    def classify(self, answers: Mapping[str, str]) -> Classification:
        return self.draft(answers).classification

    def draft(self, answers: Mapping[str, str]) -> Drafted:
        """The model's classification, or the rules' with a note saying why not the model's."""
        message = self.prompt.render(
            categories="\n".join(
                f"- {c.id}: {c.label}" + (f" ({c.description})" if c.description else "")
                for c in self.config.categories
            ),
            examples=render_examples(self.examples, self.categories),
            answers=self._answers_for_model(answers),
        )
        asked = self._ask_json(
            message, "classification", _schema(self.categories), self._as_classification
        )
        if isinstance(asked, _Answer):
            return Drafted(classification=asked.value, **asked.provenance(self.prompt.version))
        return Drafted(
            classification=classify(answers, tuple(self.categories)),
            source="rules",
            model=self.model,
            prompt_version=self.prompt.version,
            note=f"model unavailable ({asked}); rule-based draft",
        )

    def reviewer_questions(self, answers: Mapping[str, str], category: str) -> DraftedQuestions:
        """Questions for the SME review from the model, or the templates with a note."""
        prompt = load_prompt("reviewer_questions")
        message = prompt.render(category=category, answers=self._answers_for_model(answers))
        asked = self._ask_json(message, "reviewer_questions", _QUESTIONS_SCHEMA, _as_questions)
        if isinstance(asked, _Answer):
            return DraftedQuestions(questions=asked.value, **asked.provenance(prompt.version))
        return DraftedQuestions(
            questions=rule_questions(category, answers),
            source="rules",
            model=self.model,
            prompt_version=prompt.version,
            note=f"model unavailable ({asked}); templates",
        )

    def _answers_for_model(self, answers: Mapping[str, str]) -> str:
        prompts = {q.id: q.prompt for q in self.config.questions}
        return render_answers({k: self.redactor(v) for k, v in answers.items()}, prompts)

    def _ask_json(
        self, message: str, name: str, schema: dict[str, object], convert: Any
    ) -> _Answer | str:
        """One JSON answer from the model, converted; or why there is none."""
        problem = "no answer"
        for attempt in range(1, ATTEMPTS + 1):
            started = time.perf_counter()
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "user", "content": message}],
                    temperature=0,
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": name, "schema": schema, "strict": True},
                    },
                )
                value = convert(_json_of(response))
            except openai.APIError as exc:  # the client already retried 429, 5xx and timeouts
                problem = _describe(exc)
                log.warning("model %s failed: %s", name, problem)
                break
            except ModelUnusable as exc:  # a bad answer may be a fluke: ask once more
                problem = str(exc)
                log.warning("model %s attempt %d unusable: %s", name, attempt, problem)
                continue
            usage = response.usage
            return _Answer(
                value=value,
                model=response.model or self.model,
                latency_ms=int((time.perf_counter() - started) * 1000),
                prompt_tokens=usage.prompt_tokens if usage else None,
                completion_tokens=usage.completion_tokens if usage else None,
            )
        return problem

    def _as_classification(self, data: dict[str, Any]) -> Classification:
        if data.get("category") not in self.categories:
            raise ModelUnusable(f"category {data.get('category')!r} is not in app.yaml")
        confidence = data.get("confidence")
        evidence = data.get("evidence") or []
        if not isinstance(confidence, int | float) or not isinstance(evidence, list):
            raise ModelUnusable("confidence or evidence missing")
        test = data.get("test")
        return Classification(
            category=data["category"],
            training_fit=bool(data.get("training_fit")),
            confidence=round(min(max(float(confidence), 0.0), 1.0), 2),
            evidence=tuple(str(item)[:300] for item in evidence[:3]),
            test=str(test)[:300]
            if isinstance(test, str) and test.strip()
            else (DEFAULT_TESTS.get(data["category"], "")),
        )


@dataclass(frozen=True)
class _Answer:
    value: Any
    model: str
    latency_ms: int
    prompt_tokens: int | None
    completion_tokens: int | None

    def provenance(self, prompt_version: str) -> dict[str, Any]:
        return {
            "source": "llm",
            "model": self.model,
            "prompt_version": prompt_version,
            "latency_ms": self.latency_ms,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


_QUESTIONS_SCHEMA: dict[str, object] = {
    "type": "object",
    "additionalProperties": False,
    "required": list(REVIEW_TYPES),
    "properties": {t: {"type": "array", "items": {"type": "string"}} for t in REVIEW_TYPES},
}


def _json_of(response: Any) -> dict[str, Any]:
    choices = getattr(response, "choices", None)
    choice = choices[0] if choices else None
    if choice is None:
        raise ModelUnusable("no choices in the answer")
    if choice.finish_reason == "length":
        raise ModelUnusable("the answer was cut off by length")
    if getattr(choice.message, "refusal", None):
        raise ModelUnusable("the model refused")
    try:
        data = json.loads(choice.message.content or "")
    except json.JSONDecodeError:
        raise ModelUnusable("the answer was not JSON") from None
    if not isinstance(data, dict):
        raise ModelUnusable("the answer was not a JSON object")
    return data


def _as_questions(data: dict[str, Any]) -> dict[str, list[str]]:
    questions = {}
    for review_type in REVIEW_TYPES:
        items = data.get(review_type)
        if not isinstance(items, list) or not all(isinstance(q, str) for q in items):
            raise ModelUnusable(f"{review_type} is not a list of questions")
        questions[review_type] = [q.strip()[:300] for q in items[:3] if q.strip()]
    if not any(questions.values()):
        raise ModelUnusable("no questions at all")
    return questions


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    return str(exc)
