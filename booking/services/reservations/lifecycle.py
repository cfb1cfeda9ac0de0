"""The states a booking moves through, and the checks that an action fits its state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm.util import identity_key

from booking.errors import StateConflictError
from booking.events import TimeFreed, publish
from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource, User
from booking.services.catalogue import rules_of
from booking.services.core import audit
from rules.charges import Tariff, tariff_of


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


def free_time(
    resource_id: int, start: datetime, end: datetime, now: datetime, actor_id: int | None
) -> None:
    """Say that ``[start, end)`` of ``resource_id``, held until now, is free again (the
    part still to come; nothing when all of it has passed)."""
    start = max(start, now)
    if start < end:
        publish(TimeFreed(actor_id=actor_id, at=now, resource_id=resource_id, start=start, end=end))


def free_booking(booking: Booking, now: datetime, actor_id: int | None) -> None:
    """Say that the time ``booking`` occupied is free again."""
    free_time(booking.resource_id, booking.occupied_start, booking.occupied_end, now, actor_id)


def cancel(
    booking: Booking, actor: User, now: datetime, tariffs: dict[int, Tariff] | None = None
) -> None:
    """Cancel ``booking`` (open, and locked by the caller), audited, freeing its time; the
    caller says ``BookingsCancelled`` (once for a series' dates).

    A confirmed booking cancelled within its resource's ``late_cancel_within`` of its
    start is marked a late cancellation, under the rules in force now (the charges read
    it); ``tariffs`` keeps each resource's charging rules across many cancellations."""
    changes: dict[str, list[Any]] = {"status": [booking.status, "cancelled"]}
    if booking.status in ("confirmed", "checked_in"):
        tariffs = {} if tariffs is None else tariffs
        if booking.resource_id not in tariffs:
            tariffs[booking.resource_id] = tariff_of(
                rules_of(db.session.get_one(Resource, booking.resource_id))
            )
        if tariffs[booking.resource_id].is_late(booking.start, now):
            booking.late_cancellation = True
            changes["late_cancellation"] = [False, True]
    audit.record(booking, actor, "cancelled", now, changes)
    booking.status, booking.updated_at, booking.cancelled_at = "cancelled", now, now
    free_booking(booking, now, actor.id)


def move_all(
    source: str, target: str, action: str, now: datetime, *conditions: ColumnElement[bool]
) -> list[int]:
    """Move every ``source`` booking matching ``conditions`` to ``target``, raising its
    SEQUENCE and recording ``action`` (no actor: the service's own jobs); their ids.
    Where ``target`` holds no time, the time they held is said to be free.

    One conditional update: each booking moves once, however many processes run this at
    the same time, and one that left ``source`` meanwhile is left alone.
    """
    query = (
        update(Booking)
        .where(Booking.status == source, *conditions)
        .values(status=target, updated_at=now, sequence=Booking.sequence + 1)
        .returning(Booking.id, Booking.resource_id, Booking.occupied_start, Booking.occupied_end)
    )
    rows = db.session.execute(query.execution_options(synchronize_session=False)).all()
    moved = [row.id for row in rows]
    for booking_id in moved:  # copies this transaction holds are out of date now
        held = db.session.identity_map.get(identity_key(Booking, booking_id))
        if held is not None:
            db.session.expire(held)
    audit.record_service_changes(moved, action, now, {"status": [source, target]})
    if target not in OCCUPYING:
        for row in rows:
            free_time(row.resource_id, row.occupied_start, row.occupied_end, now, None)
    return moved
