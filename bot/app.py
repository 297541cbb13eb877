"""Composition root: builds the pieces from configuration, so nothing else wires itself.

``build_app`` makes storage, flows, assist and the reminder service; ``start_channels`` (inside a
running event loop) adds the chat channels that are configured, with each one's reminder
sender and its announcer of new drafts; ``reminder_senders`` gives a process without chat
endpoints (the scheduler, ``remind --once``) the senders alone. Channel code is imported only
here and only when configured, so commands that need no chat SDK never load one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.assist.catch_up import waiting_for_drafts
from bot.assist.service import Assistant
from bot.config import AppConfig, Settings, load_app_config, reveal
from bot.conversation.engine import Clock, Engine, utc_now
from bot.decisions.desk import DecisionDesk
from bot.decisions.flows import DecisionFlow
from bot.decisions.waiting import WaitingItem, waiting_on
from bot.messages import PersonRef
from bot.metrics import Metrics
from bot.reminders.scheduler import ReminderService
from bot.review.flows import ReviewFlow
from bot.review.reviewers import Reviewers
from bot.runtime.turns import ThreadTurns, Turns
from bot.storage.database import Database

if TYPE_CHECKING:
    import aiohttp

    from bot.channels.slack.app import SlackService
    from bot.channels.teams.bot import TeamsBot
    from bot.delivery.outbox import Outbox
    from bot.reminders.sweep import Sender

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    config: AppConfig
    database: Database
    engine: Engine
    assistant: Assistant
    reminders: ReminderService
    decisions: DecisionDesk
    turns: Turns
    """Where chat turns run; ``serve`` swaps in a turn worker process."""
    reviewers: Reviewers
    review: ReviewFlow
    decision_flow: DecisionFlow
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="assist")
    )
    _pending: set[Future[object]] = field(default_factory=set)
    metrics: Metrics = field(default_factory=Metrics)
    """Counters /metrics serves; every turn's duration is observed into it."""
    on_drafted: Callable[[int], None] | None = None
    """Told instead of the channels once a request's drafts exist (the turn worker passes them
    on to the server, whose channels announce them)."""
    submitted: list[int] | None = None
    """Requests submitted since the caller last drafted them, when it drafts them itself."""
    _announcers: list[Callable[[int], None]] = field(default_factory=list)

    def waiting_on(self, person: PersonRef) -> list[WaitingItem]:
        """'Waiting on me' for App Home and its Teams equivalent."""
        return waiting_on(
            self.database,
            person,
            reviewer=self.assistant.is_reviewer(person),
            now=self.engine.clock(),
        )

    def announce_drafts(self, request_id: int) -> None:
        """Drafts for this request exist: let every channel put them before reviewers."""
        if self.on_drafted is not None:
            self.on_drafted(request_id)
            return
        for announce in self._announcers:
            announce(request_id)

    def resume_drafting(self, *, older_than: timedelta) -> int:
        """Draft, beside whatever else runs, every request submitted more than ``older_than``
        ago that has no drafts yet; how many there were."""
        submitted_before = self.engine.clock() - older_than
        waiting = waiting_for_drafts(self.database, submitted_before=submitted_before)
        for request in waiting:
            assert request.id is not None
            log.info("drafting %s, whose drafting was cut off", request.reference)
            self.run_later(functools.partial(self._draft_and_announce, request.id))
        return len(waiting)

    def _draft_and_announce(self, request_id: int) -> None:
        if self.assistant.draft_for(request_id):
            self.announce_drafts(request_id)

    def run_later(self, job: Callable[[], object]) -> None:
        future = self.background.submit(job)
        self._pending.add(future)
        future.add_done_callback(self._finished)

    def _finished(self, future: Future[object]) -> None:
        self._pending.discard(future)
        if future.exception() is not None:
            log.error("background work failed", exc_info=future.exception())

    def drain(self, timeout: float = 30) -> None:
        """Wait for background work started so far (tests, and shutdown)."""
        wait(list(self._pending), timeout=timeout)

    def close(self) -> None:
        """Let drafts in progress finish (a terminal chat exits right after its last reply)."""
        self.background.shutdown(wait=True)


