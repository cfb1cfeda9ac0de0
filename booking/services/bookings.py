"""Booking use cases: create, change, cancel, read. Each runs in one transaction.

The order of checks is the order of the answers a caller gets: unknown things (404)
and missing rights (403), then rule violations (422, all at once), then clashes with
time already claimed (409).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from booking.errors import (
    InvalidFieldsError,
    NotFoundError,
    StateConflictError,
)
from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource, Series, User
from booking.schemas.fields import local_iso
from booking.services import audit
from booking.services.access import (
    APPROVER_ROLES,
    RULE_OVERRIDE_ROLES,
    require_booking_for,
    require_role,
    visible_bookings,
)
from booking.services.alternatives import suggest_alternatives
from booking.services.claims import overlapping
from booking.services.judging import Judge, refuse
from booking.services.rulebook import rules_of
from booking.services.transactions import transactional
from rules import BookingRequest, Decision, Interval, Violation
from rules.durations import parse_duration

#: Fields whose change moves a booking, so it is checked again like a new one.
MOVING_FIELDS = ("resource_id", "start", "end", "units", "attendees")
TRACKED_FIELDS = ("resource_id", "start", "end", "units", "attendees", "title", "notes", "status")


@dataclass
class BookingDraft:
    """What a caller asks to book."""

    resource_id: int
    start: datetime
    end: datetime
    title: str
    attendees: int | None = None
    units: int = 1
    notes: str | None = None
    on_behalf_of: int | None = None
    override_rules: bool = False
    hold: bool = False


@dataclass(frozen=True)
class BookingQuery:
    """Filters of the booking list."""

    resource_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: Sequence[str] = field(default_factory=tuple)
    mine: bool = False
    limit: int = 500
    offset: int = 0


def resource_for(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise InvalidFieldsError({"resource_id": ["No such resource."]})
    return resource


def beneficiary_for(actor: User, user_id: int | None) -> User:
    if user_id is None or user_id == actor.id:
        return actor
    user = db.session.get(User, user_id)
    if user is None and actor.is_staff:
        raise InvalidFieldsError({"on_behalf_of": ["No such user."]})
    return require_booking_for(actor, user)


def _judge_move(
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


def hold_expiry(now: datetime) -> datetime:
    """When a hold made at ``now`` lapses (the ``bookings.hold_for`` setting)."""
    return now + parse_duration(current_app.config["BOOKINGS_HOLD_FOR"])


def opening_status(actor: User, decision: Decision, *, hold: bool = False) -> str:
    """A new booking's status: held if asked, pending if it waits for approval."""
    if hold:
        return "held"
    if decision.needs_approval and actor.role not in APPROVER_ROLES:
        return "pending"
    return "confirmed"


