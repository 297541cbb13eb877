"""The desk's trigram search indexes (PostgreSQL only, migration 0010).

They index an expression with an operator class of an extension, which the models cannot
describe on both databases, so the schema comparison leaves them out by name."""

from __future__ import annotations

from typing import Any

SEARCH_INDEXES = (
    ("ix_search_answer_text", "answer", "text"),
    ("ix_search_request_title", "request", "title"),
)
_NAMES = frozenset(name for name, _table, _column in SEARCH_INDEXES)


def outside_the_models(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object: False for the search indexes, so autogenerate and the schema
    check neither drop nor report them."""
    return not (type_ == "index" and name in _NAMES)
