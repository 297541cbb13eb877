"""Sending what the outbox holds: at once after the turn, later after a failure or a crash.

The live path sends a turn's replies as soon as the turn has committed them, one person at a
time, so a person's replies leave in the order their turns ran. A reply that cannot go out (a
429 past the client's retries, a 5xx, a stall past the timeout) stays in its row, and the person
is *owed*: their newer replies queue behind it instead of overtaking it, and the loop here
retries with growing waits, oldest first. Rows left by a crash are taken again when the next
process starts. After a day of failures a reply is given up, logged, and the reviewers told.

Once, not only at least once: a send that failed in a way that may have delivered it anyway (a
timeout, a connection dropped after the request went, a 5xx), or whose sender died mid-send,
leaves ``maybe_sent_since`` on its row, and the next ``Attempt`` carries it, so a sender that can
look (Slack's history) checks before posting that part again. The first try never looks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.delivery import codec
from bot.messages import Outbound, TurnResult
from bot.storage import outbox as rows
from bot.storage.database import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
)
"""The wait after each failed try; after the last, hourly."""
GIVE_UP_AFTER = timedelta(hours=24)
CLAIM_FOR = timedelta(minutes=2)
"""How long a claimed row is this sender's; a sender that dies lets it go after this."""
POLL_SECONDS = 5.0
UNDELIVERED_NOTICE = (
    "I could not deliver a reply to {person} about {reference} ({error}), so they may be "
    "waiting on me. Their answers are stored; please check in with them."
)
"""What reviewers are told, in each channel, when a reply is given up on."""


class DeliveryFailed(Exception):
    """Some or none of a reply's platform messages went out. ``permanent``: the person can never
    be reached there (the account is gone, the bot was removed), so retrying is pointless.
    ``maybe_sent``: part ``parts_sent`` may have reached the platform all the same (no answer,
    or one that does not say), so the next try looks first."""

    def __init__(
        self, parts_sent: int, error: str, *, permanent: bool = False, maybe_sent: bool = False
    ) -> None:
        super().__init__(error)
        self.parts_sent = parts_sent
        self.error = error
        self.permanent = permanent
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class Attempt:
    """One try at a row: its id (a sender tags what it posts with it), the first part to send,
    and, when an earlier try may have got that part through, since when to look for it."""

    outbox_id: int
    skip: int = 0
    maybe_sent_since: datetime | None = None


class Send(Protocol):
    async def __call__(
        self, destination: dict[str, Any], messages: list[Outbound], attempt: Attempt
    ) -> None:
        """Deliver the messages' platform parts from ``attempt.skip`` on, in order, or raise
        DeliveryFailed saying how many of them (``skip`` included) went out."""
        ...


@dataclass
class Undelivered:
    """A reply given up on, for the reviewers."""

    outbox_id: int
    person_id: int
    reference: str | None
    error: str


