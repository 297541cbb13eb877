"""One aiohttp application for every HTTP surface: Slack, (later) Teams, health and metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.app import App, keep_drafting_caught_up, reminder_senders, start_channels
from bot.channels.slack.app import WEB_API_TIMEOUT
from bot.channels.slack.http import HoldAck, SlackRequestGate
from bot.channels.teams.bot import TeamsBot
from bot.channels.web.app import build_desk_app
from bot.config import reveal
from bot.delivery.outbox import Outbox
from bot.metrics import Metrics
from bot.reminders.scheduler import ReminderService, start_scheduler
from bot.reminders.sweep import Sender, SweepReport, sweep
from bot.runtime.heap import freeze_startup_objects
from bot.storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)

SLACK_KEY = web.AppKey("slack", AsyncApp)
SLACK_HOLD_KEY: web.AppKey[HoldAck] = web.AppKey("slack_hold")
SLACK_OUTBOX_KEY = web.AppKey("slack_outbox", Outbox)
SLACK_GATE_KEY = web.AppKey("slack_gate", SlackRequestGate)
METRICS_KEY = web.AppKey("metrics", Metrics)
SESSION_KEY = web.AppKey("http_session", aiohttp.ClientSession)
TEAMS_KEY = web.AppKey("teams", TeamsBot)
REMINDERS_KEY = web.AppKey("reminders", ReminderService)
WRITE_PROBE_SECONDS = 2.0
"""/healthz says 503 when no write could start this soon: answers would not be stored."""
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(
    app: App,
    *,
    run_scheduler: bool = False,
    web_api_timeout: aiohttp.ClientTimeout = WEB_API_TIMEOUT,
) -> web.Application:
    """``web_api_timeout``: how long an outbound platform call may take (tests shorten it)."""
    web_app = web.Application(middlewares=[_count_requests], client_max_size=2 * 1024 * 1024)
    web_app[METRICS_KEY] = app.metrics

    async def lifecycle(web_app: web.Application) -> AsyncIterator[None]:
        # One pooled HTTP session for all Web API calls, created inside the running loop.
        await app.turns.start()
        async with aiohttp.ClientSession(timeout=web_api_timeout) as session:
            web_app[SESSION_KEY] = session
            live = start_channels(app, session)
            await live.start()
            if live.slack is not None:
                web_app[SLACK_KEY] = live.slack.bolt
                web_app[SLACK_HOLD_KEY] = live.slack.channel.hold_ack
                web_app[SLACK_OUTBOX_KEY] = live.slack.outbox
            if live.teams is not None:
                web_app[TEAMS_KEY] = live.teams
            web_app[REMINDERS_KEY] = app.reminders
            scheduler = start_scheduler(app.reminders) if run_scheduler else None
            catching_up = asyncio.get_running_loop().create_task(keep_drafting_caught_up(app))
            freeze_startup_objects()
            yield
            catching_up.cancel()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app.turns.close()  # while replies and draft announcements can still go out
            await live.close()

    web_app.cleanup_ctx.append(lifecycle)

    async def healthz(request: web.Request) -> web.Response:
        try:
            await asyncio.to_thread(app.database.check_writable, timeout=WRITE_PROBE_SECONDS)
        except DatabaseUnavailable as exc:
            return web.json_response({"status": "unavailable", "database": str(exc)}, status=503)
        problem = app.turns.problem()
        if problem is not None:
            return web.json_response(
                {"status": "unavailable", "database": "ok", "turns": problem}, status=503
            )
        return web.json_response({"status": "ok", "database": "ok", "turns": app.turns.kind})

    async def metrics_text(request: web.Request) -> web.Response:
        try:
            await asyncio.to_thread(app.database.ping)
            up = True
        except DatabaseUnavailable:
            up = False
        return web.Response(
            text=request.app[METRICS_KEY].render(database_up=up),
            content_type="text/plain",
            charset="utf-8",
        )

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_text)
    if app.settings.slack_enabled:
        web_app[SLACK_GATE_KEY] = SlackRequestGate(reveal(app.settings.slack_signing_secret) or "")
        web_app.router.add_post("/slack/events", _slack_events)
        if app.settings.slack_client_id and not app.settings.slack_bot_token:
            web_app.router.add_get("/slack/install", _slack_oauth)
            web_app.router.add_get("/slack/oauth_redirect", _slack_oauth)
    if app.settings.teams_enabled:
        web_app.router.add_post("/api/messages", _teams_messages)
    web_app.router.add_get("/desk", _to_desk)
    web_app.add_subapp("/desk", build_desk_app(app, base_url=app.settings.public_url))
    return web_app


def served_routes(web_app: web.Application) -> list[str]:
    """What the server answers, as ``METHOD /path``, read from its router so that the start-up
    line names only what is really served; an application mounted under a prefix shows as
    ``/prefix/*``."""
    mounted = {
        resource.canonical
        for resource in web_app.router.resources()
        if isinstance(resource, web.PrefixedSubAppResource)
    }
    routes: list[str] = []
    for resource in web_app.router.resources():
        if resource.canonical in mounted:
            entry = f"{resource.canonical}/*"
            routes += [] if entry in routes else [entry]
            continue
        routes += [f"{r.method} {resource.canonical}" for r in resource if r.method != "HEAD"]
    return routes


async def _to_desk(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/desk/")


async def _teams_messages(request: web.Request) -> web.StreamResponse:
    """Bot Framework activities; CloudAdapter answers 401 when authentication fails."""
    return await request.app[TEAMS_KEY].handle_http(request)


async def _slack_events(request: web.Request) -> web.Response:
    """Signature and timestamp first (401 otherwise), then Bolt, which acknowledges first."""
    return await request.app[SLACK_GATE_KEY].dispatch(
        request, request.app[SLACK_KEY], hold=request.app[SLACK_HOLD_KEY]
    )


async def _slack_oauth(request: web.Request) -> web.Response:
    flow = request.app[SLACK_KEY].oauth_flow
    assert flow is not None
    bolt_request = await to_bolt_request(request)
    if request.path == flow.install_path:
        return await to_aiohttp_response(await flow.handle_installation(bolt_request))
    return await to_aiohttp_response(await flow.handle_callback(bolt_request))


@web.middleware
async def _count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    route = (
        request.match_info.route.resource.canonical if request.match_info.route.resource else "?"
    )
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        request.app[METRICS_KEY].count_request(route, exc.status)
        raise
    request.app[METRICS_KEY].count_request(route, response.status)
    log.debug(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status,
        (time.perf_counter() - started) * 1000,
    )
    return response


async def run_reminders_only(app: App) -> None:
    """``triage-bot scheduler``: the sweep alone, for deployments whose web replicas run with
    --no-scheduler."""
    async with aiohttp.ClientSession() as session:
        app.reminders.senders.update(reminder_senders(app, session))
        scheduler = start_scheduler(app.reminders)
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)


async def sweep_once_everywhere(app: App, terminal: Sender) -> SweepReport:
    """``triage-bot remind --once``: one sweep through every configured channel, for cron.
    The sweep runs off the loop, since the senders hand their sends to it."""
    async with aiohttp.ClientSession() as session:
        senders = {"terminal": terminal, **reminder_senders(app, session)}
        return await asyncio.to_thread(sweep, app.database, now=app.engine.clock(), senders=senders)
