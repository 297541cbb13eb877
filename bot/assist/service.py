"""The assistant, and the human gate every draft passes through.

The assistant drafts (drafting.py) and reads what reviewers see (reads.py); what it adds here is
the reviewer's verdict. A verdict is a conditional update (only a pending draft can be decided),
so double clicks and two reviewers at once end in exactly one decision; the original draft is
kept beside the final one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import col

from bot.assist.drafting import Drafting
from bot.assist.drafts import CLASSIFICATION
from bot.assist.reads import AssistantReads
from bot.config import AppConfig
from bot.conversation.engine import Clock, utc_now
from bot.messages import PersonRef
from bot.review.reviewers import Reviewers
from bot.storage import service
from bot.storage.database import Database, rows_changed
from bot.storage.models import Draft, DraftStatus, Request
from bot.storage.people import upsert_person

if TYPE_CHECKING:
    from bot.assist.llm import LlmClassifier


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    draft_id: int


class Assistant(Drafting, AssistantReads):
    """Drafts, the reads of the review side, and the verdicts on drafts, for every channel."""

    def __init__(
        self,
        *,
        database: Database,
        config: AppConfig,
        llm: LlmClassifier | None = None,
        clock: Clock = utc_now,
        reviewers: Reviewers | None = None,
    ) -> None:
        self.database = database
        self.config = config
        self.llm = llm
        self.clock = clock
        self.reviewers = reviewers or Reviewers(config.review)

    # -- the human gate ---------------------------------------------------------------------

    def is_reviewer(self, person: PersonRef) -> bool:
        return self.reviewers(person)

    def decide(
        self,
        *,
        draft_id: int,
        reviewer: PersonRef,
        verdict: DraftStatus,
        edited: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> Verdict:
        now = self.clock()
        with self.database.session() as session:
            person = upsert_person(session, ref=reviewer, now=now)
            draft = session.get(Draft, draft_id)
            if draft is None:
                return Verdict(False, f"There is no draft {draft_id}.", draft_id)
            if not self.is_reviewer(reviewer):
                service.record_audit(
                    session,
                    actor_id=person.id,
                    request_id=draft.request_id,
                    action="draft.decision_refused",
                    after={"draft_id": draft_id, "verdict": verdict.value},
                    now=now,
                )
                return Verdict(False, "Only L&D reviewers can decide on drafts.", draft_id)
            if verdict is DraftStatus.REJECTED and not (reason or "").strip():
                return Verdict(False, "A rejection needs a reason.", draft_id)
            if verdict is DraftStatus.EDITED and not edited:
                return Verdict(False, "An edit needs the edited draft.", draft_id)
            final = None if verdict is DraftStatus.REJECTED else (edited or draft.content)
            if draft.kind == CLASSIFICATION and final is not None:
                category = final.get("category")
                if category not in {c.id for c in self.config.categories}:
                    return Verdict(False, f"{category!r} is not a category in app.yaml.", draft_id)
            claimed = rows_changed(
                session.execute(
                    update(Draft)
                    .where(col(Draft.id) == draft_id, col(Draft.status) == DraftStatus.PENDING)
                    .values(
                        status=verdict.value,
                        final_content=final,
                        decided_by=person.id,
                        decided_at=now,
                        reason=reason,
                    )
                )
            )
            if claimed != 1:
                session.rollback()
                return Verdict(False, self._already_decided(draft_id), draft_id)
            request = session.get(Request, draft.request_id)
            if request is not None and draft.kind == CLASSIFICATION and final is not None:
                request.category = final["category"]
                request.updated_at = now
            service.record_audit(
                session,
                actor_id=person.id,
                request_id=draft.request_id,
                action=f"draft.{verdict.value}",
                before={"content": draft.content},
                after={"content": final, "reason": reason},
                now=now,
            )
        return Verdict(True, f"Draft {draft_id} {verdict.value}.", draft_id)

    def _already_decided(self, draft_id: int) -> str:
        with self.database.session(write=False) as session:
            draft = session.get(Draft, draft_id)
            who = service.people_by_id(
                session, ids=[draft.decided_by] if draft and draft.decided_by else []
            )
        if draft is None:
            return f"There is no draft {draft_id}."
        name = next((p.display_name or p.platform_user_id for p in who.values()), "someone")
        when = _when(draft.decided_at)
        return (
            f"Draft {draft_id} was already {draft.status} by {name}{when}, and each draft gets "
            "one verdict, so nothing changed."
        )


def _when(moment: datetime | None) -> str:
    return f" on {moment:%-d %b %Y} at {moment:%H:%M} UTC" if moment else ""
