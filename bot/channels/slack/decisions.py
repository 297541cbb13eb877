"""Decisions in Slack: reminders with Record / Snooze / Reassign, the reviewer's Assign form,
and the sender the reminder sweep uses to reach Slack owners.

Buttons carry the decision (or request) id only; the decision desk re-checks who is acting,
so a press on someone else's reminder, a stale one or a tampered value is refused politely in
an ephemeral message and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.assist.service import Assistant
from bot.channels.slack.blocks import escape, turn_payloads
from bot.channels.slack.review import acting_person
from bot.config import AppConfig
from bot.flows import copy
from bot.flows.decisions import DecisionDesk, DecisionResult
from bot.flows.nudges import DecisionAction, escalation_text, nudge_messages, parse_choice
from bot.messages import PersonRef
from bot.reminders import Nudge, Undeliverable
from bot.text import shorten

log = logging.getLogger(__name__)

RECORD_FORM = "decision-record-form"
REASSIGN_FORM = "decision-reassign-form"
ASSIGN_FORM = "review-decision-form"
UNREACHABLE_ERRORS = {
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "user_is_restricted",
}
"""Slack's answers for a person the bot can never reach; anything else is worth a retry."""


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit) or " ", "emoji": True}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 100),
        "element": {"action_id": "value", **element},
        "optional": optional,
    }


def _modal(callback_id: str, title: str, submit: str, metadata: dict, blocks: list) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(metadata),
        "title": _plain(title, 24),
        "submit": _plain(submit, 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }


def _options(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"text": _plain(label, 75), "value": value} for value, label in pairs]


def record_view(decision_id: int, reference: str, next_decision: str, channel: str) -> dict:
    outcomes = _options(list(copy.OUTCOME_LABELS.items()))
    return _modal(
        RECORD_FORM,
        "Record decision",
        "Record",
        {"decision": decision_id, "channel": channel},
        [
            {"type": "section", "text": _plain(f"{reference}: {next_decision}", 2900)},
            _input("outcome", "Outcome", {"type": "static_select", "options": outcomes}),
            _input(
                "note",
                "Note (what was decided, by whom)",
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
                optional=True,
            ),
        ],
    )


def reassign_view(decision_id: int, reference: str, channel: str) -> dict:
    return _modal(
        REASSIGN_FORM,
        "Reassign decision",
        "Reassign",
        {"decision": decision_id, "channel": channel},
        [
            {"type": "section", "text": _plain(f"Who should decide on {reference}?", 2900)},
            _input("owner", "New owner", {"type": "users_select"}),
        ],
    )


def assign_view(
    request_id: int, reference: str, review_types: tuple[str, ...], channel: str
) -> dict:
    types = _options([(t, t.replace("_", " ")) for t in review_types])
    return _modal(
        ASSIGN_FORM,
        "Assign decision",
        "Assign",
        {"request": request_id, "channel": channel},
        [
            {"type": "section", "text": _plain(f"The decision {reference} waits for", 2900)},
            _input("owner", "Decision owner", {"type": "users_select"}),
            _input("due", "Due date", {"type": "datepicker"}),
            _input(
                "next",
                "Next decision needed",
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
            ),
            _input("review_type", "Review type", {"type": "static_select", "options": types}),
        ],
    )


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get("value") or {}


