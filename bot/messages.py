"""Platform-neutral messages: what channels hand the engine and what they get back to draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    TEXT = "text"
    ACTION = "action"
    START = "start"
    """A channel opened a session (terminal start, 'New request'): greet or offer to resume."""


@dataclass(frozen=True)
class PersonRef:
    """Who is speaking, as the platform names them."""

    platform: str
    user_id: str
    workspace_id: str = ""
    display_name: str = ""
    time_zone: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file or image someone sent: the bot cannot read it, but keeps where it is."""

    name: str
    link: str


@dataclass(frozen=True)
class Inbound:
    person: PersonRef
    kind: InboundKind = InboundKind.TEXT
    text: str = ""
    action_id: str = ""
    value: str = ""
    title: str | None = None
    conversation_ref: dict[str, Any] | None = None
    answering: str | None = None
    """The question id the client last showed; a reply meant for another question is not filed."""
    fresh: bool = False
    """START only: begin a new request even when one is in progress (it is cancelled)."""
    source_link: str | None = None
    """START only: a link to file as the new request's source material."""
    event_id: str | None = None
    """The platform's id for this delivery; a redelivery with the same id is dropped."""
    attachments: tuple[Attachment, ...] = ()
    """Files and images sent with the message (source material, or noted where not readable)."""
    reply_to: dict[str, Any] | None = None
    """Where the replies go. Given, they are kept in the outbox with the turn until the channel
    has delivered them, so a crash or an unreachable platform delays them instead of losing
    them."""

    @classmethod
    def say(cls, person: PersonRef, text: str, **extra: Any) -> Inbound:
        return cls(person=person, kind=InboundKind.TEXT, text=text, **extra)

    @classmethod
    def press(cls, person: PersonRef, action_id: str, value: str = "", **extra: Any) -> Inbound:
        return cls(
            person=person, kind=InboundKind.ACTION, action_id=action_id, value=value, **extra
        )

    @classmethod
    def start(cls, person: PersonRef, **extra: Any) -> Inbound:
        return cls(person=person, kind=InboundKind.START, **extra)


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT
    form: Form | None = None
    """Questions to answer before the action goes through (a reason, an edit, a person):
    Slack opens them in a modal, Teams on the card, the terminal takes them as flags."""


@dataclass(frozen=True)
class SummaryItem:
    number: int
    question_id: str
    prompt: str
    answer: str | None
    skipped: bool = False
    required: bool = True


@dataclass(frozen=True)
class Summary:
    request_id: int
    reference: str
    items: tuple[SummaryItem, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outbound:
    """One message. ``text`` is plain text; channels escape it for their own markup."""

    text: str
    buttons: tuple[Button, ...] = ()
    summary: Summary | None = None
    progress: str | None = None
    hint: str | None = None


@dataclass
class TurnResult:
    messages: list[Outbound] = field(default_factory=list)
    conversation_version: int = 0
    request_reference: str | None = None
    asking: str | None = None
    """The question the conversation now waits on, for clients that pass ``answering`` back."""
    duplicate: bool = False
    """The event was handled before (a platform retry): nothing changed, nothing to send."""
    submitted_request_id: int | None = None
    """Set on the turn that submitted a request, so drafting can start after the reply."""
    problem: str | None = None
    """Why an answer was not accepted (empty, not a link ...), for forms that show it inline."""
    refused: bool = False
    """The action was refused (stale, unknown, not yours): the card it came from stays as is."""
    outbox_id: int | None = None
    """The outbox row holding ``messages`` until they are delivered (see ``Inbound.reply_to``)."""
    person_id: int | None = None
    """Who the replies are for, as stored: the outbox keeps each person's replies in order."""


@dataclass(frozen=True)
class AnswerForm:
    """What a form needs to let someone rewrite one answer (a Slack modal, a Teams card)."""

    request_id: int
    question_id: str
    number: int
    prompt: str
    help: str
    current: str
    required: bool
    multiline: bool = True


@dataclass(frozen=True)
class RequestLine:
    """One row of 'My requests'."""

    request_id: int
    reference: str
    status: str
    task: str
    updated_at: datetime


# -- forms and cards: what a flow asks for and shows, whatever draws it ------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class TextField:
    id: str
    label: str
    initial: str = ""
    multiline: bool = True
    required: bool = True
    max_length: int = 2000


@dataclass(frozen=True)
class ChoiceField:
    id: str
    label: str
    options: tuple[Choice, ...]
    initial: str | None = None
    required: bool = True


@dataclass(frozen=True)
class PersonField:
    """Someone to pick. ``people`` are the ones a platform without a people search lists."""

    id: str
    label: str
    people: tuple[Choice, ...] = ()
    initial: str | None = None
    required: bool = True


@dataclass(frozen=True)
class DateField:
    id: str
    label: str
    initial: date | None = None
    required: bool = True


FormField = TextField | ChoiceField | PersonField | DateField


@dataclass(frozen=True)
class Form:
    """Questions a flow needs answered before it acts. Submitting sends ``action_id`` with
    ``value`` (ids only) and one input per field, by field id, back to the same flow."""

    action_id: str
    value: str
    title: str
    submit: str
    fields: tuple[FormField, ...]
    intro: str = ""


@dataclass(frozen=True)
class CardSection:
    heading: str = ""
    text: str = ""
    """Our own words."""
    typed: str = ""
    """What a person typed: drawn as plain text, never read as markup."""
    note: str = ""
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Card:
    """A message that is redrawn in place as things happen to it (a review card)."""

    title: str
    subtitle: str
    sections: tuple[CardSection, ...]
    text: str = ""
    """The plain-text fallback (notifications, screen readers)."""


@dataclass(frozen=True)
class ActResult:
    """What a flow answers to an action: a refusal or confirmation for the person who acted,
    a form to fill in first, the card redrawn, and field errors to show on the form."""

    ok: bool
    message: str = ""
    form: Form | None = None
    card: Card | None = None
    errors: dict[str, str] = field(default_factory=dict)
