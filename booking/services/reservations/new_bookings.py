"""How a booking row comes to be: its status, its deadlines and its audit record.

One way for a one-off booking, a series' occurrences and a date added back to a series,
so the three can never disagree on what "pending" or "held" means.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from flask import current_app

from booking.access import can, require
from booking.models import Booking, Resource, User
from booking.services.core import audit
from booking.services.reservations.approvals import approval_deadline
from rules import Decision, Interval
from rules.durations import parse_duration

#: The fields an audit record of a change shows before and after.
TRACKED_FIELDS = (
    "resource_id",
    "start",
    "end",
    "units",
    "attendees",
    "title",
    "notes",
    "cost_code",
    "status",
)


def waits_for_approval(actor: User, needs_approval: bool) -> bool:
    """True when a booking whose rules ask for approval must wait for it: the actor is
    no approver (an approver's own bookings are confirmed at once)."""
    return needs_approval and not can(actor, "approve")


def require_override(actor: User, override: bool) -> None:
    """Refuse (403) a request to override the rules from someone who may not."""
    if override:
        require(actor, "override_rules")


class Described(Protocol):
    """What a booking is asked for with: a draft, a series, a waitlist entry."""

    title: str
    notes: str | None
    cost_code: str | None
    attendees: int | None
    units: int


def details_of(source: Described) -> dict[str, Any]:
    """The fields a new booking takes from what it was asked for with."""
    return {
        "title": source.title,
        "notes": source.notes,
        "cost_code": source.cost_code,
        "attendees": source.attendees,
        "units": source.units,
    }


def hold_expiry(now: datetime) -> datetime:
    """When a hold made at ``now`` lapses (the ``bookings.hold_for`` setting)."""
    return now + parse_duration(current_app.config["BOOKINGS_HOLD_FOR"])


def opening_status(actor: User, decision: Decision, *, hold: bool = False) -> str:
    """A new booking's status: held if asked, pending if it waits for approval."""
    if hold:
        return "held"
    return "pending" if waits_for_approval(actor, decision.needs_approval) else "confirmed"


def new_booking(
    *,
    actor: User,
    owner: User,
    resource: Resource,
    interval: Interval,
    decision: Decision,
    fields: Mapping[str, Any],
    now: datetime,
    hold: bool = False,
) -> Booking:
    """A booking of ``resource`` for ``owner`` made by ``actor`` (not yet added):
    ``fields`` are its title, notes, attendees, units and, for an occurrence, its
    ``series_id`` and ``recurrence_id``."""
    status = opening_status(actor, decision, hold=hold)
    return Booking(
        resource_id=resource.id,
        user_id=owner.id,
        booked_by_id=actor.id,
        tenant_id=owner.tenant_id,
        start=interval.start,
        end=interval.end,
        occupied_start=decision.occupied.start,
        occupied_end=decision.occupied.end,
        exclusive=resource.quantity == 1,
        status=status,
        hold_expires_at=hold_expiry(now) if hold else None,
        approval_due_at=approval_deadline(interval.start, now) if status == "pending" else None,
        created_at=now,
        updated_at=now,
        **fields,
    )


def record_created(booking: Booking, actor: User, now: datetime, decision: Decision) -> None:
    """The audit record of a new booking (flushed, so it has its id): its fields and any
    rules an override set aside."""
    details: dict[str, Any] = {name: getattr(booking, name) for name in TRACKED_FIELDS}
    if booking.series_id is not None:
        details["series_id"] = booking.series_id
    if decision.violations:
        details["overridden"] = [v.code for v in decision.violations]
    audit.record(booking, actor, "created", now, details)
