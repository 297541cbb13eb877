"""The review flow in Slack: its card in the review channel, its buttons and its forms.

Every review button (Approve, Edit, Reject, Ask requester, and the requester's Answer) goes to
bot/review/flows.py, which decides who may act; this module only draws what it answers: a
modal for a form, the card redrawn in place, or a message only the person who pressed sees.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import escape
from bot.channels.slack.forms import (
    FORM_CALLBACK,
    card_blocks,
    form_of_view,
    form_view,
    view_inputs,
)
from bot.config import AppConfig
from bot.messages import ActResult, PersonRef
from bot.review import forms as review_forms
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

    def register(self, app: AsyncApp) -> None:
        for action_id in review_forms.ACTIONS:
            app.action(action_id)(self.on_action)
        app.view(FORM_CALLBACK)(self.on_form)

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

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self.refresh_group(client)
        person = acting_person(body)
        channel, ts = _where(body)
        result = await asyncio.to_thread(
            self.flow.act, person, str(action.get("action_id")), str(action.get("value") or "")
        )
        if result.form is not None:
            view = form_view(result.form, channel=channel, ts=ts)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        await self._show(client, person, channel, ts, result)

    async def on_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        action_id, value, channel, ts = form_of_view(view)
        person = acting_person(body)
        inputs = view_inputs(view)
        result = await asyncio.to_thread(self.flow.act, person, action_id, value, inputs)
        if result.errors:
            first = next(iter(inputs), "")
            errors = {field or first: problem for field, problem in result.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await self._show(client, person, channel, ts, result)

    async def _show(
        self, client: AsyncWebClient, person: PersonRef, channel: str, ts: str, result: ActResult
    ) -> None:
        """The card redrawn where it was pressed; otherwise the answer, to the presser only."""
        if result.ok and result.card is not None and channel and ts:
            card = result.card
            await client.chat_update(
                channel=channel, ts=ts, text=escape(card.text), blocks=card_blocks(card)
            )
            return
        if result.message and channel:
            await client.chat_postEphemeral(
                channel=channel, user=person.user_id, text=escape(result.message)
            )


def acting_person(body: dict[str, Any]) -> PersonRef:
    user = body.get("user") or {}
    team = user.get("team_id") or (body.get("team") or {}).get("id", "")
    return PersonRef(
        platform="slack",
        user_id=str(user.get("id", "")),
        workspace_id=team,
        display_name=str(user.get("name") or user.get("username") or ""),
    )


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """The channel and message a button was pressed on."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    ts = (body.get("message") or {}).get("ts") or container.get("message_ts") or ""
    return str(channel), str(ts)
