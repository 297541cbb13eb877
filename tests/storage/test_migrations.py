"""The migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

import bot.channels.slack.tables  # noqa: F401  (the schema includes them)
from bot.storage.database import Database, SchemaState, newest_revision
from bot.storage.search_indexes import outside_the_models


def test_upgrade_creates_the_schema_the_models_expect(database_url: str) -> None:
    database = Database(database_url)
    assert database.schema_status().state is SchemaState.EMPTY
    database.upgrade()
    assert database.schema_status().state is SchemaState.CURRENT
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": outside_the_models}
        )
        differences = compare_metadata(context, SQLModel.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == [], "models and migrations disagree; add a migration"
    assert {"person", "conversation", "request", "answer", "audit_event"} <= tables


def test_the_newest_revision_read_from_the_files_is_alembics_head(tmp_path: object) -> None:
    """Commands tell a current schema by it without importing alembic."""
    assert newest_revision() == Database(f"sqlite:///{tmp_path}/head.db").code_revision()


def test_downgrade_then_upgrade_round_trips(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    database.downgrade("base")
    status = database.schema_status()
    assert status.state is SchemaState.OUTDATED
    assert status.database_revision is None
    database.upgrade()
    assert database.schema_status().state is SchemaState.CURRENT


def test_an_unknown_revision_is_reported_not_migrated(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'from_the_future'")
    assert database.schema_status().state is SchemaState.UNKNOWN


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/wal.db")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_times_come_back_as_aware_utc_on_every_database(database_url: str) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from bot.storage.models import Person

    database = Database(database_url)
    database.upgrade()
    in_paris = datetime(2027, 3, 28, 3, 30, tzinfo=timezone(timedelta(hours=2)))
    with database.session() as session:
        session.add(Person(platform="t", platform_user_id="p", created_at=in_paris))
    with database.session() as session:
        stored = session.exec(select(Person)).one().created_at
    assert stored == in_paris
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored.astimezone(UTC).hour == 1
