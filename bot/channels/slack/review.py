"""The review flow in Slack: its card in the review channel, and who counts as a reviewer.

Every review button (Approve, Edit, Reject, Ask requester, the requester's Answer) and every
decision button goes to its flow through channels/slack/flow_actions.py; this module posts a
new request's card and keeps the reviewer user group's members fresh.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import escape
from bot.channels.slack.forms import card_blocks
from bot.config import AppConfig
from bot.review.flows import ReviewFlow
from bot.review.reviewers import Reviewers

log = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 300


class SlackReview:
    def __init__(self, *, flow: ReviewFlow, reviewers: Reviewers, config: AppConfig) -> None:
        self.flow = flow
        self.reviewers = reviewers
        self.config = config
        self._group_checked = -float(GROUP_CACHE_SECONDS)

    async def refresh_group(self, client: AsyncWebClient) -> None:
        """Members of review.slack_user_group count as reviewers; looked up every few minutes."""
        group = self.config.review.slack_user_group
        if not group or time.monotonic() - self._group_checked < GROUP_CACHE_SECONDS:
            return
        try:
            response = await client.usergroups_users_list(usergroup=group)
            self.reviewers.group_members["slack"] = frozenset(response.get("users") or [])
            self._group_checked = time.monotonic()
        except Exception as exc:  # keep the last known members rather than lock everyone out
            log.warning("could not read the members of user group %s: %r", group, exc)

    async def post(self, client: AsyncWebClient, request_id: int) -> None:
        """Put a newly drafted request in front of the reviewers."""
        channel = self.config.review.slack_review_channel
        if not channel:
            return
        card = await asyncio.to_thread(self.flow.card, request_id)
        if card is None:
            return
        await client.chat_postMessage(
            channel=channel, text=escape(card.text), blocks=card_blocks(card)
        )
