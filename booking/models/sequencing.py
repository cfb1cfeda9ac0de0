"""Raising a booking's ``sequence`` whenever its time, place or status changes.

Calendar apps take an event with a higher SEQUENCE as the newer version (RFC 5545), so
every such change must raise it, whichever service makes it. Changes made through the
ORM are caught here, at flush; the jobs' bulk updates raise it in
``booking.services.lifecycle.move_all``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect

from booking.models.bookings import Booking

#: The attributes whose change makes a new version of the event.
SEQUENCED = ("start", "end", "resource_id", "status")


@event.listens_for(Booking, "before_update")
def _raise_sequence(mapper: Any, connection: Any, booking: Booking) -> None:
    state = inspect(booking)
    if any(state.attrs[name].history.has_changes() for name in SEQUENCED):
        booking.sequence = (booking.sequence or 0) + 1
