"""The one way a service writes: a single transaction, committed or rolled back whole.

On SQLite the transaction opens with ``BEGIN IMMEDIATE``, so it holds the database's
write lock from its first read to its commit and no other writer can slip in between
a check and an insert; writers queue for it on a file lock (``writer_turn``).

On PostgreSQL, services lock rows explicitly; a deadlock, a serialization failure, or
the exclusion constraint firing (the last guard against a double booking) rolls back
and runs the whole use case again, which then sees the committed winner and answers
with a proper conflict.

The domain events a use case publishes (``booking.events``) reach their in-transaction
subscribers just before the commit, inside the same retry, and their after-commit
subscribers once it has committed; a rolled-back attempt's events reach nobody.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Select
from sqlalchemy.exc import DBAPIError

from booking import events
from booking.database import IMMEDIATE, POLLS, writer_turn
from booking.errors import BookingConflictError
from booking.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

MAX_ATTEMPTS = 5
#: SQLSTATEs after which the whole use case is run again.
RETRY_SQLSTATES = {
    "40P01": "deadlock_detected",
    "40001": "serialization_failure",
    "23P01": "exclusion_violation",
}


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def transactional(service: Callable[P, R]) -> Callable[P, R]:
    """Run ``service`` in one write transaction, retrying it on transient clashes."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = db.session
        for attempt in range(1, MAX_ATTEMPTS + 1):
            # Close any read-only transaction the request opened (e.g. to authenticate),
            # so this one starts fresh and, on SQLite, takes the write lock at BEGIN.
            session.commit()
            events.discard()
            with writer_turn(db.engine):
                session.connection(execution_options={IMMEDIATE: True})
                try:
                    result = service(*args, **kwargs)
                    session.flush()  # subscribers see the rows as they will commit
                    events.dispatch_in_transaction()
                    session.commit()
                except DBAPIError as error:
                    session.rollback()
                    events.discard()
                    state = _sqlstate(error)
                    if state not in RETRY_SQLSTATES:
                        raise
                    if attempt == MAX_ATTEMPTS:
                        if state == "23P01":
                            raise BookingConflictError([]) from error
                        raise
                    continue
                except BaseException:
                    session.rollback()
                    events.discard()
                    raise
            events.dispatch_after_commit()
            return result
        raise AssertionError("unreachable")  # the loop returns or raises

    return run


@contextmanager
def read_alone() -> Iterator[Connection]:
    """A connection for a poll: one read on its own, outside any transaction, so no
    BEGIN or ROLLBACK round trips (on PostgreSQL through the ``polls`` bind, which plans
    each statement once; see ``booking.database.polls_binds``)."""
    engines = db.engines
    if POLLS in engines:
        with engines[POLLS].connect() as connection:
            yield connection
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


#: Statements' text for PostgreSQL's driver, compiled once each (see ``read_row``).
_DRIVER_TEXTS: dict[int, str] = {}


def read_row(
    connection: Connection, statement: Select[Any], values: dict[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of a poll's ``statement`` (a module-level constant), or ``None``.

    On PostgreSQL it goes straight to the driver with the statement's text compiled
    once: SQLAlchemy's own execution (the statement's cache key worked out again each
    time, values and results processed) cost a poll more than the database did. The
    values are passed as they are, the row's as the driver gives them (date-times aware,
    in the session's zone): the same in every worker, as a version needs."""
    if connection.dialect.name != "postgresql":
        row = connection.execute(statement, values).first()
        return None if row is None else tuple(row)
    text = _DRIVER_TEXTS.get(id(statement))
    if text is None:
        text = _DRIVER_TEXTS[id(statement)] = str(statement.compile(dialect=connection.dialect))
    driver: Any = connection.connection.driver_connection
    found: tuple[Any, ...] | None = driver.execute(text, values).fetchone()
    return found
