"""The states a booking moves through, and the checks that an action fits its state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, update

from booking.errors import StateConflictError
from booking.extensions import db
from booking.models import OCCUPYING, Booking
from booking.services import audit


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


def move_all(
    source: str, target: str, action: str, now: datetime, *conditions: ColumnElement[bool]
) -> list[int]:
    """Move every ``source`` booking matching ``conditions`` to ``target``, raising its
    SEQUENCE and recording ``action`` (no actor: the service's own jobs); their ids.

    One conditional update: each booking moves once, however many processes run this at
    the same time, and one that left ``source`` meanwhile is left alone.
    """
    query = (
        update(Booking)
        .where(Booking.status == source, *conditions)
        .values(status=target, updated_at=now, sequence=Booking.sequence + 1)
        .returning(Booking.id)
    )
    moved = list(db.session.scalars(query.execution_options(synchronize_session=False)))
    audit.record_service_changes(moved, action, now, {"status": [source, target]})
    return moved