@transactional
def create_booking(actor: User, draft: BookingDraft, now: datetime) -> Booking:
    """Book ``draft`` for the caller (or on behalf of someone), or refuse with the reasons."""
    resource = resource_for(draft.resource_id)
    beneficiary = beneficiary_for(actor, draft.on_behalf_of)
    if draft.override_rules:
        require_role(actor, RULE_OVERRIDE_ROLES, "override booking rules")
    interval = Interval(draft.start, draft.end)
    request = BookingRequest(interval=interval, units=draft.units, attendees=draft.attendees)
    decision = Judge.prepare(resource, beneficiary, interval, now).judge(request)
    refuse(
        decision,
        override=draft.override_rules,
        offer=lambda: suggest_alternatives(resource, beneficiary, request, now),
    )
    bypassed = decision.violations
    occupied = decision.occupied
    booking = Booking(
        resource_id=resource.id,
        user_id=beneficiary.id,
        booked_by_id=actor.id,
        tenant_id=beneficiary.tenant_id,
        title=draft.title,
        notes=draft.notes,
        attendees=draft.attendees,
        units=draft.units,
        start=interval.start,
        end=interval.end,
        occupied_start=occupied.start,
        occupied_end=occupied.end,
        exclusive=resource.quantity == 1,
        status=opening_status(actor, decision, hold=draft.hold),
        hold_expires_at=hold_expiry(now) if draft.hold else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(booking)
    db.session.flush()
    details: dict[str, Any] = {name: getattr(booking, name) for name in TRACKED_FIELDS}
    if bypassed:
        details["overridden"] = [v.code for v in bypassed]
    audit.record(booking, actor, "created", now, details)
    return booking


def _visible(actor: User, booking_id: int, *, for_update: bool = False) -> Booking:
    query = select(Booking).where(Booking.id == booking_id, visible_bookings(actor))
    if for_update:
        query = query.with_for_update()
    booking = db.session.scalar(query)
    if booking is None:
        raise NotFoundError("No such booking.")
    return booking


def get_booking(actor: User, booking_id: int) -> Booking:
    """A booking the caller may see, or a 404 (whether or not it exists)."""
    return _visible(actor, booking_id)


def list_bookings(actor: User, query: BookingQuery) -> list[Booking]:
    """Bookings the caller may see, matching the filters, by start time."""
    stmt = select(Booking).where(visible_bookings(actor))
    if query.resource_id is not None:
        stmt = stmt.where(Booking.resource_id == query.resource_id)
    if query.start is not None and query.end is not None:
        stmt = stmt.where(overlapping(Booking.start, Booking.end, Interval(query.start, query.end)))
    elif query.start is not None:
        stmt = stmt.where(Booking.end > query.start)
    elif query.end is not None:
        stmt = stmt.where(Booking.start < query.end)
    if query.status:
        stmt = stmt.where(Booking.status.in_(query.status))
    if query.mine:
        stmt = stmt.where(Booking.user_id == actor.id)
    stmt = stmt.order_by(Booking.start, Booking.id).limit(query.limit).offset(query.offset)
    return list(db.session.scalars(stmt))


def owner_of(booked: Booking | Series) -> User:
    """Whom a booking or a series is for."""
    user = db.session.get(User, booked.user_id)
    assert user is not None  # a foreign key
    return user


def _require_open(booking: Booking, action: str) -> None:
    if booking.status not in OCCUPYING:
        raise StateConflictError(
            f"A {booking.status.replace('_', ' ')} booking cannot be {action}.",
            code="booking_closed",
        )


@transactional
def update_booking(actor: User, booking_id: int, changes: dict[str, Any], now: datetime) -> Booking:
    """Change a booking; a change of time, place, units or people is checked like a new one."""
    override = bool(changes.pop("override_rules", False))
    if override:
        require_role(actor, RULE_OVERRIDE_ROLES, "override booking rules")
    booking = _visible(actor, booking_id, for_update=True)
    _require_open(booking, "changed")
    before = {name: getattr(booking, name) for name in TRACKED_FIELDS}
    after = {**before, **changes}
    if after["end"] <= after["start"]:
        raise InvalidFieldsError({"end": ["The end must be after the start."]})
    bypassed: list[Violation] = []
    if any(after[name] != before[name] for name in MOVING_FIELDS):
        resource = resource_for(after["resource_id"])
        interval = Interval(after["start"], after["end"])
        request = BookingRequest(interval, units=after["units"], attendees=after["attendees"])
        # Changing a booking already under way, without moving its start, is allowed.
        started = after["start"] == before["start"] and before["start"] <= now
        exempt = frozenset({"in_the_past", "too_soon"}) if started else frozenset()
        beneficiary = owner_of(booking)
        decision = _judge_move(
            resource,
            beneficiary,
            request,
            now,
            override=override,
            excluding=(booking.id,),
            exempt=exempt,
        )
        bypassed = decision.violations
        occupied = decision.occupied
        booking.occupied_start, booking.occupied_end = occupied.start, occupied.end
        if decision.needs_approval and actor.role not in APPROVER_ROLES:
            # what was approved was another time or place: it waits for approval again
            changes["status"] = after["status"] = "pending"
        booking.exclusive = resource.quantity == 1
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.updated_at = now
    details: dict[str, Any] = audit.diff(before, after)
    if bypassed:
        details["overridden"] = [v.code for v in bypassed]
    audit.record(booking, actor, "updated", now, details)
    return booking


@transactional
def cancel_booking(actor: User, booking_id: int, now: datetime) -> Booking:
    """Cancel an open booking, freeing its time."""
    booking = _visible(actor, booking_id, for_update=True)
    _require_open(booking, "cancelled")
    audit.record(booking, actor, "cancelled", now, {"status": [booking.status, "cancelled"]})
    booking.status = "cancelled"
    booking.updated_at = now
    return booking


@transactional
def confirm_booking(actor: User, booking_id: int, now: datetime) -> Booking:
    """Make a hold a booking: confirmed, or pending where the resource needs approval."""
    booking = _visible(actor, booking_id, for_update=True)
    if booking.status != "held":
        raise StateConflictError(
            f"Only a held booking can be confirmed; this one is "
            f"{booking.status.replace('_', ' ')}.",
            code="not_held",
        )
    expires = booking.hold_expires_at
    if expires is not None and expires <= now:
        raise StateConflictError(
            f"The hold lapsed at {local_iso(expires)} and its time is free again; book anew.",
            code="hold_expired",
        )
    resource = resource_for(booking.resource_id)
    needs_approval = rules_of(resource).requires_approval and actor.role not in APPROVER_ROLES
    status = "pending" if needs_approval else "confirmed"
    audit.record(booking, actor, "confirmed", now, {"status": ["held", status]})
    booking.status, booking.hold_expires_at, booking.updated_at = status, None, now
    return booking


def _decide_pending(
    actor: User, booking_id: int, status: str, reason: str | None, now: datetime
) -> Booking:
    booking = _visible(actor, booking_id, for_update=True)
    verb = "approve" if status == "confirmed" else "reject"
    require_role(actor, APPROVER_ROLES, f"{verb} bookings")
    if booking.status != "pending":
        raise StateConflictError(
            f"Only a pending booking can be {verb}d; this one is "
            f"{booking.status.replace('_', ' ')}.",
            code="not_pending",
        )
    details: dict[str, Any] = {"status": ["pending", status]}
    if reason:
        details["reason"] = reason
    audit.record(booking, actor, "approved" if status == "confirmed" else "rejected", now, details)
    booking.status, booking.status_reason, booking.updated_at = status, reason, now
    return booking


@transactional
def approve_booking(actor: User, booking_id: int, reason: str | None, now: datetime) -> Booking:
    """Confirm a booking that waits for approval (facility managers, admins)."""
    return _decide_pending(actor, booking_id, "confirmed", reason, now)


@transactional
def reject_booking(actor: User, booking_id: int, reason: str, now: datetime) -> Booking:
    """Refuse a booking that waits for approval, saying why; its time is freed."""
    return _decide_pending(actor, booking_id, "rejected", reason, now)
