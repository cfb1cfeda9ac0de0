"""The states a booking moves through, and the checks that an action fits its state."""

from __future__ import annotations

from booking.errors import StateConflictError
from booking.models import OCCUPYING, Booking


def shown(status: str) -> str:
    """A status as words: ``checked_in`` is "checked in"."""
    return status.replace("_", " ")


def require_status(booking: Booking, status: str, done: str, code: str) -> None:
    """Refuse (409 ``code``) unless ``booking`` is in ``status``; ``done`` is what would
    be done to it ("confirmed", "checked out")."""
    if booking.status != status:
        raise StateConflictError(
            f"Only a {shown(status)} booking can be {done}; this one is {shown(booking.status)}.",
            code=code,
        )


def require_open(booking: Booking, done: str) -> None:
    """Refuse (409 ``booking_closed``) a change to a booking that no longer holds time."""
    if booking.status not in OCCUPYING:
        raise StateConflictError(
            f"A {shown(booking.status)} booking cannot be {done}.", code="booking_closed"
        )
