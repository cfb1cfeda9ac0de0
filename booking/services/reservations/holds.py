"""Held bookings: a slot kept for a short while (``hold: true``) until it is confirmed.

A hold occupies its time only until ``hold_expires_at``: every query of occupied time
leaves lapsed holds out (``claims.occupying``), so the rule holds before any job runs.
Marking them ``expired`` is bookkeeping, done by the ``expire-holds`` job and wherever a
booking is about to take their time.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from booking.events import BookingsExpired, publish
from booking.extensions import db
from booking.models import Booking, WaitlistEntry
from booking.services.core import transactional
from booking.services.reservations.lifecycle import move_all


def expire_lapsed_holds(now: datetime, among: Collection[int] | None = None) -> list[int]:
    """Mark the holds lapsed by ``now`` expired (those with ids in ``among``, or all);
    return their ids. A conditional update: each hold expires once, however many
    processes run this at the same time."""
    conditions = [Booking.hold_expires_at <= now]
    if among is not None:
        conditions.append(Booking.id.in_(among))
    expired = move_all("held", "expired", "expired", now, *conditions)
    if expired:
        publish(BookingsExpired(actor_id=None, at=now, booking_ids=tuple(expired), was="held"))
    return expired


def expire_waiting(now: datetime) -> int:
    """Waitlist entries still waiting when their time starts become ``expired``; how
    many."""
    query = select(WaitlistEntry).where(
        WaitlistEntry.status == "waiting", WaitlistEntry.start <= now
    )
    entries = list(db.session.scalars(query.with_for_update()))
    for entry in entries:
        entry.status, entry.updated_at = "expired", now
    return len(entries)


@transactional
def expire_holds(now: datetime) -> list[int]:
    """The ``expire-holds`` job: every hold lapsed by ``now`` becomes ``expired`` (a
    waitlist offer among them passes to the next in line), and waitlist entries whose
    time has come are ``expired``."""
    expired = expire_lapsed_holds(now)
    expire_waiting(now)
    return expired
