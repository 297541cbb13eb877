"""Who is an L&D reviewer: one answer for every action on every channel.

Named ids per platform come from app.yaml (Slack member ids, Teams AAD object ids, terminal
names); members of ``review.slack_user_group`` count too, as the Slack channel last read them.
"""

from __future__ import annotations

from bot.config import ReviewSettings
from bot.messages import PersonRef


class Reviewers:
    def __init__(self, review: ReviewSettings) -> None:
        self.review = review
        self.group_members: dict[str, frozenset[str]] = {}
        """Platform → reviewers it knows through a group; kept fresh by that platform."""

    def __call__(self, person: PersonRef) -> bool:
        return person.user_id in self.review.reviewer_ids(
            person.platform
        ) or person.user_id in self.group_members.get(person.platform, frozenset())