def load_config(settings: Settings) -> AppConfig:
    return load_app_config(settings.triage_config)


def build_app(
    settings: Settings,
    *,
    config: AppConfig | None = None,
    clock: Clock = utc_now,
    create_if_empty: bool = True,
    on_drafted: Callable[[int], None] | None = None,
    collect_submitted: bool = False,
    turn_worker: bool = False,
) -> App:
    """Config, database (schema checked), engine and assistant. Raises ConfigError,
    DatabaseUnavailable or SchemaOutOfDate with messages meant for people.

    ``collect_submitted``: where drafting is a millisecond of rules work and turns run one at a
    time (SQLite, no model), submitted requests are listed in ``App.submitted`` for the caller
    to draft between turns, instead of in a thread taking turns with them for the write lock.
    ``turn_worker``: chat turns run in a worker process (``serve`` and ``socket``), whose
    drafts are announced here."""
    config = config or load_config(settings)
    database = Database(settings.database_url)
    database.require_current_schema(create_if_empty=create_if_empty)
    engine = Engine(database=database, config=config, clock=clock)
    use_llm = settings.llm_configured or config.llm.enabled
    llm = None
    if use_llm:  # the openai client takes a second to import: only when it is used
        from bot.assist.llm import LlmClassifier

        llm = LlmClassifier.from_settings(settings, config)
    reviewers = Reviewers(config.review)
    assistant = Assistant(
        database=database, config=config, llm=llm, clock=clock, reviewers=reviewers
    )
    reminders = ReminderService(database=database, clock=clock)
    desk = DecisionDesk(database=database, config=config, clock=clock, is_reviewer=reviewers)
    review = ReviewFlow(
        database=database,
        config=config,
        assistant=assistant,
        reviewers=reviewers,
        clock=clock,
        kick=reminders.kick,
    )
    app = App(
        settings,
        config,
        database,
        engine,
        assistant,
        reminders,
        desk,
        ThreadTurns(engine),
        reviewers,
        review,
        DecisionFlow(
            desk=desk,
            reviewers=reviewers,
            review_types=config.review.types,
            review_card=review.card,
            clock=clock,
            kick=reminders.kick,
        ),
    )

    engine.observe = app.metrics.observe_turn
    engine.desk_url = settings.public_url
    app.on_drafted = on_drafted
    if turn_worker:
        from bot.runtime.turns import ProcessTurns

        app.turns = ProcessTurns(engine, settings, on_drafted=app.announce_drafts)
    if collect_submitted and llm is None and engine.max_parallel_turns == 1:
        app.submitted = []
        engine.after_submit = app.submitted.append
        return app

    def draft_later(request_id: int) -> None:
        """The requester already has their reference; drafting happens beside the chat."""
        app.run_later(functools.partial(app._draft_and_announce, request_id))

    engine.after_submit = draft_later
    return app


@dataclass
class LiveChannels:
    """The chat channels a running process serves."""

    slack: SlackService | None = None
    teams: TeamsBot | None = None

    async def start(self) -> None:
        """Replies an earlier process left undelivered go out before any new one."""
        for outbox in self._outboxes():
            await outbox.start()

    async def close(self) -> None:
        if self.teams is not None:
            await self.teams.after_answer.settled()  # the notices that followed an answer
        for outbox in self._outboxes():
            await outbox.close()

    def _outboxes(self) -> list[Outbox]:
        kept = [self.slack.outbox] if self.slack is not None else []
        if self.teams is not None and self.teams.outbox is not None:
            kept.append(self.teams.outbox)
        return kept