class SlackDecisions:
    def __init__(
        self,
        *,
        desk: DecisionDesk,
        assistant: Assistant,
        config: AppConfig,
        refresh_reviewers: Callable[[AsyncWebClient], Any] | None = None,
        kick: Callable[[], None] = lambda: None,
    ) -> None:
        self.desk = desk
        self.assistant = assistant
        self.config = config
        self.refresh_reviewers = refresh_reviewers
        self.kick = kick
        """Sweep now: what was just decided has a notice for someone waiting to go out."""

    def register(self, app: AsyncApp) -> None:
        app.action(DecisionAction.RECORD)(self.on_open_form)
        app.action(DecisionAction.REASSIGN)(self.on_open_form)
        app.action(DecisionAction.ASSIGN)(self.on_open_form)
        # buttons sharing an action id in one block carry a '.N' suffix (blocks.actions_block)
        choices = f"{DecisionAction.SNOOZE}|{DecisionAction.FOLLOW_UP}"
        app.action(re.compile(rf"^({choices})(\.\d+)?$"))(self.on_choice)
        app.view(RECORD_FORM)(self.on_form)
        app.view(REASSIGN_FORM)(self.on_form)
        app.view(ASSIGN_FORM)(self.on_form)

    # -- buttons ------------------------------------------------------------------------------

    async def on_open_form(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        person, channel = acting_person(body), _channel(body)
        parsed = parse_choice(str(action.get("value") or ""))
        if parsed is None:
            log.warning("refused a tampered %s from %s", action.get("action_id"), person.user_id)
            await _ephemeral(client, channel, person, copy.UNKNOWN_ACTION)
            return
        number = parsed[0]
        if action["action_id"] == DecisionAction.ASSIGN:
            await self._refresh(client)
            if not self.assistant.is_reviewer(person):
                await _ephemeral(
                    client, channel, person, "Only L&D reviewers can assign decisions."
                )
                return
            card = await asyncio.to_thread(self.assistant.review_card, number)
            if card is None:
                await _ephemeral(client, channel, person, copy.UNKNOWN_ACTION)
                return
            view = assign_view(number, card.reference, self.config.review.types, channel)
        else:
            await self._refresh(client)
            found = await asyncio.to_thread(
                lambda: self.desk.form_for(decision_id=number, by=person)
            )
            if isinstance(found, str):
                await _ephemeral(client, channel, person, found)
                return
            decision, reference = found
            view = (
                record_view(number, reference, decision.next_decision, channel)
                if action["action_id"] == DecisionAction.RECORD
                else reassign_view(number, reference, channel)
            )
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def on_choice(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A snooze or a check-in answer: the button's value carries the decision and choice."""
        await ack()
        await self._refresh(client)
        person, channel = acting_person(body), _channel(body)
        parsed = parse_choice(str(action.get("value") or ""))
        if parsed is None:
            await _ephemeral(client, channel, person, copy.UNKNOWN_ACTION)
            return
        decision_id, choice = parsed
        snoozing = str(action.get("action_id", "")).startswith(DecisionAction.SNOOZE)
        result = await asyncio.to_thread(
            lambda: (
                self.desk.snooze(decision_id=decision_id, choice=choice, by=person)
                if snoozing
                else self.desk.answer_follow_up(
                    decision_id=decision_id, answer=choice, note=None, by=person
                )
            )
        )
        await _answer(client, channel, person, result)

    # -- forms --------------------------------------------------------------------------------

    async def on_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = view.get("state", {}).get("values", {})
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except json.JSONDecodeError:
            metadata = {}
        callback = view.get("callback_id")
        person = acting_person(body)
        if callback == ASSIGN_FORM:
            due_text = _value(values, "due").get("selected_date") or ""
            try:
                date.fromisoformat(due_text)
            except ValueError:
                await ack(response_action="errors", errors={"due": "Pick a due date."})
                return
        await ack()
        await self._refresh(client)
        channel = str(metadata.get("channel") or "")
        team = person.workspace_id
        if callback == RECORD_FORM:
            outcome = (_value(values, "outcome").get("selected_option") or {}).get("value", "")
            note = _value(values, "note").get("value")
            result = await asyncio.to_thread(
                lambda: self.desk.record(
                    decision_id=_id(metadata.get("decision")), outcome=outcome, note=note, by=person
                )
            )
        elif callback == REASSIGN_FORM:
            owner = await _slack_person(client, team, _value(values, "owner").get("selected_user"))
            result = await asyncio.to_thread(
                lambda: self.desk.reassign(
                    decision_id=_id(metadata.get("decision")), owner=owner, by=person
                )
            )
        else:
            owner = await _slack_person(client, team, _value(values, "owner").get("selected_user"))
            review_type = (_value(values, "review_type").get("selected_option") or {}).get(
                "value", ""
            )
            result = await asyncio.to_thread(
                lambda: self.desk.assign(
                    request_id=_id(metadata.get("request")),
                    owner=owner,
                    due=date.fromisoformat(_value(values, "due")["selected_date"]),
                    next_decision=_value(values, "next").get("value") or "",
                    review_type=review_type,
                    by=person,
                )
            )
        if result.ok:
            self.kick()
        channel = channel or await _open_dm(client, person.user_id)
        await _answer(client, channel, person, result)

    # -- helpers ------------------------------------------------------------------------------

    async def _refresh(self, client: AsyncWebClient) -> None:
        if self.refresh_reviewers is not None:
            await self.refresh_reviewers(client)


class SlackSender:
    """How the sweep (on a scheduler thread) reaches Slack people: through the shared client on
    the server's event loop, whose retry handlers already honour 429 Retry-After."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        assistant: Assistant,
        config: AppConfig,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.client = client
        self.assistant = assistant
        self.config = config
        self.loop = loop

    def deliver(self, nudges: list[Nudge]) -> None:
        asyncio.run_coroutine_threadsafe(self._deliver(nudges), self.loop).result(timeout=120)

    def escalate(self, nudge: Nudge, problem: str | None) -> None:
        channel = self.config.review.slack_review_channel
        if not channel:
            log.warning("no review channel to escalate %s to", nudge.reference)
            return
        text = escape(escalation_text(nudge, problem))
        asyncio.run_coroutine_threadsafe(
            self.client.chat_postMessage(channel=channel, text=text), self.loop
        ).result(timeout=120)

    async def _deliver(self, nudges: list[Nudge]) -> None:
        user_id = nudges[0].recipient_user_id
        try:
            found = await asyncio.to_thread(self.assistant.person_channel, "slack", user_id)
            channel = (found or {}).get("channel") or await _open_dm(self.client, user_id)
            for payload in turn_payloads(nudge_messages(nudges)):
                await self.client.chat_postMessage(channel=channel, **payload)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in UNREACHABLE_ERRORS:
                raise Undeliverable(f"cannot be reached in Slack ({error})") from exc
            raise


async def _answer(
    client: AsyncWebClient, channel: str, person: PersonRef, result: DecisionResult
) -> None:
    """A refusal only the presser sees; a done deed in the conversation."""
    if not result.ok:
        log.info("refused a decision action from %s: %s", person.user_id, result.message)
        await _ephemeral(client, channel, person, result.message)
        return
    await client.chat_postMessage(channel=channel, text=escape(result.message))


async def _ephemeral(client: AsyncWebClient, channel: str, person: PersonRef, text: str) -> None:
    if not channel:
        channel = await _open_dm(client, person.user_id)
    await client.chat_postEphemeral(channel=channel, user=person.user_id, text=escape(text))


async def _open_dm(client: AsyncWebClient, user_id: str) -> str:
    response = await client.conversations_open(users=user_id)
    return str(response["channel"]["id"])


async def _slack_person(client: AsyncWebClient, team: str, user_id: Any) -> PersonRef:
    """The person picked in a form, with their name and time zone when Slack tells us."""
    user_id = str(user_id or "")
    name, zone = "", None
    try:
        user = (await client.users_info(user=user_id)).get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or ""
        zone = user.get("tz")
    except Exception as exc:  # the reminder still reaches them; only the name is missing
        log.warning("users.info failed for %s: %r", user_id, exc)
    return PersonRef(
        platform="slack", user_id=user_id, workspace_id=team, display_name=name, time_zone=zone
    )


def _channel(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or "")


def _id(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else 0
