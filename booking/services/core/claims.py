"""Reading and locking the time already claimed on a resource and those it shares space with.

``overlapping`` is the SQL twin of ``rules.intervals.overlaps``; a test checks they agree.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    TIMESTAMP,
    BindParameter,
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

from booking.database import SPANS_TABLE, UTCDateTime
from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource
from rules import Claim, Interval, Target

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


def _minute(moment: datetime, *, up: bool) -> int:
    seconds = moment.timestamp()
    return math.ceil(seconds / 60) if up else math.floor(seconds / 60)


def indexed_overlap(window: Interval) -> ColumnElement[bool]:
    """A condition the interval index answers: occupied time near ``window``.

    It selects a superset of the bookings whose occupied time overlaps ``window`` (on
    SQLite the R*Tree holds whole minutes rounded outwards), so it only narrows a scan;
    ``overlapping`` is always applied as well. PostgreSQL uses its GiST range index.
    """
    return _near(
        db.session.get_bind().dialect.name,
        window.start,
        window.end,
        _minute(window.start, up=False),
        _minute(window.end, up=True),
    )


def _near(
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


def _family(lineage: Any, resource_id: Any, prefix: Any) -> ColumnElement[bool]:
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
    return _family([*resource.ancestor_ids, resource.id], resource.id, resource.path)


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
    return [
        Claim(rid, Interval(start, end), units, bid)
        for bid, rid, start, end, units in db.session.connection().execute(query)
    ]


def _all_windows() -> ColumnElement[bool]:
    """PostgreSQL: occupied time overlapping any of the windows given as two arrays,
    ``starts`` and ``ends``. The windows become one multirange, which the GiST range
    index answers in one scan; ``&&`` on half-open ranges is the overlap test itself."""
    instants = ARRAY(TIMESTAMP(timezone=True))
    windows = (
        func.unnest(bindparam("starts", type_=instants), bindparam("ends", type_=instants))
        .table_valued("start", "end")
        .render_derived("windows")
    )
    half_open: ColumnClause[str] = literal_column("'[)'")
    asked = select(
        func.range_agg(func.tstzrange(windows.c.start, windows.c.end, half_open))
    ).scalar_subquery()
    occupied = func.tstzrange(Booking.occupied_start, Booking.occupied_end, half_open)
    return occupied.op("&&")(asked)


@functools.cache
def _family_claims_query(dialect: str, every_window: bool = False) -> Select[*tuple[Any, ...]]:
    """The query of ``claims_and_lapsed_holds``, built once per kind of database with
    every value a bound parameter: building a statement this size costs more than
    running it, and every booking runs it while it holds the writer's turn. With
    ``every_window`` (PostgreSQL), for all of a series' windows in one statement."""
    start = bindparam("start", type_=UTCDateTime())
    end = bindparam("end", type_=UTCDateTime())
    if every_window:
        near = _all_windows()
    else:
        near = _near(dialect, start, end, bindparam("first_minute"), bindparam("last_minute"))
        near &= (Booking.occupied_start < end) & (Booking.occupied_end > start)
    lineage: BindParameter[list[int]] = bindparam("lineage", expanding=True)
    family = _family(lineage, bindparam("resource_id"), bindparam("prefix"))
    return select(
        Booking.id,
        Booking.resource_id,
        Booking.occupied_start,
        Booking.occupied_end,
        Booking.units,
        Booking.hold_expires_at,
    ).where(
        Booking.status.in_(OCCUPYING),
        near,
        family,
        Booking.id.not_in(bindparam("excluding", expanding=True)),
    )


def _values(
    windows: list[Interval], shared: dict[str, Any], every_window: bool
) -> list[dict[str, Any]]:
    """The values of ``_family_claims_query``: each window's, or all of them at once."""
    if every_window:
        return [{**shared, "starts": [w.start for w in windows], "ends": [w.end for w in windows]}]
    return [
        {
            **shared,
            "start": window.start,
            "end": window.end,
            "first_minute": _minute(window.start, up=False),
            "last_minute": _minute(window.end, up=True),
        }
        for window in windows
    ]


def claims_and_lapsed_holds(
    resource: Resource,
    windows: Interval | Sequence[Interval],
    now: datetime,
    *,
    excluding: Collection[int] = (),
) -> tuple[list[Claim], list[int]]:
    """``load_claims(related_bookings(resource), …)`` over each of ``windows``, read
    together with the ids of the holds there that lapsed by ``now``: they hold no time,
    but a booking about to take it marks them expired first (PostgreSQL's exclusion
    constraint still sees their rows). One query per window on SQLite (in-process: a
    query costs no round trip), one for them all on PostgreSQL, built once (see
    ``_family_claims_query``).

    A series passes one window per date, so what it reads grows with its dates, never
    with the bookings between them (a year of Wednesdays on a busy bench reads the
    Wednesdays' neighbours, not the year)."""
    dialect = db.session.get_bind().dialect.name
    spans = [windows] if isinstance(windows, Interval) else list(windows)
    every_window = dialect == "postgresql" and len(spans) > 1
    query = _family_claims_query(dialect, every_window)
    shared = {
        "lineage": [*resource.ancestor_ids, resource.id],
        "resource_id": resource.id,
        "prefix": resource.path,
        "excluding": list(excluding),
    }
    seen: set[int] = set()
    claims: list[Claim] = []
    lapsed: list[int] = []
    for values in _values(spans, shared, every_window):
        for bid, rid, start, end, units, hold_expires_at in db.session.execute(query, values):
            if bid in seen:  # windows next to each other both reach it
                continue
            seen.add(bid)
            if hold_expires_at is not None and hold_expires_at <= now:
                lapsed.append(bid)
            else:
                claims.append(Claim(rid, Interval(start, end), units, bid))
    return claims, lapsed
