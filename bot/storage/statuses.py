"""The statuses a request, draft, decision and reminder go through.

Apart from the tables so that code that only names a status (the command line's choices, the
flows' checks) need not load the ORM.
"""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    DRAFTING = "drafting"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    AWAITING_DECISION = "awaiting_decision"
    DECIDED = "decided"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class DraftStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"


class DecisionStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"
    """Due in the same sweep as a stronger nudge about the same decision, which said it all."""
    UNDELIVERABLE = "undeliverable"
    """The recipient cannot be reached (left, blocked the bot); reviewers were told instead."""
