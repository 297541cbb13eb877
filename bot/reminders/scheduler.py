"""Running the reminder sweep: APScheduler (3.x) calls it on an interval, once at a time.

The sweep itself lives in bot/reminders/sweep.py and is safe to run from several processes at once;
this module only decides when it runs and which platforms it can send to from here.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from bot.conversation.engine import Clock, utc_now
from bot.reminders.sweep import Sender, SweepReport, sweep
from bot.storage.database import Database
from bot.storage.housekeeping import Pruned, prune

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60
HOUSEKEEPING_EVERY_SECONDS = 3600


class ReminderService:
    def __init__(self, *, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock
        self.senders: dict[str, Sender] = {}
        """Platform → how to reach people there; people elsewhere wait for a process that can."""
        self._kicked = threading.Event()

    def sweep_once(self) -> SweepReport:
        if not self.senders:
            return SweepReport()
        try:
            return sweep(self.database, now=self.clock(), senders=self.senders)
        except Exception:  # the next run tries again; a claimed row is retried once it expires
            log.exception("reminder sweep failed")
            return SweepReport()

    def housekeeping(self) -> Pruned | None:
        """Old event ids, expired OAuth states and old delivered replies out (hourly)."""
        try:
            pruned = prune(self.database, now=self.clock())
        except Exception:  # the next hour tries again
            log.exception("housekeeping failed")
            return None
        if pruned.event_ids or pruned.oauth_states or pruned.replies:
            log.info(
                "housekeeping removed %d old event ids, %d expired OAuth states and %d "
                "delivered replies",
                pruned.event_ids,
                pruned.oauth_states,
                pruned.replies,
            )
        return pruned

    def kick(self) -> None:
        """Sweep soon, off the caller's thread: a notice just written (a new owner, an outcome)
        goes out now rather than at the next scheduled run."""
        if self.senders:
            threading.Thread(target=self.sweep_once, name="reminder-kick", daemon=True).start()


def start_scheduler(
    service: ReminderService, *, every: int = SWEEP_EVERY_SECONDS
) -> BackgroundScheduler:
    """One periodic sweep (and hourly housekeeping); a run that is late or overlapping is
    merged, never doubled."""
    from apscheduler.schedulers.background import BackgroundScheduler  # only where it runs

    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    scheduler.add_job(service.sweep_once, "interval", seconds=every, id="reminder-sweep")
    scheduler.add_job(
        service.housekeeping, "interval", seconds=HOUSEKEEPING_EVERY_SECONDS, id="housekeeping"
    )
    scheduler.start()
    return scheduler
