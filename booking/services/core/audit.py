"""The audit trail of bookings: every change, who made it and when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from booking.extensions import db
from booking.models import Booking, BookingEvent, User


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, datetime) else value


def record(
    booking: Booking, actor: User | None, action: str, now: datetime, changes: Mapping[str, Any]
) -> BookingEvent:
    """Add an audit event for ``booking`` to the current transaction; ``actor`` is
    ``None`` for the service's own jobs."""
    event = BookingEvent(
        booking_id=booking.id,
        actor_id=None if actor is None else actor.id,
        at=now,
        action=action,
        changes={key: _plain(value) for key, value in changes.items()},
    )
    db.session.add(event)
    return event


def record_service_changes(
    booking_ids: Iterable[int], action: str, now: datetime, changes: Mapping[str, Any]
) -> None:
    """Add the same event, made by the service's own jobs (no actor), to each booking."""
    plain = {key: _plain(value) for key, value in changes.items()}
    db.session.add_all(
        BookingEvent(booking_id=booking_id, actor_id=None, at=now, action=action, changes=plain)
        for booking_id in booking_ids
    )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value changed."""
    return {
        key: [_plain(before[key]), _plain(after[key])]
        for key in after
        if before.get(key) != after[key]
    }
