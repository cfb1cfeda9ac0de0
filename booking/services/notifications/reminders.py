"""Reminders: armed when a booking is confirmed or moved, written when they fall due.

A booking's ``remind_at`` is ``mail.reminder_before`` its start. The sender arms it when
it replays the event (unless the booking changed since: its own event arms it then), and
writes each due reminder once: the conditional update that claims a booking clears its
``remind_at`` in the same step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from booking.events import BookingsEvent
from booking.extensions import db
from booking.models import Booking
from booking.services.catalogue import read_layout
from booking.services.notifications.audience import audience
from booking.services.notifications.outbox import claim_ids
from booking.services.notifications.writing import current_bookings, people, write_for
from rules.durations import parse_duration


def arm_reminders(event: BookingsEvent, bookings: Sequence[Booking]) -> None:
    """Set when each booking's reminder is due, unless it changed again since ``event``
    (its own event arms it then); none where that moment had passed at the event."""
    before = parse_duration(current_app.config["MAIL_REMINDER_BEFORE"])
    for booking in bookings:
        due = booking.start - before
        if booking.status != "confirmed" or due <= event.at:
            continue
        db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.sequence == booking.sequence)
            .values(remind_at=due)
            .execution_options(synchronize_session=False)
        )


def write_due_reminders(now: datetime, size: int = 500) -> int:
    """Write the reminders due by ``now`` (each booking's once: its ``remind_at`` is
    cleared in the same conditional update that claims it); how many bookings."""
    stale = (
        Booking.remind_at <= now,
        (Booking.status != "confirmed") | (Booking.start <= now),
    )
    db.session.execute(
        update(Booking)
        .where(*stale)
        .values(remind_at=None)
        .execution_options(synchronize_session=False)
    )
    due = (
        select(Booking.id)
        .where(Booking.remind_at <= now, Booking.status == "confirmed", Booking.start > now)
        .order_by(Booking.remind_at)
        .limit(size)
    )
    claimed = claim_ids(due, Booking.id, Booking.remind_at <= now, remind_at=None)
    if not claimed:
        return 0
    bookings = current_bookings(claimed)
    known = people({b.user_id for b in bookings} | {b.booked_by_id for b in bookings})
    layout = read_layout({b.resource_id for b in bookings})
    for booking in bookings:
        heard = audience(
            "reminder",
            booker=known[booking.booked_by_id],
            owner=known[booking.user_id],
            actor_id=None,
        )
        write_for("reminder", heard, [booking], None, layout, now)
    return len(bookings)
