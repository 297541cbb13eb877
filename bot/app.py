"""Composition root: builds the pieces from configuration, so nothing else wires itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from bot.assist.service import Assistant
from bot.config import AppConfig, Settings, load_app_config
from bot.decisions.flows import DecisionFlow
from bot.engine import Clock, Engine, utc_now
from bot.flows.decisions import DecisionDesk
from bot.flows.waiting import WaitingItem, waiting_on
from bot.messages import PersonRef
from bot.review.flows import ReviewFlow
from bot.review.reviewers import Reviewers
from bot.scheduler import ReminderService
from bot.storage.database import Database
from bot.turns import ThreadTurns, Turns

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
    after_drafts: list[Callable[[int], None]] = field(default_factory=list)
    """Called with a request id once its drafts exist (channels put them before reviewers)."""

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
        for announce in self.after_drafts:
            announce(request_id)

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
) -> App:
    """Config, database (schema checked), engine and assistant. Raises ConfigError,
    DatabaseUnavailable or SchemaOutOfDate with messages meant for people."""
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

    def draft(request_id: int) -> None:
        if assistant.draft_for(request_id):
            app.announce_drafts(request_id)

    def draft_later(request_id: int) -> None:
        """The requester already has their reference; drafting happens beside the chat."""
        app.run_later(lambda: draft(request_id))

    engine.after_submit = draft_later
    return app
