"""Settings from the environment and the validated app.yaml.

This is the only module that reads ``os.environ``; everything else receives a ``Settings`` or an
``AppConfig``. A broken app.yaml stops the program with the file, the key and the problem.
"""

from __future__ import annotations

import getpass
import re
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A configuration problem a person can fix; the message says where and what."""


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    PERSON = "person"
    URL = "url"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Question(_Strict):
    id: Identifier
    prompt: Annotated[str, Field(min_length=1, max_length=300)]
    help: str = ""
    required: bool = True
    kind: QuestionKind = QuestionKind.TEXT
    options: tuple[str, ...] = ()
    asset_check: bool = False

    @model_validator(mode="after")
    def _choices_have_options(self) -> Question:
        if self.kind is QuestionKind.CHOICE and len(self.options) < 2:
            raise ValueError("a 'choice' question needs at least two options")
        if self.kind is not QuestionKind.CHOICE and self.options:
            raise ValueError("only 'choice' questions take options")
        return self


class AssetPushback(_Strict):
    asset_words: tuple[str, ...] = ("video", "course", "e-learning", "module", "training", "talk")
    behaviour_cues: tuple[str, ...] = ()
    """Words of the operator's own that name a problem, beside the ones the bot knows."""


class Category(_Strict):
    id: Identifier
    label: str
    description: str = ""
    """What belongs here, in a line: the model's prompt carries it."""


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ReviewSettings(_Strict):
    types: tuple[str, ...] = ("sme_facts", "workflow_judgment", "preferences", "risk", "approval")
    slack_user_ids: tuple[str, ...] = ()
    slack_user_group: str | None = None
    slack_review_channel: str | None = None
    teams_user_ids: tuple[str, ...] = ()
    teams_review_channel: str | None = None
    terminal_reviewers: tuple[str, ...] = ()

    def reviewer_ids(self, platform: str) -> tuple[str, ...]:
        """The reviewers named for one platform (a Slack user group is resolved by Slack)."""
        return {
            "slack": self.slack_user_ids,
            "teams": self.teams_user_ids,
            "terminal": self.terminal_reviewers,
        }.get(platform, ())


class WorkingHours(_Strict):
    start: time = time(9, 0)
    end: time = time(17, 0)

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError("working hours must start before they end")
        return self


class ReminderPolicy(_Strict):
    before_due_days: tuple[Annotated[int, Field(ge=0, le=60)], ...] = (2,)
    on_due_day: bool = True
    overdue_every_working_days: Annotated[int, Field(ge=1, le=30)] = 2
    escalate_after_overdue: Annotated[int, Field(ge=1, le=50)] = 3
    working_hours: WorkingHours = WorkingHours()
    working_days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    default_time_zone: str = "UTC"
    follow_up_question: str = "evidence"
    """The question whose answer may name a date; the owner is asked then whether it moved."""


class LlmSettings(_Strict):
    enabled: bool = False
    model: str | None = None
    base_url: str | None = None
    """An OpenAI-compatible server; OPENAI_BASE_URL wins. The key stays in OPENAI_API_KEY."""
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 20
    redact: bool = True
    redact_patterns: tuple[str, ...] = ()

    @field_validator("redact_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
        return patterns


class TeamsAppLinks(_Strict):
    """The three links on the Teams app's details page, which Teams requires. Left unset, the
    package points at https://example.com and ``triage-bot check`` says so."""

    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None

    @field_validator("website_url", "privacy_url", "terms_url")
    @classmethod
    def _https(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https://[^/\s]+\.[^/\s]+", url):
            raise ValueError(f"Teams needs a public https:// address here, not {url!r}")
        return url


class AppConfig(_Strict):
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    asset_pushback: AssetPushback = AssetPushback()
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    review: ReviewSettings = ReviewSettings()
    reminders: ReminderPolicy = ReminderPolicy()
    llm: LlmSettings = LlmSettings()
    teams_app: TeamsAppLinks = TeamsAppLinks()

    @model_validator(mode="after")
    def _ids_unique(self) -> AppConfig:
        for name, items in (("questions", self.questions), ("categories", self.categories)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"{name}: id {item.id!r} is used twice")
                seen.add(item.id)
        if not self.questions[0].required:
            raise ValueError("questions: the first question must be required")
        return self

    def question_number(self, question_id: str) -> int:
        """1-based position, as people count questions."""
        for number, question in enumerate(self.questions, start=1):
            if question.id == question_id:
                return number
        raise KeyError(question_id)


def load_app_config(path: Path) -> AppConfig:
    """Read and validate app.yaml, turning every failure into one readable ConfigError."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found. Run from the project folder or set TRIAGE_CONFIG "
            "to the path of your app.yaml."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    try:
        data: Any = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}:{where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(path, exc)) from None


def _describe_validation_error(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s)"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def _default_person_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "you"


class Settings(BaseSettings):
    """Environment: secrets and where things live. Channels switch on when credentials exist."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///triage.db"
    triage_config: Path = Path("app.yaml")
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str | None = None
    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str | None = None
    microsoft_openid_metadata_url: str | None = None
    """Where Bot Framework signing keys are looked up instead of Microsoft's (a proxy, a test)."""
    teams_emulator: bool = False
    """Serve /api/messages without Bot Framework authentication, for a local emulator only."""
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str | None = None
    public_url: str | None = None
    """Where people reach ``serve`` (https://desk.example.org): the web desk's sign-in links."""
    desk_session_key: SecretStr | None = None
    """Seals web desk session cookies; without it a key is made once and kept in the database."""
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    terminal_user: str = Field(default_factory=_default_person_name)

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_url(cls, url: str) -> str:
        """Accept the URLs people paste (postgres://, postgresql://) and pick the psycopg driver."""
        url = url.strip()
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_client_id))

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_emulator

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)


def reveal(secret: SecretStr | None) -> str | None:
    """A secret's value, where a library needs it; secrets stay SecretStr everywhere else, so
    they never show in a log line, a repr or an error message."""
    return secret.get_secret_value() if secret is not None else None


def redact_url_password(url: str) -> str:
    """The database URL as it may be printed: the password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))
