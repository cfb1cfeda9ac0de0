"""Reading the audit trail: who changed which booking, when, and what changed, filtered by
booking, resource, person and period, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from booking.access import require
from booking.extensions import db
from booking.models import Booking, BookingEvent, Resource, User


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to read; ``None`` leaves a filter out. ``start``/``end`` bound ``at``."""

    booking_id: int | None = None
    resource_id: int | None = None
    actor_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 500
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One change, with the names a person reads it by."""

    id: int
    at: datetime
    action: str
    booking_id: int
    booking_title: str
    resource_id: int
    resource_name: str
    actor_id: int | None
    actor_name: str | None
    changes: dict[str, Any]


def read_audit(actor: User, wanted: AuditFilter) -> list[AuditRow]:
    """The changes ``wanted`` selects, newest first (facility managers and admins)."""
    require(actor, "read_audit")
    query = (
        select(BookingEvent, Booking.title, Booking.resource_id, Resource.name, User.name)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .join(Resource, Resource.id == Booking.resource_id)
        .outerjoin(User, User.id == BookingEvent.actor_id)
    )
    if wanted.booking_id is not None:
        query = query.where(BookingEvent.booking_id == wanted.booking_id)
    if wanted.resource_id is not None:
        query = query.where(Booking.resource_id == wanted.resource_id)
    if wanted.actor_id is not None:
        query = query.where(BookingEvent.actor_id == wanted.actor_id)
    if wanted.start is not None:
        query = query.where(BookingEvent.at >= wanted.start)
    if wanted.end is not None:
        query = query.where(BookingEvent.at < wanted.end)
    query = query.order_by(BookingEvent.at.desc(), BookingEvent.id.desc())
    rows = db.session.execute(query.limit(wanted.limit).offset(wanted.offset))
    return [
        AuditRow(
            event.id,
            event.at,
            event.action,
            event.booking_id,
            title,
            resource_id,
            resource_name,
            event.actor_id,
            actor_name,
            dict(event.changes or {}),
        )  # fmt: skip
        for event, title, resource_id, resource_name, actor_name in rows
    ]
