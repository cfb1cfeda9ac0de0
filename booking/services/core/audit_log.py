"""Reading the audit trail: who changed which booking, when, and what changed, and what
was done to people's accounts (their data exported or erased); filtered by booking,
resource, person and period, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from booking.access import require
from booking.extensions import db
from booking.models import AccountEvent, Booking, BookingEvent, Resource, User


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
    booking_id: int | None
    booking_title: str | None
    resource_id: int | None
    resource_name: str | None
    actor_id: int | None
    actor_name: str | None
    changes: dict[str, Any]
    #: Whose account, for what was done to an account rather than a booking.
    user_id: int | None = None
    user_name: str | None = None


def _who_and_when(query: Any, wanted: AuditFilter, event: Any, most: int) -> Any:
    """``query`` narrowed to ``wanted``'s person and period, newest ``most`` first."""
    if wanted.actor_id is not None:
        query = query.where(event.actor_id == wanted.actor_id)
    if wanted.start is not None:
        query = query.where(event.at >= wanted.start)
    if wanted.end is not None:
        query = query.where(event.at < wanted.end)
    return query.order_by(event.at.desc(), event.id.desc()).limit(most)


def _booking_changes(wanted: AuditFilter, most: int) -> list[AuditRow]:
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
    query = _who_and_when(query, wanted, BookingEvent, most)
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
        for event, title, resource_id, resource_name, actor_name in db.session.execute(query)
    ]


def _account_changes(wanted: AuditFilter, most: int) -> list[AuditRow]:
    if wanted.booking_id is not None or wanted.resource_id is not None:
        return []
    whose, by = aliased(User), aliased(User)
    query = (
        select(AccountEvent, whose.name, by.name)
        .join(whose, whose.id == AccountEvent.user_id)
        .outerjoin(by, by.id == AccountEvent.actor_id)
    )
    query = _who_and_when(query, wanted, AccountEvent, most)
    return [
        AuditRow(
            event.id,
            event.at,
            event.action,
            None,
            None,
            None,
            None,
            event.actor_id,
            actor_name,
            dict(event.details or {}),
            event.user_id,
            user_name,
        )  # fmt: skip
        for event, user_name, actor_name in db.session.execute(query)
    ]


def read_audit(actor: User, wanted: AuditFilter) -> list[AuditRow]:
    """The changes ``wanted`` selects, newest first (facility managers and admins)."""
    require(actor, "read_audit")
    most = wanted.offset + wanted.limit
    rows = _booking_changes(wanted, most) + _account_changes(wanted, most)
    rows.sort(key=lambda row: (row.at, row.booking_id is None, row.id), reverse=True)
    return rows[wanted.offset : most]
