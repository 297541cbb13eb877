"""The tables. Answers and audit events are append-only: a change is a new row, never an update."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from bot.storage.statuses import DecisionStatus, DraftStatus, ReminderStatus, RequestStatus


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database: SQLite keeps no zone, so one is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StatusType(TypeDecorator[StrEnum]):
    """A status column: stored as the plain string it always was (VARCHAR(20), so no migration),
    read back as its enum, so code compares and matches on ``RequestStatus.SUBMITTED`` rather
    than on spelled-out strings."""

    impl = AutoString(length=20)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


def _status(enum: type[StrEnum], default: StrEnum) -> Any:
    return Field(default=default, sa_column=Column(StatusType(enum), nullable=False, index=True))


def _utc_column(*, nullable: bool = False) -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=nullable))


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    workspace_id: str = Field(default="", max_length=100)
    platform_user_id: str = Field(max_length=200)
    display_name: str = Field(default="", max_length=200)
    time_zone: str | None = Field(default=None, max_length=64)
    created_at: datetime = _utc_column()


class Conversation(SQLModel, table=True):
    """Where one person stands in one channel; the row every turn locks."""

    __table_args__ = (UniqueConstraint("person_id", "platform"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=20)
    channel_ref: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    request_id: int | None = Field(default=None, foreign_key="request.id")
    step: str = Field(default="idle", max_length=40)
    question_id: str | None = Field(default=None, max_length=40)
    pushback_given: bool = False
    version: int = 0
    updated_at: datetime = _utc_column()


class Request(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=20)
    title: str | None = Field(default=None, sa_column=Column(Text))
    status: RequestStatus = _status(RequestStatus, RequestStatus.DRAFTING)
    category: str | None = Field(default=None, max_length=40)
    created_at: datetime = _utc_column()
    submitted_at: datetime | None = _utc_column(nullable=True)
    updated_at: datetime = _utc_column()

    @property
    def reference(self) -> str:
        return reference_for(self.id or 0)


class Answer(SQLModel, table=True):
    """One version of one answer; the highest version for a question is the current one."""

    __table_args__ = (UniqueConstraint("request_id", "question_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    question_id: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    skipped: bool = False
    version: int = 1
    answered_by: int = Field(foreign_key="person.id")
    answered_at: datetime = _utc_column()


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc_column()
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    action: str = Field(max_length=60)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Draft(SQLModel, table=True):
    """An AI or rule-based draft and the human verdict on it; the original is never changed."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    kind: str = Field(max_length=40)  # classification, reviewer_questions
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str = Field(max_length=20)  # llm, rules
    model: str | None = Field(default=None, max_length=100)
    prompt_version: str | None = Field(default=None, max_length=60)
    latency_ms: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    status: DraftStatus = _status(DraftStatus, DraftStatus.PENDING)
    final_content: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = _utc_column(nullable=True)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = _utc_column()


