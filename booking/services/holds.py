"""Held bookings: a slot kept for a short while (``hold: true``) until it is confirmed.

A hold occupies its time only until ``hold_expires_at``: every query of occupied time
leaves lapsed holds out (``claims.occupying``), so the rule holds before any job runs.
Marking them ``expired`` is bookkeeping, done by the ``expire-holds`` job and wherever a
booking is about to take their time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement

from booking.models import Booking
from booking.services.claims import overlapping
from booking.services.lifecycle import move_all
from booking.services.transactions import transactional
from rules import Interval


def expire_lapsed_holds(
    among: ColumnElement[bool] | None, window: Interval | None, now: datetime
) -> list[int]:
    """Mark the holds lapsed by ``now`` expired (those of ``among`` overlapping ``window``,
    or all); return their ids. A conditional update: each hold expires once, however
    many processes run this at the same time."""
    conditions = [Booking.hold_expires_at <= now]
    if among is not None:
        conditions.append(among)
    if window is not None:
        conditions.append(overlapping(Booking.occupied_start, Booking.occupied_end, window))
    return move_all("held", "expired", "expired", now, *conditions)


@transactional
def expire_holds(now: datetime) -> list[int]:
    """The ``expire-holds`` job: every hold lapsed by ``now`` becomes ``expired``."""
    return expire_lapsed_holds(None, None, now)
