"""Changing a booking: its time, place or details (checked again like a new booking),
cancelling it, and confirming a hold. Each use case runs in one transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from booking.access import can
from booking.errors import (
    InvalidFieldsError,
    StateConflictError,
)
from booking.events import (
    BookingConfirmed,
    BookingsCancelled,
    BookingsChanged,
    publish,
)
from booking.models import Booking, Resource, User
from booking.schemas.fields import local_iso
from booking.services.catalogue import rules_of
from booking.services.core import (
    audit,
    transactional,
    visible_booking,
)
from booking.services.reservations.approvals import approval_deadline, await_approval
from booking.services.reservations.bookings import (
    owner_of,
    resource_for,
)
from booking.services.reservations.judging import Judge, refuse
from booking.services.reservations.lifecycle import (
    cancel,
    free_time,
    require_open,
    require_status,
)
from booking.services.reservations.new_bookings import (
    TRACKED_FIELDS,
    require_override,
    waits_for_approval,
)
from rules import BookingRequest, Decision, Interval, Violation

#: Fields whose change moves a booking, so it is checked again like a new one.
MOVING_FIELDS = ("resource_id", "start", "end", "units", "attendees")


def _judge_or_refuse(
    resource: Resource,
    beneficiary: User,
    request: BookingRequest,
    now: datetime,
    *,
    override: bool,
    excluding: Collection[int] = (),
    exempt: frozenset[str] = frozenset(),
) -> Decision:
    """Judge ``request`` with the resource's path locked, or raise the refusal."""
    judge = Judge.prepare(
        resource, beneficiary, request.interval, now, excluding=excluding, exempt=exempt
    )
    decision = judge.judge(request)
    refuse(decision, override=override)
    return decision


def _place_again(
    actor: User,
    booking: Booking,
    before: dict[str, Any],
    after: dict[str, Any],
    changes: dict[str, Any],
    now: datetime,
    *,
    override: bool,
) -> list[Violation]:
    """Judge a booking's new time, place, units or people like a new booking and claim
    it (or raise the refusal); the rules overridden. A change that needs approval puts
    the booking back to pending (in ``changes``)."""
    resource = resource_for(after["resource_id"])
    interval = Interval(after["start"], after["end"])
    request = BookingRequest(interval, units=after["units"], attendees=after["attendees"])
    # Changing a booking already under way, without moving its start, is allowed.
    started = after["start"] == before["start"] and before["start"] <= now
    exempt = frozenset({"in_the_past", "too_soon"}) if started else frozenset()
    if can(actor, "run_reception"):
        exempt |= {"too_soon"}  # reception books at any notice
    decision = _judge_or_refuse(
        resource,
        owner_of(booking),
        request,
        now,
        override=override,
        excluding=(booking.id,),
        exempt=exempt,
    )
    booking.occupied_start, booking.occupied_end = decision.occupied.start, decision.occupied.end
    if waits_for_approval(actor, decision.needs_approval):
        # what was approved was another time or place: it waits for approval again
        changes["status"] = after["status"] = "pending"
        changes["approval_due_at"] = approval_deadline(after["start"], now)
    booking.exclusive = resource.quantity == 1
    return decision.violations


@transactional
def update_booking(actor: User, booking_id: int, changes: dict[str, Any], now: datetime) -> Booking:
    """Change a booking; a change of time, place, units or people is checked like a new one."""
    override = bool(changes.pop("override_rules", False))
    require_override(actor, override)
    booking = visible_booking(actor, booking_id, for_update=True)
    require_open(booking, "changed")
    before = {name: getattr(booking, name) for name in TRACKED_FIELDS}
    after = {**before, **changes}
    if after["end"] <= after["start"]:
        raise InvalidFieldsError({"end": ["The end must be after the start."]})
    bypassed: list[Violation] = []
    moved = any(after[name] != before[name] for name in MOVING_FIELDS)
    held = (booking.resource_id, booking.occupied_start, booking.occupied_end)
    if moved:
        bypassed = _place_again(actor, booking, before, after, changes, now, override=override)
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.updated_at = now
    details: dict[str, Any] = audit.diff(before, after)
    if bypassed:
        details["overridden"] = [v.code for v in bypassed]
    audit.record(booking, actor, "updated", now, details)
    if moved:
        free_time(*held, now, actor.id)
    publish(BookingsChanged(actor_id=actor.id, at=now, booking_ids=(booking.id,), moved=moved))
    return booking


@transactional
def cancel_booking(actor: User, booking_id: int, now: datetime) -> Booking:
    """Cancel an open booking, freeing its time."""
    booking = visible_booking(actor, booking_id, for_update=True)
    require_open(booking, "cancelled")
    cancel(booking, actor, now)
    publish(BookingsCancelled(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking


@transactional
def confirm_booking(actor: User, booking_id: int, now: datetime) -> Booking:
    """Make a hold a booking: confirmed, or pending where the resource needs approval."""
    booking = visible_booking(actor, booking_id, for_update=True)
    require_status(booking, "held", "confirmed", "not_held")
    expires = booking.hold_expires_at
    if expires is not None and expires <= now:
        raise StateConflictError(
            f"The hold lapsed at {local_iso(expires)} and its time is free again; book anew.",
            code="hold_expired",
        )
    resource = resource_for(booking.resource_id)
    needs_approval = waits_for_approval(actor, rules_of(resource).requires_approval)
    status = "pending" if needs_approval else "confirmed"
    audit.record(booking, actor, "confirmed", now, {"status": ["held", status]})
    booking.status, booking.hold_expires_at, booking.updated_at = "confirmed", None, now
    if needs_approval:
        await_approval(booking, now)
    publish(BookingConfirmed(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking
