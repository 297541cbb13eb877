"""Planning reminders: working days, working hours, the owner's time zone, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.config import ReminderPolicy
from bot.reminders.working_time import plan_reminders, zone_of

POLICY = ReminderPolicy()  # 2 days before, due day, every 2 working days, escalate after 3


def test_reminders_land_on_working_days_at_the_start_of_the_owners_day() -> None:
    plan = plan_reminders(due=date(2027, 3, 15), policy=POLICY, zone=zone_of("UTC", "UTC"))
    assert plan == [
        ("before_due", datetime(2027, 3, 12, 9, tzinfo=UTC)),  # Sat 13th moves back to Fri
        ("due_day", datetime(2027, 3, 15, 9, tzinfo=UTC)),
        ("overdue", datetime(2027, 3, 17, 9, tzinfo=UTC)),
        ("overdue", datetime(2027, 3, 19, 9, tzinfo=UTC)),
        ("escalation", datetime(2027, 3, 23, 9, tzinfo=UTC)),  # skips the weekend
    ]


def test_a_due_date_on_a_weekend_is_reminded_on_the_next_working_day() -> None:
    plan = dict(
        (kind, moment)
        for kind, moment in plan_reminders(
            due=date(2027, 3, 20), policy=POLICY, zone=zone_of("UTC", "UTC")
        )
    )
    assert plan["due_day"] == datetime(2027, 3, 22, 9, tzinfo=UTC)


def test_nine_in_the_morning_follows_the_owner_across_a_dst_change() -> None:
    paris = zone_of("Europe/Paris", "UTC")
    plan = plan_reminders(due=date(2027, 3, 29), policy=POLICY, zone=paris)
    times = {kind: moment for kind, moment in plan}
    assert times["before_due"] == datetime(2027, 3, 26, 8, tzinfo=UTC)  # CET, UTC+1
    assert times["due_day"] == datetime(2027, 3, 29, 7, tzinfo=UTC)  # CEST, UTC+2
    assert all(m.astimezone(paris).hour == 9 for _, m in plan)


def test_an_unknown_time_zone_falls_back_to_the_default() -> None:
    assert str(zone_of("Mars/Olympus", "Europe/Paris")) == "Europe/Paris"
    assert str(zone_of(None, "Nowhere/Else")) == "UTC"


def test_the_scheduler_runs_one_coalesced_sweep_at_a_time(tmp_path: object) -> None:
    from bot.reminders.scheduler import ReminderService, start_scheduler
    from bot.storage.database import Database

    database = Database(f"sqlite:///{tmp_path}/s.db")
    database.upgrade()
    scheduler = start_scheduler(ReminderService(database=database), every=3600)
    try:
        job = scheduler.get_job("reminder-sweep")
        assert job is not None
        assert job.coalesce is True and job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)
