"""Building the Bolt app: one shared Web API client, single-workspace token or OAuth installs."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.flow_actions import SlackFlowActions
from bot.channels.slack.manifest import BOT_SCOPES
from bot.channels.slack.oauth import async_installation_store, async_state_store
from bot.channels.slack.replies import replies_by_workspace, undelivered_notice
from bot.channels.slack.retries import retry_handlers
from bot.config import ConfigError, Settings, reveal
from bot.conversation.engine import Engine
from bot.decisions import flows as decision_flows
from bot.decisions.flows import DecisionFlow
from bot.decisions.waiting import WaitingItem
from bot.delivery.outbox import Outbox
from bot.messages import PersonRef
from bot.review import forms as review_forms
from bot.review.flows import ReviewFlow
from bot.runtime.turns import Turns
from bot.storage.database import Database

log = logging.getLogger(__name__)
SLACK_API_URL = "https://slack.com/api/"
WEB_API_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
"""For the shared HTTP session: with a session of its own, slack_sdk's ``timeout`` is not
applied, and aiohttp's default would wait five minutes on a stalled call."""
REVIEW_FORM = "review-flow-form"
DECISION_FORM = "decision-flow-form"


def build_web_client(
    settings: Settings, session: aiohttp.ClientSession | None, token: str | None = None
) -> AsyncWebClient:
    """Every Web API call goes through this client: a shared connection pool (a client without
    one opens a connection per call) and retries for 429 Retry-After, dropped connections and
    Slack's 5xx answers (but not for an outbox reply that may have landed: see retries.py)."""
    base_url = settings.slack_api_url or SLACK_API_URL
    return AsyncWebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        session=session,
        timeout=15,
        retry_handlers=retry_handlers(),
    )


class _ClientHoldsTheToken(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins; it is the
    same token, so the warning would only alarm operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


async def _nothing_to_do() -> None:
    return None


@dataclass
class SlackService:
    """The Bolt app, the listeners behind it and the outbox its replies go through."""

    bolt: AsyncApp
    channel: SlackChannel
    outbox: Outbox


def build_slack_app(
    *,
    settings: Settings,
    engine: Engine,
    database: Database,
    session: aiohttp.ClientSession | None,
    flows: Sequence[SlackFlowActions] = (),
    waiting: Callable[[PersonRef], list[WaitingItem]] | None = None,
    turns: Turns | None = None,
    review_channel: str | None = None,
) -> SlackService:
    if not settings.slack_signing_secret:
        raise ConfigError("Slack needs SLACK_SIGNING_SECRET (Basic Information in the app's page)")
    oauth_settings = None
    token = reveal(settings.slack_bot_token)
    if settings.slack_client_id and settings.slack_client_secret and not token:
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=reveal(settings.slack_client_secret) or "",
            scopes=list(BOT_SCOPES),
            installation_store=async_installation_store(settings.slack_client_id, database),
            state_store=async_state_store(database),
        )
        # Bolt's default asks auth.test about the stored token on every request, before the
        # acknowledgement: a slow Web API then makes every ack late. Its own cache, keyed by
        # token, asks once per token (a reinstall brings a new token, so a new check).
        oauth_settings.authorize = AsyncInstallationStoreAuthorize(
            logger=logging.getLogger("bot.channels.slack.bolt"),
            client_id=oauth_settings.client_id,
            client_secret=oauth_settings.client_secret,
            installation_store=oauth_settings.installation_store,
            cache_enabled=True,
        )
    elif not token:
        raise ConfigError(
            "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (installs through /slack/install)"
        )
    bolt_logger = logging.getLogger("bot.channels.slack.bolt")
    if not any(isinstance(f, _ClientHoldsTheToken) for f in bolt_logger.filters):
        bolt_logger.addFilter(_ClientHoldsTheToken())
    client = build_web_client(settings, session, token)
    app = AsyncApp(
        signing_secret=reveal(settings.slack_signing_secret),
        client=client,  # Bolt takes the token from it
        oauth_settings=oauth_settings,
        logger=bolt_logger,
    )
    outbox = Outbox(
        database,
        platform="slack",
        send=replies_by_workspace(_clients_by_workspace(app, settings, session)),
        clock=engine.clock,
        on_undeliverable=undelivered_notice(database, client, review_channel),
    )
    channel = SlackChannel(engine=engine, turns=turns, waiting=waiting, outbox=outbox)
    channel.register_events(app)
    if oauth_settings is not None:
        app.enable_token_revocation_listeners()  # uninstalled workspaces lose their tokens
    else:  # one workspace, one token: nothing to clean up, but Slack wants a 200
        app.event("app_uninstalled")(_nothing_to_do)
        app.event("tokens_revoked")(_nothing_to_do)
    for flow in flows:
        flow.register(app)  # before the channel's catch-all for unknown buttons
    channel.register(app)
    return SlackService(app, channel, outbox)


def _clients_by_workspace(
    app: AsyncApp, settings: Settings, session: aiohttp.ClientSession | None
) -> Callable[[dict[str, Any]], Awaitable[AsyncWebClient]]:
    """The client for a destination's workspace, outside any request: the app's own with one
    token; with installs, one per workspace from the installation store, kept for an hour."""
    known: dict[tuple[str | None, str | None], tuple[float, AsyncWebClient]] = {}

    async def client_for(destination: dict[str, Any]) -> AsyncWebClient:
        store = app.installation_store
        if store is None or app.client.token:
            return app.client
        key = (destination.get("enterprise_id"), destination.get("team_id"))
        cached = known.get(key)
        if cached is not None and time.monotonic() - cached[0] < 3600:
            return cached[1]
        bot = await store.async_find_bot(enterprise_id=key[0], team_id=key[1])
        if bot is None or not bot.bot_token:
            raise LookupError(f"the bot is not installed in workspace {key[1]}")
        client = build_web_client(settings, session, bot.bot_token)
        known[key] = (time.monotonic(), client)
        return client

    return client_for


def flow_actions(
    review: ReviewFlow,
    decisions: DecisionFlow,
    *,
    before: Callable[[AsyncWebClient], Awaitable[None]] | None = None,
) -> tuple[SlackFlowActions, ...]:
    """The review flow's and the decision flow's buttons and forms, each with its own modal."""
    return (
        SlackFlowActions(
            act=review.act, actions=review_forms.ACTIONS, form_callback=REVIEW_FORM, before=before
        ),
        SlackFlowActions(
            act=decisions.act,
            actions=decision_flows.ACTIONS,
            form_callback=DECISION_FORM,
            before=before,
        ),
    )
