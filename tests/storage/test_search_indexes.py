"""The desk's search is answered from trigram indexes on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.storage.database import Database
from bot.storage.search_indexes import SEARCH_INDEXES


def test_searching_answers_and_titles_can_use_the_trigram_indexes(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite scans; the indexes are PostgreSQL's")
    with database.session(write=False) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # the tables here are tiny
        for name, table, column in SEARCH_INDEXES:
            plan = session.execute(
                text(f"EXPLAIN SELECT id FROM {table} WHERE lower({column}) LIKE :phrase"),
                {"phrase": "%wiki%"},
            ).scalars()
            assert name in "\n".join(plan), name


def test_downgrading_past_them_drops_them(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has none")
    database.downgrade("0009")
    with database.session(write=False) as session:
        left = session.execute(
            text(
                "SELECT indexname FROM pg_indexes "
                "WHERE schemaname = current_schema() AND indexname LIKE 'ix_search_%'"
            )
        ).scalars()
        assert list(left) == []
    database.upgrade()
