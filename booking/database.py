"""Database plumbing shared by every model: UTC timestamps and SQLite's settings.

SQLite runs in WAL mode with a busy timeout, and its transactions are begun by us, so
a writing service can open with ``BEGIN IMMEDIATE`` and hold the write lock from its
first read to its commit (see ``booking.services.transactions``). Writers take turns on
an operating-system lock first (``writer_turn``): SQLite's own busy handler polls with
sleeps of up to 100 ms, whereas a writer waiting on the file lock wakes the moment the
one before it commits.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine
from sqlalchemy.types import TypeDecorator

IMMEDIATE = "booking_immediate"
#: Flask-SQLAlchemy's bind for polls on PostgreSQL (see ``polls_binds``).
POLLS = "polls"
#: SQLite's R*Tree of booking spans (migration 0002) and the shadow tables it keeps.
SPANS_TABLE = "booking_spans"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_FIRST = "CAST(strftime('%s', NEW.occupied_start) AS INTEGER) / 60"
# strftime('%s') drops fractions of a second; adding a whole minute rounds the end outwards.
_LAST = "(CAST(strftime('%s', NEW.occupied_end) AS INTEGER) + 60) / 60"
#: The triggers that keep the R*Tree in step with bookings, by name.
SPAN_TRIGGERS = {
    "booking_spans_insert": "CREATE TRIGGER booking_spans_insert AFTER INSERT ON bookings "
    f"BEGIN INSERT INTO booking_spans VALUES (NEW.id, {_FIRST}, {_LAST}); END",
    "booking_spans_update": "CREATE TRIGGER booking_spans_update AFTER UPDATE OF "
    "occupied_start, occupied_end ON bookings BEGIN UPDATE booking_spans SET "
    f"first_minute = {_FIRST}, last_minute = {_LAST} WHERE id = NEW.id; END",
    "booking_spans_delete": "CREATE TRIGGER booking_spans_delete AFTER DELETE ON bookings "
    "BEGIN DELETE FROM booking_spans WHERE id = OLD.id; END",
}
#: Fills the R*Tree from the bookings there are.
SPANS_FILL = (
    f"INSERT INTO booking_spans SELECT id, {_FIRST.replace('NEW.', '')}, "
    f"{_LAST.replace('NEW.', '')} FROM bookings"
)


#: The table whose one row holds the catalogue's version (``models.CatalogueVersion``).
VERSIONS_TABLE = "catalogue_versions"
_NEW_TOKEN = f"UPDATE {VERSIONS_TABLE} SET token = lower(hex(randomblob(16)))"
#: SQLite: the triggers that give the catalogue a new version whenever a resource is
#: added, changed or removed, in the same transaction (migration 0021), by name.
CATALOGUE_TRIGGERS = {
    f"catalogue_changed_{change.lower()}": f"CREATE TRIGGER catalogue_changed_{change.lower()} "
    f"AFTER {change} ON resources BEGIN {_NEW_TOKEN}; END"
    for change in ("INSERT", "UPDATE", "DELETE")
}
#: PostgreSQL: the same, once per statement, emptying the table included.
CATALOGUE_TRIGGER_PG = (
    "CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE {VERSIONS_TABLE} SET token = gen_random_uuid()::text; RETURN NULL; END $$",
    "CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON resources FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed()",
)


def restore_triggers(connection: Connection) -> list[str]:
    """Put back SQLite's triggers (the R*Tree's, the catalogue version's) where a table
    rebuild (SQLite's way to change a table, as some migrations do) dropped them, and
    refill the R*Tree if its were; the ones put back."""
    tables = {
        row[0]
        for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    present = {
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    restored = []
    for table, triggers in ((SPANS_TABLE, SPAN_TRIGGERS), (VERSIONS_TABLE, CATALOGUE_TRIGGERS)):
        if table not in tables:
            continue
        missing = [name for name in triggers if name not in present]
        for name in missing:
            connection.exec_driver_sql(triggers[name])
        if missing and table == SPANS_TABLE:
            connection.exec_driver_sql("DELETE FROM booking_spans")
            connection.exec_driver_sql(SPANS_FILL)
        restored += missing
    return restored


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored in UTC (timestamptz on PostgreSQL), always read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are never stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        if dialect.name != "sqlite":
            if self.impl_instance.result_processor(dialect, coltype) is None:
                return in_utc  # the driver's datetime as it comes, called directly
            return super().result_processor(dialect, coltype)

        # SQLite hands back the text SQLAlchemy stored ("2026-12-01 09:00:00.000000");
        # fromisoformat reads it far faster than the generic parser, which matters when
        # a search reads thousands of bookings.
        def parse(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value + "+00:00")

        return parse

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return in_utc(value)


def instant_reader(dialect: Dialect) -> Callable[[Any], datetime]:
    """What ``UTCDateTime`` does to each instant the driver reads, as one function: for
    the rare query that reads its rows raw (``driver_rows``). Take one per query.

    On SQLite it remembers each text it has read: bookings share their times (a week's
    3,500 bookings of the building start and end at some 200 instants), and a lookup
    is faster than reading the text again. PostgreSQL's driver gives datetimes, which
    hash more slowly than they are checked, so there it remembers nothing."""
    reader: Callable[[Any], datetime] = UTCDateTime().result_processor(dialect, None)
    return functools.cache(reader) if dialect.name == "sqlite" else reader


def driver_rows(result: CursorResult[*tuple[Any, ...]]) -> Sequence[Any]:
    """Every row of ``result`` as the driver gives it, and the result closed: no row
    objects and no type processing (read instants with ``instant_reader``). For the
    queries that read thousands of rows, where the rows took a third of the time."""
    rows: Sequence[Any] = result.cursor.fetchall()
    result.close()
    return rows


def in_utc(value: datetime | None) -> datetime | None:
    """A datetime the driver read, aware and in UTC (PostgreSQL's sessions speak UTC, so
    most come so already and are kept as they are)."""
    if value is None or value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def is_migrated_object(name: str | None, type_: str, _parents: Any) -> bool:
    """False for the R*Tree's tables, which the models do not describe (for Alembic)."""
    return not (type_ == "table" and name is not None and name.startswith(SPANS_TABLE))


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Leave BEGIN to us (see _begin_sqlite) instead of the driver's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # one read on its own (a poll): no transaction to begin or end
    immediate = options.get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: Each PostgreSQL session speaks UTC, so instants arrive already in UTC and are kept
#: as they come (``UTCDateTime``); in another zone each would be converted on reading,
#: which took a tenth of a month's charges (50,000 instants).
SESSION_IN_UTC = "-c timezone=UTC"


def engine_options(url: str) -> dict[str, Any]:
    """The main engine's options for the database at ``url``."""
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() != "postgresql":
        return {}
    return {"connect_args": {"options": SESSION_IN_UTC}}


def polls_binds(url: str) -> dict[str, dict[str, Any]]:
    """The binds beside the database at ``url``: on PostgreSQL, ``polls``.

    Displays and calendar apps poll a handful of statements thousands of times a minute,
    each one read on its own. Through ``polls`` they read in autocommit (no BEGIN or
    ROLLBACK round trips), and each connection plans a prepared statement once, for
    any values (``plan_cache_mode = force_generic_plan``): PostgreSQL otherwise plans a
    poll anew for its values every time, which took longer than running it. Only
    polls use this bind, so no other statement is held to a generic plan. SQLite plans
    cheaply and has none (an in-memory database could not be shared by two engines).
    """
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() != "postgresql":
        return {}
    return {
        POLLS: {
            "url": url,
            "isolation_level": "AUTOCOMMIT",
            "connect_args": {"options": f"-c plan_cache_mode=force_generic_plan {SESSION_IN_UTC}"},
            "pool_size": 2,
        }
    }


def writer_lock_path(engine: Engine) -> str | None:
    """The file writers of ``engine``'s SQLite database take turns on, or ``None`` when
    turns are not needed (PostgreSQL locks rows; an in-memory database has one writer)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return f"{url.database}-writer.lock"


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """Hold this writer's turn on a SQLite file database until the block ends.

    Every process and thread writing through ``transactional`` waits here, in the
    kernel, and is woken as soon as the writer before it has committed or rolled back;
    ``BEGIN IMMEDIATE`` then finds the database free. Other writers (migrations, the
    command line) still meet SQLite's busy timeout, so correctness never rests on this.
    """
    path = writer_lock_path(engine)
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
