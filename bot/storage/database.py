"""Engine creation, transactions and the schema gate.

SQLite runs in WAL mode with foreign keys on, and every write transaction starts with
``BEGIN IMMEDIATE`` so two processes serialise their turns instead of failing half-way. On
PostgreSQL the engine locks the conversation row (``SELECT ... FOR UPDATE``) for the same effect.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import event, inspect
from sqlalchemy.engine import CursorResult, Engine, Result, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from bot.config import redact_url_password

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(?:['\"]([^'\"]+)['\"]|None)\s*$", re.M)
_SQLITE_BEGIN = "triage_sqlite_begin"
_SCHEMA_LOCK_ID = 746_289_113  # any constant: serialises first-use schema creation on PostgreSQL
PER_SCHEMA = "hashtext(coalesce(current_schema(), ''))"
"""An advisory lock's second key: locks are per schema, so deployments (and tests) that share
one PostgreSQL database in different schemas never wait on each other."""


class DatabaseUnavailable(Exception):
    """The database could not be reached; the message is safe to print (no password)."""


class SchemaState(StrEnum):
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    database_revision: str | None
    code_revision: str


class SchemaOutOfDate(Exception):
    def __init__(self, status: SchemaStatus, display_url: str) -> None:
        self.status = status
        if status.state is SchemaState.UNKNOWN:
            detail = (
                f"the database {display_url} is at revision {status.database_revision}, "
                f"which this version of triage-bot does not know (it expects "
                f"{status.code_revision}). Is it a newer release's database?"
            )
        else:
            detail = (
                f"the database {display_url} is at schema revision "
                f"{status.database_revision or '(none)'}, this code needs {status.code_revision}. "
                "Run: triage-bot db upgrade"
            )
        super().__init__(detail)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN IMMEDIATE instead of pysqlite's lazy BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Turns write, so they take the write lock up front; reads stay DEFERRED and never
        # wait behind a writer (WAL lets them read the last committed state).
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: its engine, its transactions and its schema state."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.display_url = redact_url_password(url)
        try:
            backend = make_url(url).get_backend_name()
        except (SQLAlchemyError, ValueError) as exc:
            raise DatabaseUnavailable(
                f"DATABASE_URL {self.display_url!r} is not a database URL: {_first_line(exc)}"
            ) from None
        self.is_sqlite = backend == "sqlite"
        database_name = make_url(url).database if self.is_sqlite else None
        self.sqlite_file = (
            Path(database_name) if database_name and database_name != ":memory:" else None
        )
        self.is_postgresql = backend == "postgresql"
        connect_args: dict[str, Any] = {}
        if self.is_sqlite:
            connect_args = {"check_same_thread": False, "timeout": 30}
        elif self.is_postgresql:
            connect_args = {"connect_timeout": 5}
        try:
            self.engine = create_engine(
                url, echo=echo, connect_args=connect_args, pool_pre_ping=not self.is_sqlite
            )
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise DatabaseUnavailable(
                f"Cannot use the database {self.display_url}: {_first_line(exc)}"
            ) from None
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.read_engine = self.engine.execution_options(**{_SQLITE_BEGIN: "DEFERRED"})
        self._sqlite_writer = threading.RLock()

    @contextmanager
    def session(self, *, write: bool = True, autoflush: bool = True) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error.
        ``write=False`` for reads, which on SQLite then never queue behind a conversation turn."""
        engine = self.engine if write else self.read_engine
        # SQLite has one writer; threads of this process queue on a lock, handed over at once,
        # instead of in SQLite's busy handler, whose back-off sleeps grow to 100 ms a try.
        writer = self._sqlite_writer if (write and self.is_sqlite) else nullcontext()
        with writer, Session(engine, expire_on_commit=False, autoflush=autoflush) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> None:
        try:
            with self.read_engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"Cannot reach the database {self.display_url}: {_first_line(exc)}"
            ) from None

    def check_writable(self, *, timeout: float = 2.0) -> None:
        """Raise DatabaseUnavailable unless a write could start within ``timeout``: reachable is
        not enough when a lock is held for long or the server has become a read-only standby."""
        if self.sqlite_file is not None:
            try:
                probe = sqlite3.connect(self.sqlite_file, timeout=timeout, isolation_level=None)
                try:
                    probe.execute("BEGIN IMMEDIATE")  # the write lock, and nothing written
                    probe.execute("ROLLBACK")
                finally:
                    probe.close()
            except sqlite3.Error as exc:
                raise DatabaseUnavailable(f"Cannot write to {self.display_url}: {exc}") from None
            return
        if not self.is_postgresql:
            self.ping()
            return
        try:
            with self.engine.connect() as connection:
                milliseconds = int(timeout * 1000)
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
                connection.exec_driver_sql("SELECT txid_current()")  # refused on a standby
                connection.rollback()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"Cannot write to {self.display_url}: {_first_line(exc)}"
            ) from None

    # -- schema ---------------------------------------------------------------------------

    # Alembic (with the template engine and every dialect it loads) is imported only when the
    # schema is not current: every command checks the schema, and a current one is the usual
    # case, told by one query against the newest revision read from the migration files.

    def _alembic_config(self) -> AlembicConfig:
        from alembic.config import Config as AlembicConfig

        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["engine"] = self.engine
        return config

    def code_revision(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        assert head is not None, "the migrations folder has no revision"
        return head

    def schema_status(self) -> SchemaStatus:
        head = newest_revision()
        if head is not None and self._stored_revision() == head:
            return SchemaStatus(SchemaState.CURRENT, head, head)
        return self._schema_status_from_alembic()

    def _stored_revision(self) -> str | None:
        """The revision the database says it is at; None without a version table."""
        try:
            connection = self.read_engine.connect()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"Cannot reach the database {self.display_url}: {_first_line(exc)}"
            ) from None
        with connection:
            try:
                stored = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                return cast(str | None, stored.scalar())
            except SQLAlchemyError:
                return None

    def _schema_status_from_alembic(self) -> SchemaStatus:
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        code_revision = self.code_revision()
        try:
            with self.read_engine.connect() as connection:
                tables = set(inspect(connection).get_table_names())
                revision = MigrationContext.configure(connection).get_current_revision()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"Cannot reach the database {self.display_url}: {_first_line(exc)}"
            ) from None
        if not tables:
            state = SchemaState.EMPTY
        elif revision == code_revision:
            state = SchemaState.CURRENT
        else:
            known = {
                script.revision
                for script in ScriptDirectory.from_config(self._alembic_config()).walk_revisions()
            }
            state = (
                SchemaState.OUTDATED
                if revision is None or revision in known
                else SchemaState.UNKNOWN
            )
        return SchemaStatus(state, revision, code_revision)

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        command.upgrade(self._alembic_config(), revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        command.downgrade(self._alembic_config(), revision)

    def require_current_schema(self, *, create_if_empty: bool = True) -> bool:
        """Refuse to run on an old schema; set up a brand-new empty database. True if created.

        Anything but a current schema is looked at again under a lock, because another process
        may be creating it this very moment (several replicas starting on a new database).
        """
        if self.schema_status().state is SchemaState.CURRENT:
            return False
        with self._schema_lock():
            status = self.schema_status()
            if status.state is SchemaState.CURRENT:
                return False
            if status.state is not SchemaState.EMPTY or not create_if_empty:
                raise SchemaOutOfDate(status, self.display_url)
            log.info("creating the schema in the new database %s", self.display_url)
            self.upgrade()
            return True

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        if self.is_postgresql:
            with self.engine.connect() as lock:
                lock.exec_driver_sql(f"SELECT pg_advisory_lock({_SCHEMA_LOCK_ID}, {PER_SCHEMA})")
                try:
                    yield
                finally:
                    lock.exec_driver_sql(
                        f"SELECT pg_advisory_unlock({_SCHEMA_LOCK_ID}, {PER_SCHEMA})"
                    )
                    lock.commit()
        elif self.sqlite_file is not None:
            with _file_lock(self.sqlite_file.with_name(self.sqlite_file.name + ".lock")):
                yield
        else:
            yield

    def dispose(self) -> None:
        self.engine.dispose()


@functools.cache
def newest_revision() -> str | None:
    """The one revision no migration builds on, read from the files without alembic; None when
    that is not one (a branch, a merge), for alembic to work out."""
    revisions, built_on = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        built_on.add(down.group(1))
    heads = revisions - built_on
    return heads.pop() if len(heads) == 1 else None


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes on this machine (SQLite's only kind of neighbour)."""
    with open(path, "a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; first use there is not concurrent in practice
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _first_line(exc: BaseException) -> str:
    """The driver's own reason, without SQLAlchemy's background links or the SQL."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched. Session.execute is typed as returning any
    Result, but for these statements it is a CursorResult, which counts them."""
    return cast(CursorResult[Any], result).rowcount or 0
