"""The reviewer's card in Slack: a request's drafts with Approve, Edit and Reject.

Only reviewers named in app.yaml can decide; anyone else gets a polite ephemeral refusal and the
attempt is audited. The card is redrawn in place after every verdict, showing who decided and
when, and a decided draft has no buttons left. Buttons carry the draft id only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.assist.questions import questions_as_lines, questions_from_lines
from bot.assist.service import CLASSIFICATION, Assistant, DraftView, ReviewCard, describe
from bot.channels.slack.blocks import escape
from bot.config import AppConfig
from bot.flows import copy
from bot.flows.nudges import DecisionAction
from bot.messages import PersonRef
from bot.storage.models import DraftStatus, RequestStatus
from bot.text import shorten

log = logging.getLogger(__name__)

APPROVE = "review-draft-approve"
EDIT = "review-draft-edit"
REJECT = "review-draft-reject"
REJECT_FORM = "review-reject-form"
EDIT_FORM = "review-edit-form"
GROUP_CACHE_SECONDS = 300
NOT_A_REVIEWER = "Only L&D reviewers can decide on drafts, so nothing was changed."


def _plain(text: str, limit: int = 2900) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit) or " ", "emoji": True}


def review_blocks(card: ReviewCard) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(f"Review {card.reference}", 150)},
        {"type": "context", "elements": [_plain(f"from {card.requester}", 200)]},
    ]
    for prompt, answer in card.answers:
        blocks.append({"type": "section", "text": _plain(f"{prompt}\n{answer}", 700)})
    for draft in card.drafts:
        kind = "Classification" if draft.kind == CLASSIFICATION else "Reviewer questions"
        blocks.append({"type": "divider"})
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{kind}* · _{escape(draft.label)}_"},
            }
        )
        blocks.append({"type": "section", "text": _plain(describe(draft))})
        if draft.note:
            blocks.append({"type": "context", "elements": [_plain(draft.note, 300)]})
        if draft.status == DraftStatus.PENDING:
            value = str(draft.id)
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"draft-{draft.id}",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": APPROVE,
                            "value": value,
                            "style": "primary",
                            "text": _plain("Approve", 70),
                        },
                        {
                            "type": "button",
                            "action_id": EDIT,
                            "value": value,
                            "text": _plain("Edit", 70),
                        },
                        {
                            "type": "button",
                            "action_id": REJECT,
                            "value": value,
                            "style": "danger",
                            "text": _plain("Reject", 70),
                        },
                    ],
                }
            )
        else:
            when = f" at {draft.decided_at:%Y-%m-%d %H:%M} UTC" if draft.decided_at else ""
            why = f": {draft.reason}" if draft.reason else ""
            blocks.append(
                {
                    "type": "context",
                    "elements": [
                        _plain(f"{draft.status.capitalize()} by {draft.decided_by}{when}{why}", 300)
                    ],
                }
            )
    if card.status in (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW):
        assign = {
            "type": "actions",
            "block_id": f"assign-{card.request_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": DecisionAction.ASSIGN.value,
                    "value": str(card.request_id),
                    "text": _plain("Assign decision", 70),
                }
            ],
        }
        return [*blocks[:49], assign]
    return blocks[:50]


class SlackReview:
    def __init__(self, *, assistant: Assistant, config: AppConfig) -> None:
        self.assistant = assistant
        self.config = config
        self._group_checked = -float(GROUP_CACHE_SECONDS)

    async def refresh_group(self, client: AsyncWebClient) -> None:
        """Members of review.slack_user_group count as reviewers; looked up every few minutes."""
        group = self.config.review.slack_user_group
        if not group or time.monotonic() - self._group_checked < GROUP_CACHE_SECONDS:
            return
        try:
            response = await client.usergroups_users_list(usergroup=group)
            self.assistant.group_reviewers["slack"] = frozenset(response.get("users") or [])
            self._group_checked = time.monotonic()
        except Exception as exc:  # keep the last known members rather than lock everyone out
            log.warning("could not read the members of user group %s: %r", group, exc)

    def register(self, app: AsyncApp) -> None:
        app.action(APPROVE)(self.on_approve)
        app.action(EDIT)(self.on_open_form)
        app.action(REJECT)(self.on_open_form)
        app.view(REJECT_FORM)(self.on_form)
        app.view(EDIT_FORM)(self.on_form)

    async def post(self, client: AsyncWebClient, request_id: int) -> None:
        """Put a newly drafted request in front of the reviewers."""
        channel = self.config.review.slack_review_channel
        if not channel:
            return
        card = await asyncio.to_thread(self.assistant.review_card, request_id)
        if card is None:
            return
        await client.chat_postMessage(
            channel=channel, text=f"Review {card.reference}", blocks=review_blocks(card)
        )

    async def on_approve(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self.refresh_group(client)
        reviewer = acting_person(body)
        draft_id = _draft_id(action.get("value"))
        await self._decide(client, body, reviewer, draft_id, DraftStatus.APPROVED, None, None)

    async def on_open_form(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self.refresh_group(client)
        reviewer = acting_person(body)
        draft_id = _draft_id(action.get("value"))
        channel = (body.get("channel") or {}).get("id", "")
        if draft_id is None or not self.assistant.is_reviewer(reviewer):
            verdict = DraftStatus.REJECTED if action["action_id"] == REJECT else DraftStatus.EDITED
            await self._decide(client, body, reviewer, draft_id, verdict, None, None)
            return
        card = await asyncio.to_thread(
            self.assistant.review_card, self.assistant.request_of(draft_id) or 0
        )
        draft = next((d for d in card.drafts if d.id == draft_id), None) if card else None
        if draft is None:
            return
        ts = (body.get("message") or {}).get("ts", "")
        metadata = json.dumps({"draft": draft_id, "channel": channel, "ts": ts})
        view = (
            _reject_view(metadata)
            if action["action_id"] == REJECT
            else _edit_view(metadata, draft, [c.id for c in self.config.categories])
        )
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def on_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Reject (a reason is required) or Edit, submitted from the form opened on the card."""
        metadata = json.loads(view.get("private_metadata") or "{}")
        values = view.get("state", {}).get("values", {})
        reason, edited = None, None
        if view.get("callback_id") == REJECT_FORM:
            verdict = DraftStatus.REJECTED
            reason = values.get("reason", {}).get("text", {}).get("value") or ""
            if not reason.strip():
                await ack(response_action="errors", errors={"reason": "A reason is required."})
                return
        else:
            verdict, edited = DraftStatus.EDITED, _edited_content(values)
        await ack()
        on_card = {
            **body,
            "channel": {"id": metadata.get("channel")},
            "message": {"ts": metadata.get("ts")},
        }
        draft_id = _draft_id(metadata.get("draft"))
        await self._decide(client, on_card, acting_person(body), draft_id, verdict, edited, reason)

    async def _decide(
        self,
        client: AsyncWebClient,
        body: dict[str, Any],
        reviewer: PersonRef,
        draft_id: int | None,
        verdict: DraftStatus,
        edited: dict[str, Any] | None,
        reason: str | None,
    ) -> None:
        channel = (body.get("channel") or {}).get("id")
        if draft_id is None:
            log.warning("refused a review action with no draft id from %s", reviewer.user_id)
            result_message, ok = "That button isn't one I recognise, so nothing was changed.", False
        else:
            result = await asyncio.to_thread(
                lambda: self.assistant.decide(
                    draft_id=draft_id,
                    reviewer=reviewer,
                    verdict=verdict,
                    edited=edited,
                    reason=reason,
                )
            )
            result_message, ok = result.message, result.ok
            if not self.assistant.is_reviewer(reviewer):
                result_message = NOT_A_REVIEWER
        if not ok:
            if channel:
                await client.chat_postEphemeral(
                    channel=channel, user=reviewer.user_id, text=result_message
                )
            return
        request_id = self.assistant.request_of(draft_id or 0)
        card = await asyncio.to_thread(self.assistant.review_card, request_id or 0)
        ts = (body.get("message") or {}).get("ts")
        if card is not None and channel and ts:
            await client.chat_update(
                channel=channel, ts=ts, text=f"Review {card.reference}", blocks=review_blocks(card)
            )
        if card is not None and card.decided:
            await self._tell_requester(client, card)

    async def _tell_requester(self, client: AsyncWebClient, card: ReviewCard) -> None:
        reference = await asyncio.to_thread(self.assistant.requester_channel, card.request_id)
        if reference and reference[0] == "slack" and reference[1].get("channel"):
            await client.chat_postMessage(
                channel=reference[1]["channel"], text=copy.REVIEWED.format(reference=card.reference)
            )
            await asyncio.to_thread(self.assistant.mark_review_told, card.request_id)


