"""Date arithmetic that SQLite and PostgreSQL spell differently, as SQLAlchemy expressions.

Aggregating in the database spares reading every timestamp back into Python: on a desk of ten
thousand requests, turning 30,000 stored values into aware datetimes cost more than the
queries themselves.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement[date]):
    """The calendar day, in UTC, of a stored timestamp."""

    type = Date()
    inherit_cache = True


class seconds_between(FunctionElement[float]):
    """``later - earlier`` in seconds (fractional)."""

    type = Float()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _sqlite_day(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # stored as UTC text


@compiles(utc_day, "postgresql")
def _postgresql_day(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(seconds_between, "sqlite")
def _sqlite_seconds(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _postgresql_seconds(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
