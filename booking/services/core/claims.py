"""Reading and locking the time already claimed on a resource and those it shares space with.

``overlapping`` is the SQL twin of ``rules.intervals.overlaps``; a test checks they agree.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    ColumnClause,
    ColumnElement,
    Select,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute

from booking.database import SPANS_TABLE, driver_rows, instant_reader
from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource
from rules import Claim, Interval, Target
from rules.intervals import unchecked

#: Statuses that hold their time for as long as the booking lasts.
STEADY = tuple(status for status in OCCUPYING if status != "held")


def occupying(now: datetime, booking: Any = Booking) -> ColumnElement[bool]:
    """SQL for bookings that hold their time at ``now``: open ones, and holds not yet lapsed
    (``booking`` may be an alias of ``Booking``).

    A lapsed hold frees its time at once, whether or not the expiry job has run yet.
    """
    live_hold = (booking.status == "held") & (booking.hold_expires_at > now)
    return booking.status.in_(STEADY) | live_hold  # type: ignore[no-any-return]


def is_occupying(booking: Booking, now: datetime) -> bool:
    """``occupying(now)`` for one booking already read."""
    if booking.status == "held":
        return booking.hold_expires_at is not None and booking.hold_expires_at > now
    return booking.status in STEADY


#: One end of a span in SQL: a column, a bound parameter or a value.
Bound = InstrumentedAttribute[object] | ColumnElement[object] | datetime


def spans_overlap(
    start: Bound, end: Bound, other_start: Bound, other_end: Bound
) -> ColumnElement[bool]:
    """SQL for ``[start, end)`` overlapping ``[other_start, other_end)``, the twin of
    ``rules.overlaps``: ``start < other_end AND other_start < end``. The one overlap
    test in SQL, whatever each side is (columns, parameters, values)."""
    return (start < other_end) & (end > other_start)  # type: ignore[operator,return-value]


def overlapping(start: Bound, end: Bound, interval: Interval) -> ColumnElement[bool]:
    """SQL for ``[start, end)`` overlapping ``interval``."""
    return spans_overlap(start, end, interval.start, interval.end)


def whole_minute(moment: datetime, *, up: bool) -> int:
    seconds = moment.timestamp()
    return math.ceil(seconds / 60) if up else math.floor(seconds / 60)


def indexed_overlap(window: Interval) -> ColumnElement[bool]:
    """A condition the interval index answers: occupied time near ``window``.

    It selects a superset of the bookings whose occupied time overlaps ``window`` (on
    SQLite the R*Tree holds whole minutes rounded outwards), so it only narrows a scan;
    ``overlapping`` is always applied as well. PostgreSQL uses its GiST range index.
    """
    return near_window(
        db.session.get_bind().dialect.name,
        window.start,
        window.end,
        whole_minute(window.start, up=False),
        whole_minute(window.end, up=True),
    )


def near_window(
    dialect: str, start: Any, end: Any, first_minute: Any, last_minute: Any
) -> ColumnElement[bool]:
    """``indexed_overlap`` with its values given as values or as bound parameters."""
    if dialect == "postgresql":
        half_open: ColumnClause[str] = literal_column("'[)'")
        occupied = func.tstzrange(Booking.occupied_start, Booking.occupied_end, half_open)
        asked = func.tstzrange(
            cast(start, TIMESTAMP(timezone=True)), cast(end, TIMESTAMP(timezone=True)), half_open
        )
        return occupied.op("&&")(asked)
    if dialect == "sqlite":
        spans = table(SPANS_TABLE, column("id"), column("first_minute"), column("last_minute"))
        near = select(spans.c.id).where(
            spans.c.first_minute <= last_minute, spans.c.last_minute >= first_minute
        )
        return Booking.id.in_(near)
    return true()


def target_of(resource: Resource) -> Target:
    """The resource as conflict checking sees it."""
    return Target(resource_id=resource.id, quantity=resource.quantity)


def _blocking_path(lineage: Any, resource_id: Any, *columns: Any) -> Select[*tuple[Any, ...]]:
    """SQL for the ids (or ``columns``) of the resource and of its bookable ancestors (which
    block it), given the ids from the root to the resource and its id, as values or
    parameters."""
    return select(*(columns or (Resource.id,))).where(
        Resource.id.in_(lineage), or_(Resource.bookable.is_(True), Resource.id == resource_id)
    )


def family_of(lineage: Any, resource_id: Any, prefix: Any) -> ColumnElement[bool]:
    """SQL for bookings of the resource, of its bookable ancestors and of everything
    below it (``prefix`` is its path); values or parameters as in ``_blocking_path``."""
    below = select(Resource.id).where(Resource.path.startswith(prefix))
    return or_(
        Booking.resource_id.in_(_blocking_path(lineage, resource_id)),
        Booking.resource_id.in_(below),
    )


def lock_blocking_path_ids(resource: Resource) -> list[int]:
    """Ids of the resource and of its bookable ancestors (which block it), in id order,
    their rows locked until the transaction ends (see ``lock_blocking_path``). SQLite has
    no row locks; there the writing transaction already holds the database's write lock.
    """
    lineage = [*resource.ancestor_ids, resource.id]
    query = _blocking_path(lineage, resource.id).order_by(Resource.id).with_for_update()
    return list(db.session.scalars(query))


#: A resource's place and size, read under ``lock_blocking_path``: with the rows of its
#: blocking path locked in id order (PostgreSQL), or alone (SQLite).
_SHAPE = (Resource.id, Resource.path, Resource.quantity, Resource.bookable)
_LOCKED_SHAPES = (
    _blocking_path(bindparam("lineage", expanding=True), bindparam("resource_id"), *_SHAPE)
    .order_by(Resource.id)
    .with_for_update()
)
_SHAPE_NOW = select(*_SHAPE).where(Resource.id == bindparam("resource_id"))


def lock_blocking_path(resource: Resource) -> tuple[str, int, bool]:
    """Lock what bookings of ``resource`` are judged under until the transaction ends, and
    give its (path, quantity, bookable) as they now are.

    PostgreSQL locks the rows of its blocking path in id order, its own among them: two
    bookings that could clash share one of them, so they run one after the other, and
    the resource cannot be moved or resized meanwhile. SQLite's writer holds the whole
    database already.
    """
    query = _LOCKED_SHAPES if locks_rows() else _SHAPE_NOW
    values = {"lineage": [*resource.ancestor_ids, resource.id], "resource_id": resource.id}
    for rid, path, quantity, bookable in db.session.execute(query, values):
        if rid == resource.id:
            return path, quantity, bookable
    raise AssertionError("a resource is never deleted")


def locks_rows() -> bool:
    """True when the database locks rows (PostgreSQL); SQLite's writer holds it whole."""
    return db.session.get_bind().dialect.name == "postgresql"


