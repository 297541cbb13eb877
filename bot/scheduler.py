"""Running the reminder sweep: APScheduler (3.x) calls it on an interval, once at a time.

The sweep itself lives in bot/reminders.py and is safe to run from several processes at once;
this module only decides when it runs and which platforms it can send to from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from bot.engine import Clock, utc_now
from bot.reminders import Nudge, sweep
from bot.storage.database import Database

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60
Sender = Callable[[Nudge], None]


class ReminderService:
    def __init__(self, *, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock
        self.senders: dict[str, Sender] = {}
        """Platform → how to reach an owner there; owners elsewhere wait for a process that can."""

    def sweep_once(self) -> int:
        if not self.senders:
            return 0
        try:
            return sweep(
                self.database, now=self.clock(), send=self._send, platforms=tuple(self.senders)
            )
        except Exception:  # the next run tries again; a failed send stays claimed, then retried
            log.exception("reminder sweep failed")
            return 0

    def _send(self, nudge: Nudge) -> None:
        self.senders[nudge.owner_platform](nudge)


def start_scheduler(
    service: ReminderService, *, every: int = SWEEP_EVERY_SECONDS
) -> BackgroundScheduler:
    """One periodic sweep; a run that is late or overlapping is merged, never doubled."""
    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    scheduler.add_job(service.sweep_once, "interval", seconds=every, id="reminder-sweep")
    scheduler.start()
    return scheduler
