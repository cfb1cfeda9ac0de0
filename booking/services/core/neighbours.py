"""The claims a booking must respect, read together with the lapsed holds among them:
what ``claims_and_lapsed_holds`` reads for one window, or for each date of a series."""

from __future__ import annotations

import functools
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
    func,
    literal_column,
    select,
)

from booking.database import UTCDateTime
from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource
from booking.services.core.claims import family_of, near_window, whole_minute
from rules import Claim, Interval


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
        near = near_window(dialect, start, end, bindparam("first_minute"), bindparam("last_minute"))
        near &= (Booking.occupied_start < end) & (Booking.occupied_end > start)
    lineage: BindParameter[list[int]] = bindparam("lineage", expanding=True)
    family = family_of(lineage, bindparam("resource_id"), bindparam("prefix"))
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
            "first_minute": whole_minute(window.start, up=False),
            "last_minute": whole_minute(window.end, up=True),
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
