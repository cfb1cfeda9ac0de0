"""Lengths of time in SQL, so reports add them up in the database.

PostgreSQL subtracts ``timestamptz`` values and reads the interval's seconds with
``date_part``, a ``float8`` (``extract`` answers ``numeric``, whose arithmetic made a
year's usage report half as slow again); SQLite keeps instants as UTC text, which
``julianday`` reads (to well under a millisecond over a century).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, and_, func

from booking.extensions import db
from booking.models import Booking
from rules import Interval


def seconds_between(start: Any, end: Any) -> ColumnElement[float]:
    """The seconds from ``start`` to ``end`` (columns or expressions of instants)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_part("epoch", end - start, type_=Float)
    return (func.julianday(end) - func.julianday(start)) * 86_400.0


def starting_within(span: Interval) -> ColumnElement[bool]:
    """Bookings that start in ``span``: read from the index that holds every column the
    reports use (``ix_bookings_report``), in the order of the start, never the table."""
    return and_(Booking.start >= span.start, Booking.start < span.end)