class Decision(SQLModel, table=True):
    """The decision a reviewed request waits for: who owns it, by when, and what is needed."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    next_decision: str = Field(sa_column=Column(Text, nullable=False))
    review_type: str = Field(max_length=40)
    due_at: datetime = _utc_column()
    status: DecisionStatus = _status(DecisionStatus, DecisionStatus.OPEN)
    outcome: str | None = Field(default=None, max_length=60)
    note: str | None = Field(default=None, sa_column=Column(Text))
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = _utc_column(nullable=True)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _utc_column()
    snoozed_until: datetime | None = _utc_column(nullable=True)
    follow_up_at: datetime | None = _utc_column(nullable=True)
    """When the owner is asked whether the evidence moved (the date the evidence answer named)."""
    follow_up_evidence: str | None = Field(default=None, sa_column=Column(Text))
    follow_up_answer: str | None = Field(default=None, max_length=20)
    follow_up_note: str | None = Field(default=None, sa_column=Column(Text))
    follow_up_by: int | None = Field(default=None, foreign_key="person.id")
    follow_up_answered_at: datetime | None = _utc_column(nullable=True)


class Reminder(SQLModel, table=True):
    """One planned nudge. Rows, not in-memory jobs: claimed with a conditional update, so each
    is sent once even when sweeps overlap, and a claim left by a crash can be taken again."""

    __table_args__ = (
        UniqueConstraint("decision_id", "sequence"),
        Index("ix_reminder_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)
    """Empty for a notice about a request with no decision yet (reviewed, a question)."""
    request_id: int | None = Field(default=None, foreign_key="request.id")
    """The request a decision-less notice is about."""
    clarification_id: int | None = Field(default=None, foreign_key="clarification.id")
    sequence: int
    kind: str = Field(max_length=20)  # see bot.reminders.sweep.Kind
    due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    status: ReminderStatus = _status(ReminderStatus, ReminderStatus.PENDING)
    claimed_at: datetime | None = _utc_column(nullable=True)
    sent_at: datetime | None = _utc_column(nullable=True)
    recipient_id: int | None = Field(default=None, foreign_key="person.id")
    """Who is told; empty means whoever owns the decision when it is sent."""
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class Clarification(SQLModel, table=True):
    """A question a reviewer put to the requester, and the requester's answer."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    asked_by: int = Field(foreign_key="person.id")
    question: str = Field(sa_column=Column(Text, nullable=False))
    asked_at: datetime = _utc_column()
    answer: str | None = Field(default=None, sa_column=Column(Text))
    answered_at: datetime | None = _utc_column(nullable=True)


class OutboxMessage(SQLModel, table=True):
    """Replies owed to a person, written in the transaction of the turn that made them: a
    crash after the commit, or a platform that answers 5xx for an hour, delays them but never
    loses them. Sent oldest first per person, so a retried reply never arrives after a later
    one."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    person_id: int = Field(foreign_key="person.id", index=True)
    destination: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """Where the platform delivers it (a Slack channel id, a Teams conversation reference)."""
    messages: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    """The neutral messages (bot.delivery.codec), drawn by the channel when sent."""
    reference: str | None = Field(default=None, max_length=20)
    created_at: datetime = _utc_column()
    next_attempt_at: datetime = _utc_column()
    """Until then the process that made the row is sending it itself; then anyone may."""
    parts_sent: int = 0
    """Platform messages already delivered, so a retry never repeats them."""
    maybe_sent_since: datetime | None = _utc_column(nullable=True)
    """A send of the next part may have reached the platform since then (it timed out, the
    connection dropped, a 5xx, or its sender died mid-send): look before posting it again."""
    attempts: int = 0
    sent_at: datetime | None = _utc_column(nullable=True)
    """Delivered, or given up on (then ``undeliverable``, and ``last_error`` says why)."""
    undeliverable: bool = False
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class ProcessedEvent(SQLModel, table=True):
    """Platform event ids already handled: a redelivered event is recognised and dropped."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    event_id: str = Field(max_length=200)
    received_at: datetime = _utc_column()


class DeskSignIn(SQLModel, table=True):
    """A single-use link into the web desk, given to a reviewer in their chat. Only the
    token's hash is kept, so the table is no use to someone who reads it."""

    __tablename__ = "desk_sign_in"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _utc_column()
    expires_at: datetime = _utc_column()
    used_at: datetime | None = _utc_column(nullable=True)


class DeskKey(SQLModel, table=True):
    """The key that seals web desk session cookies, made once and shared by every replica
    that uses the database (unless ``DESK_SESSION_KEY`` is set)."""

    __tablename__ = "desk_key"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100)
    created_at: datetime = _utc_column()


REFERENCE_PREFIX = "TR-"


def reference_for(request_id: int) -> str:
    return f"{REFERENCE_PREFIX}{request_id:04d}"


def parse_reference(text: str) -> int | None:
    """'TR-0042', 'tr-42' or '42' → 42; anything else → None."""
    cleaned = text.strip().upper().removeprefix(REFERENCE_PREFIX)
    if not cleaned.isdigit() or len(cleaned) > 9:
        return None
    return int(cleaned) if int(cleaned) > 0 else None
