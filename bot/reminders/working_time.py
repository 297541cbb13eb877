"""When, in the owner's own calendar, a nudge may land: working days, working hours, time zone.

Every moment is computed in the owner's zone and stored in UTC, so nine in the morning stays
nine in the morning across a daylight-saving change, and nothing lands on a day off.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from bot.config import ReminderPolicy

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SNOOZE_CHOICES = ("hour", "tomorrow", "week")


def zone_of(name: str | None, default: str) -> ZoneInfo:
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


class WorkingCalendar:
    """One owner's working days and hours."""

    def __init__(self, policy: ReminderPolicy, zone: ZoneInfo) -> None:
        self.policy = policy
        self.zone = zone
        self._working = {_WEEKDAYS.index(day) for day in policy.working_days}

    def is_working(self, day: date) -> bool:
        return day.weekday() in self._working

    def on_or_before(self, day: date) -> date:
        while not self.is_working(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        while count:
            day += timedelta(days=1)
            count -= self.is_working(day)
        return day

    def start_of(self, day: date) -> datetime:
        """The start of that day's working hours, in UTC."""
        return datetime.combine(day, self.policy.working_hours.start, tzinfo=self.zone).astimezone(
            UTC
        )

    def end_of(self, day: date) -> datetime:
        return datetime.combine(day, self.policy.working_hours.end, tzinfo=self.zone).astimezone(
            UTC
        )

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def within_hours(self, moment: datetime) -> datetime:
        """``moment`` if it falls inside working hours, else the start of the next working day."""
        day = self.local_day(moment)
        if self.is_working(day) and self.start_of(day) <= moment < self.end_of(day):
            return moment
        if self.is_working(day) and moment < self.start_of(day):
            return self.start_of(day)
        return self.start_of(self.add_working_days(day, 1))

    def snooze_until(self, choice: str, now: datetime) -> datetime:
        """'hour': an hour from now (inside working hours); 'tomorrow': the next working
        morning; 'week': the first working morning of next week."""
        today = self.local_day(now)
        if choice == "hour":
            return self.within_hours(now + timedelta(hours=1))
        if choice == "tomorrow":
            return self.start_of(self.add_working_days(today, 1))
        if choice == "week":
            monday = today + timedelta(days=7 - today.weekday())
            return self.start_of(self.on_or_after(monday))
        raise ValueError(f"unknown snooze {choice!r}")


def plan_reminders(
    *, due: date, policy: ReminderPolicy, zone: ZoneInfo
) -> list[tuple[str, datetime]]:
    """(kind, moment in UTC) for a decision due on ``due``, a day in the owner's calendar."""
    calendar = WorkingCalendar(policy, zone)
    planned: list[tuple[str, datetime]] = []
    for days in sorted(set(policy.before_due_days), reverse=True):
        if days:
            moment = calendar.start_of(calendar.on_or_before(due - timedelta(days=days)))
            planned.append(("before_due", moment))
    if policy.on_due_day:
        planned.append(("due_day", calendar.start_of(calendar.on_or_after(due))))
    overdue_day = calendar.on_or_after(due)
    for number in range(1, policy.escalate_after_overdue + 1):
        overdue_day = calendar.add_working_days(overdue_day, policy.overdue_every_working_days)
        kind = "escalation" if number == policy.escalate_after_overdue else "overdue"
        planned.append((kind, calendar.start_of(overdue_day)))
    unique: dict[datetime, str] = {}
    for kind, moment in planned:
        unique.setdefault(moment, kind)
    return sorted(((kind, moment) for moment, kind in unique.items()), key=lambda p: p[1])