def related_bookings(resource: Resource) -> ColumnElement[bool]:
    """SQL condition selecting bookings that block ``resource``: bookings of the resource,
    of its bookable ancestors and of its descendants."""
    return family_of([*resource.ancestor_ids, resource.id], resource.id, resource.path)


def load_claims(
    of: ColumnElement[bool] | None,
    window: Interval,
    now: datetime,
    *,
    excluding: Collection[int] = (),
) -> list[Claim]:
    """Claims of bookings occupying time at ``now`` that overlap ``window``; ``of``
    narrows which (e.g. ``related_bookings(resource)``), ``None`` takes every resource's."""
    query = select(
        Booking.id, Booking.resource_id, Booking.occupied_start, Booking.occupied_end, Booking.units
    ).where(
        occupying(now),
        indexed_overlap(window),
        overlapping(Booking.occupied_start, Booking.occupied_end, window),
    )
    if of is not None:
        query = query.where(of)
    if excluding:
        query = query.where(Booking.id.not_in(excluding))
    # A search reads thousands: the rows as the driver gives them, and bounds unchecked
    # (a constraint keeps each booking's start before its end).
    result = db.session.connection().execute(query)
    instant = instant_reader(result.dialect)
    return [
        unchecked(Claim, (rid, unchecked(Interval, (instant(start), instant(end))), units, bid))
        for bid, rid, start, end, units in driver_rows(result)
    ]