@dataclass
class _Person:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class Outbox:
    def __init__(
        self,
        database: Database,
        *,
        platform: str,
        send: Send,
        clock: Clock,
        on_undeliverable: Callable[[Undelivered], Awaitable[None]] | None = None,
        retry_delays: Sequence[timedelta] = RETRY_DELAYS,
        give_up_after: timedelta = GIVE_UP_AFTER,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.database = database
        self.platform = platform
        self.send = send
        self.clock = clock
        self.on_undeliverable = on_undeliverable
        self.retry_delays = tuple(retry_delays)
        self.give_up_after = give_up_after
        self.poll_seconds = poll_seconds
        self.owed: set[int] = set()
        """People with an older reply still to deliver: their new replies wait behind it."""
        self._people: dict[int, _Person] = {}
        self._soon: set[asyncio.Task[None]] = set()
        self._live: set[int] = set()
        self._sent: list[int] = []
        self._marking: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._quiet = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Whatever an earlier process left unsent is due now, before any new reply."""
        self.owed |= await asyncio.to_thread(
            rows.release, self.database, platform=self.platform, now=self.clock()
        )
        if self.owed:
            log.info("%d people have replies still to deliver; sending them first", len(self.owed))
        self._loop = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        await self.settled()
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
        if self._marking is not None:
            await asyncio.gather(self._marking, return_exceptions=True)
        await self._mark_sent()

    async def deliver(
        self, result: TurnResult, destination: dict[str, Any], *, send: Send | None = None
    ) -> None:
        """The live path, right after the turn: send now (through ``send``, the request's own
        client, if given) unless an older reply is owed."""
        if result.duplicate:
            if result.person_id is not None:  # its replies may be in a row nobody is sending
                await self._recover(result.person_id)
            return
        if result.outbox_id is None or result.person_id is None or not result.messages:
            return
        person = self._person(result.person_id)
        try:
            async with person.lock:
                if result.person_id in self.owed:
                    await asyncio.to_thread(
                        rows.release_one,
                        self.database,
                        outbox_id=result.outbox_id,
                        now=self.clock(),
                    )
                    self.wake()
                    return
                self._live.add(result.outbox_id)
                try:
                    await self._send_row(
                        result.outbox_id,
                        result.person_id,
                        destination,
                        result.messages,
                        skip=0,
                        maybe_sent_since=None,  # nobody has tried it yet
                        attempts=0,
                        reference=result.request_reference,
                        created_at=None,
                        send=send,
                    )
                finally:
                    self._live.discard(result.outbox_id)
        finally:
            self._release_person(result.person_id)

    def deliver_soon(
        self, result: TurnResult, destination: dict[str, Any], *, send: Send | None = None
    ) -> None:
        """``deliver`` without waiting for it, for a channel that must answer its platform
        first (Teams gives its HTTP request 15 s, however slow the Bot Connector is). Calls
        made in turn order still send in turn order: each takes the person's lock in turn."""
        task = asyncio.get_running_loop().create_task(self.deliver(result, destination, send=send))
        self._soon.add(task)
        task.add_done_callback(self._done_soon)

    def _done_soon(self, task: asyncio.Task[None]) -> None:
        self._soon.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The row stays unsent; the retry loop takes it once its hold runs out.
            log.error("delivering a reply failed", exc_info=task.exception())

    def discard(self, result: TurnResult) -> None:
        """The channel showed these replies another way (inside a form): nothing is owed."""
        if result.outbox_id is not None:
            self._queue_sent(result.outbox_id)

    def wake(self) -> None:
        self._wake.set()

    async def settled(self) -> None:
        """Until no delivery is under way (for tests and a clean stop)."""
        while self._people or self._soon:
            if self._soon:
                await asyncio.gather(*self._soon, return_exceptions=True)
            else:
                await self._quiet.wait()

    async def run_once(self) -> int:
        """One pass over what is due; the number of replies delivered. Tests call it directly."""
        owed = await asyncio.to_thread(
            rows.claim_due,
            self.database,
            platform=self.platform,
            now=self.clock(),
            claim_for=CLAIM_FOR,
        )
        delivered = 0
        for row in owed:
            person = self._person(row.person_id)
            try:
                async with person.lock:
                    delivered += await self._deliver_owed(row)
            finally:
                self._release_person(row.person_id)
        await self._mark_sent()
        if self.owed:
            still = await asyncio.to_thread(self._owed_now)
            self.owed &= still
        return delivered

    # -- inside ------------------------------------------------------------------------------

    async def _deliver_owed(self, row: rows.Owed) -> int:
        try:
            messages = codec.decode(row.messages)
        except codec.UnreadableMessages as exc:
            await self._give_up(row.id, row.person_id, row.reference, f"unreadable: {exc}")
            return 0
        return await self._send_row(
            row.id,
            row.person_id,
            row.destination,
            messages,
            skip=row.parts_sent,
            maybe_sent_since=row.maybe_sent_since,
            attempts=row.attempts,
            reference=row.reference,
            created_at=row.created_at,
        )

    async def _send_row(
        self,
        outbox_id: int,
        person_id: int,
        destination: dict[str, Any],
        messages: list[Outbound],
        *,
        skip: int,
        maybe_sent_since: datetime | None,
        attempts: int,
        reference: str | None,
        created_at: datetime | None,
        send: Send | None = None,
    ) -> int:
        """1 if delivered; otherwise the row is kept for a retry (or given up) and 0."""
        started = self.clock()
        attempt = Attempt(outbox_id, skip, maybe_sent_since)
        try:
            await (send or self.send)(destination, messages, attempt)
        except DeliveryFailed as exc:
            failure: DeliveryFailed = exc
        except Exception as exc:  # a bug in a sender must not lose the reply either
            log.exception("sending reply %s failed unexpectedly", outbox_id)
            failure = DeliveryFailed(skip, repr(exc), maybe_sent=True)
        else:
            self._queue_sent(outbox_id)
            return 1
        now = self.clock()
        if failure.permanent or now - (created_at or now) >= self.give_up_after:
            await self._give_up(outbox_id, person_id, reference, failure.error)
            return 0
        wait = self.retry_delays[min(attempts, len(self.retry_delays) - 1)]
        log.warning(
            "could not deliver a reply for %s (%s); trying again in %.0f s",
            reference or "no request",
            failure.error,
            wait.total_seconds(),
        )
        self.owed.add(person_id)
        await asyncio.to_thread(
            rows.record_failure,
            self.database,
            outbox_id=outbox_id,
            parts_sent=max(failure.parts_sent, skip),
            error=failure.error,
            retry_at=now + wait,
            # The earliest try that may have got through: the window the next one looks in.
            maybe_sent_since=(maybe_sent_since or started) if failure.maybe_sent else None,
        )
        return 0

    async def _give_up(
        self, outbox_id: int, person_id: int, reference: str | None, error: str
    ) -> None:
        log.error(
            "gave up delivering a reply for %s (outbox %s): %s",
            reference or "no request",
            outbox_id,
            error,
        )
        await asyncio.to_thread(
            rows.give_up, self.database, outbox_id=outbox_id, error=error, now=self.clock()
        )
        if self.on_undeliverable is not None:
            try:
                await self.on_undeliverable(Undelivered(outbox_id, person_id, reference, error))
            except Exception:
                log.exception("could not tell the reviewers about undelivered reply %s", outbox_id)

    async def _recover(self, person_id: int) -> None:
        released = await asyncio.to_thread(
            rows.release_person,
            self.database,
            person_id=person_id,
            now=self.clock(),
            keep=tuple(self._live),
        )
        if released:
            self.owed.add(person_id)
            self.wake()

    def _owed_now(self) -> set[int]:
        with self.database.session(write=False) as session:
            return rows.owed_people(session, platform=self.platform)

    def _person(self, person_id: int) -> _Person:
        person = self._people.setdefault(person_id, _Person())
        person.users += 1
        self._quiet.clear()
        return person

    def _release_person(self, person_id: int) -> None:
        person = self._people[person_id]
        person.users -= 1
        if person.users == 0:
            del self._people[person_id]
        if not self._people:
            self._quiet.set()

    def _queue_sent(self, outbox_id: int) -> None:
        """Marked in the background, many rows to a transaction, so a busy moment costs one
        write instead of one per reply."""
        self._sent.append(outbox_id)
        if self._marking is None or self._marking.done():
            self._marking = asyncio.get_running_loop().create_task(self._mark_sent())

    async def _mark_sent(self) -> None:
        while self._sent:
            ids, self._sent = self._sent, []
            try:
                await asyncio.to_thread(rows.mark_sent, self.database, ids, self.clock())
            except Exception:
                log.exception("could not mark %d delivered replies as sent", len(ids))
                # Sent anyway; left unmarked they would go out again after their claim ends.
                self._sent.extend(ids)
                await asyncio.sleep(1)

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("the outbox pass failed; trying again shortly")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
