"""Bookings that wait for approval: approving, rejecting, and expiry when nobody decides.

A booking of a resource that requires approval is ``pending`` until a facility manager
(or an admin) approves or rejects it. It must be decided by its ``approval_due_at``: the
``bookings.approve_within`` setting after it began to wait, or its start if that comes
first. After that it is ``expired`` (the ``expire-pending`` job) and its time is free.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import or_

from booking.access import require
from booking.errors import StateConflictError
from booking.events import BookingApproved, BookingRejected, BookingsExpired, publish
from booking.models import Booking, User
from booking.schemas.fields import local_iso
from booking.services.core import audit, transactional, visible_booking
from booking.services.reservations.lifecycle import free_booking, move_all, require_status
from rules.durations import parse_duration


def approval_deadline(start: datetime, now: datetime) -> datetime:
    """When a booking starting at ``start`` that begins to wait at ``now`` expires."""
    return min(start, now + parse_duration(current_app.config["BOOKINGS_APPROVE_WITHIN"]))


def await_approval(booking: Booking, now: datetime) -> None:
    """Make ``booking`` wait for approval from ``now``."""
    booking.status = "pending"
    booking.approval_due_at = approval_deadline(booking.start, now)


def _decide_pending(
    actor: User, booking_id: int, status: str, reason: str | None, now: datetime
) -> Booking:
    booking = visible_booking(actor, booking_id, for_update=True)
    verb = "approve" if status == "confirmed" else "reject"
    require(actor, "approve", f"{verb} bookings")
    require_status(booking, "pending", f"{verb}d", "not_pending")
    due = booking.approval_due_at
    if due is not None and due <= now:
        raise StateConflictError(
            f"The time to decide on it ran out at {local_iso(due)}; it has expired "
            "and its time is free.",
            code="approval_expired",
        )
    details: dict[str, Any] = {"status": ["pending", status]}
    if reason:
        details["reason"] = reason
    audit.record(booking, actor, "approved" if status == "confirmed" else "rejected", now, details)
    booking.status, booking.status_reason, booking.updated_at = status, reason, now
    ids = (booking.id,)
    if status == "confirmed":
        publish(BookingApproved(actor_id=actor.id, at=now, booking_ids=ids, reason=reason))
    else:
        free_booking(booking, now, actor.id)
        publish(BookingRejected(actor_id=actor.id, at=now, booking_ids=ids, reason=reason or ""))
    return booking


@transactional
def approve_booking(actor: User, booking_id: int, reason: str | None, now: datetime) -> Booking:
    """Confirm a booking that waits for approval (facility managers, admins)."""
    return _decide_pending(actor, booking_id, "confirmed", reason, now)


@transactional
def reject_booking(actor: User, booking_id: int, reason: str, now: datetime) -> Booking:
    """Refuse a booking that waits for approval, saying why; its time is freed."""
    return _decide_pending(actor, booking_id, "rejected", reason, now)


@transactional
def expire_pending(now: datetime) -> list[int]:
    """The ``expire-pending`` job: every pending booking not decided by its deadline
    (or, for one without a deadline, by its start) becomes ``expired``; their ids.

    A conditional update: each expires once, however many processes run this at once.
    """
    expired = move_all(
        "pending",
        "expired",
        "expired",
        now,
        or_(Booking.approval_due_at <= now, Booking.start <= now),
    )
    if expired:
        publish(BookingsExpired(actor_id=None, at=now, booking_ids=tuple(expired), was="pending"))
    return expired
