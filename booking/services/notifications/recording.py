"""What happened, recorded in the change's own transaction for the sender to tell.

One subscriber hears every booking event and, when anyone is to hear of it or a
reminder is to be armed, records it in the outbox (``OutboxEvent``) with the bookings
as the change left them: one small INSERT, so a booking costs little more with mail
than without, and no change commits without its record or records anything when it
rolls back. The sender replays each record (``write_recorded``): it arms reminders
(only where the booking has not changed since) and writes the messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select

from booking.events import (
    BookingApproved,
    BookingConfirmed,
    BookingsChanged,
    BookingsEvent,
    BookingsMade,
    subscribe,
)
from booking.extensions import db
from booking.models import Booking, OutboxEvent
from booking.services.notifications.outbox import claim_ids
from booking.services.notifications.reminders import arm_reminders
from booking.services.notifications.writing import (
    TOLD,
    current_bookings,
    kinds_for,
    write_messages,
)

#: The booking fields a message is made from, kept as the change left them.
SNAPSHOT = (
    "id",
    "user_id",
    "booked_by_id",
    "tenant_id",
    "resource_id",
    "series_id",
    "recurrence_id",
    "title",
    "notes",
    "start",
    "end",
    "status",
    "hold_expires_at",
    "status_reason",
    "sequence",
    "created_at",
    "updated_at",
)
TIMES = ("recurrence_id", "start", "end", "hold_expires_at", "created_at", "updated_at", "at")
RECORD = insert(cast(Table, OutboxEvent.__table__))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _record(event: BookingsEvent, bookings: Sequence[Booking]) -> dict[str, Any]:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    return {
        "event": {name: _plain(value) for name, value in fields.items()},
        "bookings": [{name: _plain(getattr(b, name)) for name in SNAPSHOT} for b in bookings],
    }


def _timed(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: datetime.fromisoformat(value) if name in TIMES and value is not None else value
        for name, value in values.items()
    }


def _replayed(row: OutboxEvent) -> tuple[BookingsEvent, list[Booking]]:
    """The event and the bookings (detached, as the change left them) of ``row``."""
    fields = _timed(row.data["event"])
    fields["booking_ids"] = tuple(fields["booking_ids"])
    event = TOLD[row.name](**fields)
    return event, [Booking(**_timed(values)) for values in row.data["bookings"]]


@subscribe(BookingsEvent)
def record_event(event: BookingsEvent) -> None:
    """Record ``event`` in the outbox with its bookings as the change left them (after
    the transaction's last flush: with the SEQUENCE it raised), when anyone is to hear
    of it or a reminder is to be armed; one INSERT in the change's transaction."""
    if type(event).__name__ not in TOLD:
        return
    bookings = current_bookings(event.booking_ids)
    if not (_arms_reminders(event) or any(kinds_for(event, b) for b in bookings)):
        return
    row = {"name": type(event).__name__, "data": _record(event, bookings), "created_at": event.at}
    db.session.connection().execute(RECORD, row)  # Core: no unit of work for one row


def _arms_reminders(event: BookingsEvent) -> bool:
    return isinstance(event, BookingsMade | BookingConfirmed | BookingApproved) or (
        isinstance(event, BookingsChanged) and event.moved
    )


def write_recorded(now: datetime, size: int = 200) -> int:
    """Turn up to ``size`` recorded events into their messages, oldest first; how many.
    Each is claimed by one sender (``FOR UPDATE SKIP LOCKED`` and a conditional update),
    so two senders never write one event's messages twice."""
    waiting = (
        select(OutboxEvent.id)
        .where(OutboxEvent.expanded_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(size)
    )
    taken = claim_ids(waiting, OutboxEvent.id, OutboxEvent.expanded_at.is_(None), expanded_at=now)
    for row in db.session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(taken))):
        event, bookings = _replayed(row)
        if _arms_reminders(event):
            arm_reminders(event, bookings)
        write_messages(event, bookings)
    return len(taken)