def acting_person(body: dict[str, Any]) -> PersonRef:
    user = body.get("user") or {}
    team = user.get("team_id") or (body.get("team") or {}).get("id", "")
    return PersonRef(
        platform="slack",
        user_id=str(user.get("id", "")),
        workspace_id=team,
        display_name=str(user.get("name") or user.get("username") or ""),
    )


def _draft_id(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _reject_view(metadata: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": REJECT_FORM,
        "private_metadata": metadata,
        "title": _plain("Reject draft", 24),
        "submit": _plain("Reject", 24),
        "close": _plain("Cancel", 24),
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": _plain("Why?", 100),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }


def _edit_view(metadata: str, draft: DraftView, categories: list[str]) -> dict[str, Any]:
    if draft.kind == CLASSIFICATION:
        options = [{"text": _plain(c, 75), "value": c} for c in categories]
        current = next(
            (o for o in options if o["value"] == draft.content.get("category")), options[0]
        )
        fit = "yes" if draft.content.get("training_fit") else "no"
        fit_options = [
            {"text": _plain("Yes", 75), "value": "yes"},
            {"text": _plain("No", 75), "value": "no"},
        ]
        blocks = [
            {
                "type": "input",
                "block_id": "category",
                "label": _plain("Category", 100),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": options,
                    "initial_option": current,
                },
            },
            {
                "type": "input",
                "block_id": "training_fit",
                "label": _plain("Is training the answer?", 100),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": fit_options,
                    "initial_option": next(o for o in fit_options if o["value"] == fit),
                },
            },
        ]
    else:
        text = questions_as_lines(draft.content)
        blocks = [
            {
                "type": "input",
                "block_id": "questions",
                "label": _plain("One question a line, as type: question", 100),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "initial_value": shorten(text, 2900),
                },
            }
        ]
    return {
        "type": "modal",
        "callback_id": EDIT_FORM,
        "private_metadata": metadata,
        "title": _plain("Edit draft", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }


def _edited_content(values: dict[str, Any]) -> dict[str, Any]:
    if "category" in values:
        category = values["category"]["value"].get("selected_option", {}).get("value")
        fit = values.get("training_fit", {}).get("value", {}).get("selected_option", {})
        return {"category": category, "training_fit": fit.get("value") == "yes"}
    return questions_from_lines(values.get("questions", {}).get("value", {}).get("value") or "")