def start_channels(app: App, session: aiohttp.ClientSession, *, teams: bool = True) -> LiveChannels:
    """Inside the running event loop: the Bolt app and the Teams bot that are configured, each
    registered as the reminder sweep's way to reach its people, and as an announcer of new
    drafts to its reviewers. ``teams=False`` for Socket Mode, which serves Slack alone."""
    loop = asyncio.get_running_loop()
    live = LiveChannels()
    if app.settings.slack_enabled:
        from bot.channels.slack.app import build_slack_app, flow_actions
        from bot.channels.slack.decisions import SlackSender
        from bot.channels.slack.review import SlackReview

        review = SlackReview(flow=app.review, reviewers=app.reviewers, config=app.config)
        slack = build_slack_app(
            settings=app.settings,
            engine=app.engine,
            database=app.database,
            session=session,
            flows=flow_actions(app.review, app.decision_flow, before=review.refresh_group),
            waiting=app.waiting_on,
            turns=app.turns,
            review_channel=app.config.review.slack_review_channel,
        )
        bolt = slack.bolt
        live.slack = slack
        app.reminders.senders["slack"] = SlackSender(
            client=bolt.client, assistant=app.assistant, config=app.config, loop=loop
        )
        app._announcers.append(  # called from the drafting thread
            lambda request_id: _on_loop(loop, review.post(bolt.client, request_id))
        )
    if app.settings.teams_enabled and teams:
        from bot.channels.teams.decisions import TeamsSender

        bot = _teams_bot(app, keep_replies=True)
        live.teams = bot
        app.reminders.senders["teams"] = TeamsSender(teams=bot, assistant=app.assistant, loop=loop)
        app._announcers.append(lambda request_id: _on_loop(loop, bot.announce_drafts(request_id)))
    return live


DRAFT_CATCH_UP_SECONDS = 300.0
DRAFTING_CUT_OFF_AFTER = timedelta(minutes=5)
"""A request submitted this long ago and still without drafts had its drafting cut off: a
model call takes seconds."""


async def keep_drafting_caught_up(app: App) -> None:
    """For ``serve`` and ``socket``: at start-up, draft every request left without drafts;
    then, every few minutes, any whose drafting has been cut off since."""
    older_than = timedelta(0)
    while True:
        try:
            await asyncio.to_thread(app.resume_drafting, older_than=older_than)
        except Exception:
            log.exception("looking for requests left without drafts failed")
        older_than = DRAFTING_CUT_OFF_AFTER
        await asyncio.sleep(DRAFT_CATCH_UP_SECONDS)


def reminder_senders(app: App, session: aiohttp.ClientSession) -> dict[str, Sender]:
    """How a process without chat endpoints reaches Slack and Teams people: Slack through its
    own pooled client, Teams proactively through the Bot Connector."""
    loop = asyncio.get_running_loop()
    senders: dict[str, Sender] = {}
    if app.settings.slack_enabled:
        from bot.channels.slack.app import build_web_client
        from bot.channels.slack.decisions import SlackSender

        client = build_web_client(app.settings, session, reveal(app.settings.slack_bot_token))
        senders["slack"] = SlackSender(
            client=client, assistant=app.assistant, config=app.config, loop=loop
        )
    if app.settings.teams_enabled:
        from bot.channels.teams.decisions import TeamsSender

        senders["teams"] = TeamsSender(teams=_teams_bot(app), assistant=app.assistant, loop=loop)
    return senders


def _teams_bot(app: App, *, keep_replies: bool = False) -> TeamsBot:
    from bot.channels.teams.bot import TeamsBot, build_adapter

    return TeamsBot(
        engine=app.engine,
        adapter=build_adapter(app.settings),
        app_id=app.settings.microsoft_app_id or "",
        assistant=app.assistant,
        turns=app.turns,
        review=app.review,
        decision_flow=app.decision_flow,
        keep_replies=keep_replies,
    )


def _on_loop(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, None]) -> None:
    asyncio.run_coroutine_threadsafe(work, loop)
