"""PostgreSQL: trigram indexes for the desk's search of titles and answers

The desk searches for a phrase anywhere in a request's title or answers (``lower(text) LIKE
'%phrase%'``), which without an index reads every answer: about 100 ms on ten thousand
requests. pg_trgm's GIN indexes answer it from the index. pg_trgm is a trusted extension
(PostgreSQL 13+), so the database's owner may create it; where that is refused the search
still works, unindexed, and the migration says so. SQLite is left as it is: its scan of the
same rows takes a few tens of milliseconds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:45:00.000000
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.storage.search_indexes import SEARCH_INDEXES

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trgm_schema(bind) or _create_trgm(bind)
    if schema is None:
        return
    for name, table, column in SEARCH_INDEXES:
        bind.exec_driver_sql(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin (lower({column}) "{schema}".gin_trgm_ops)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in SEARCH_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _create_trgm(bind: sa.engine.Connection) -> str | None:
    """In ``public`` where it may be (where most databases keep their extensions, and where a
    schema of its own being dropped cannot take it along), else in the current schema."""
    problem: BaseException | None = None
    for statement in (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    ):
        try:
            with bind.begin_nested():
                bind.exec_driver_sql(statement)
        except sa.exc.DBAPIError as exc:
            problem = exc.orig
            continue
        return _trgm_schema(bind)
    found = _trgm_schema(bind)  # another migration may have created it meanwhile
    if found is None:
        log.warning("the desk's search stays unindexed: no pg_trgm (%s)", problem)
    return found


def _trgm_schema(bind: sa.engine.Connection) -> str | None:
    """Where pg_trgm lives: an extension is installed once per database, in one schema."""
    return bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar()
