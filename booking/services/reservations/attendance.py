"""Who turned up: check-in, check-out, no-shows released, visits completed.

A confirmed booking may be checked in from ``reception.check_in_from`` before its start
until its end. Where the resource's rules require check-in (``check_in.required``), a
booking not checked in by its start plus ``check_in.grace`` is a no-show: the
``release-no-shows`` job marks it ``no_show`` at that instant (to the job's interval)
and its time is free again. Checking out early cuts the booking's end back to the
minute, freeing the rest; the end as booked is kept in ``booked_end``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app

from booking.errors import StateConflictError
from booking.events import BookingCheckedIn, BookingsCompleted, BookingsReleased, publish
from booking.extensions import db
from booking.models import Booking, Resource, User
from booking.schemas.fields import local_iso
from booking.services.catalogue import rules_of, rules_of_every_resource, site_zone
from booking.services.core import audit, transactional, visible_booking
from booking.services.reservations.lifecycle import (
    free_time,
    move_all,
    require_open,
    require_status,
)
from rules import RuleSet
from rules.durations import format_duration, parse_duration
from rules.localtime import align_down

MINUTE = timedelta(minutes=1)


def check_in_from() -> timedelta:
    """How long before its start a booking may be checked in (``reception.check_in_from``)."""
    return parse_duration(current_app.config["RECEPTION_CHECK_IN_FROM"])


def required_grace(rules: RuleSet) -> timedelta | None:
    """How late after its start a booking must be checked in, where check-in is required."""
    return rules.check_in.grace if rules.check_in and rules.check_in.required else None


def require_check_in_window(
    start: datetime, end: datetime, rules: RuleSet, now: datetime, *, walk_in: bool = False
) -> None:
    """Refuse (409) checking in at ``now`` a booking of ``[start, end)`` under ``rules``.

    A ``walk_in`` is being booked and checked in at once, so its grace does not apply:
    it may start in a slot already under way."""
    opens = start - check_in_from()
    if now < opens:
        raise StateConflictError(
            f"Check-in opens at {local_iso(opens)}, "
            f"{format_duration(check_in_from())} before the booking starts.",
            code="check_in_too_early",
        )
    grace = required_grace(rules)
    if not walk_in and grace is not None and now >= start + grace and start + grace < end:
        raise StateConflictError(
            f"Check-in closed at {local_iso(start + grace)}, {format_duration(grace)} after "
            "the start; the booking is released as a no-show.",
            code="check_in_too_late",
        )
    if now >= end:
        raise StateConflictError(
            f"The booking ended at {local_iso(end)}; it can no longer be checked in.",
            code="check_in_too_late",
        )


def walk_in_start(now: datetime, rules: RuleSet) -> datetime:
    """Where a walk-in booked "from now" starts: ``now`` rounded down to the slot (to the
    minute where the resource has no slot)."""
    return align_down(now, rules.slot or MINUTE, site_zone())


def _require_checkable(booking: Booking) -> None:
    if booking.status == "confirmed":
        return
    if booking.status == "checked_in":
        raise StateConflictError(
            f"It was checked in at {local_iso(booking.checked_in_at or booking.updated_at)}.",
            code="already_checked_in",
        )
    if booking.status in ("held", "pending"):
        waiting = "confirmed" if booking.status == "held" else "approved"
        raise StateConflictError(
            f"A {booking.status} booking must be {waiting} before it can be checked in.",
            code="not_confirmed",
        )
    require_open(booking, "checked in")


def mark_checked_in(booking: Booking, now: datetime) -> None:
    """Record that the people of ``booking`` are here."""
    booking.status, booking.checked_in_at, booking.updated_at = "checked_in", now, now


@transactional
def check_in(actor: User, booking_id: int, now: datetime) -> Booking:
    """Check a confirmed booking in (its booker, their tenant admin, or reception)."""
    booking = visible_booking(actor, booking_id, for_update=True)
    _require_checkable(booking)
    resource = db.session.get(Resource, booking.resource_id)
    assert resource is not None  # a foreign key
    require_check_in_window(booking.start, booking.end, rules_of(resource), now)
    audit.record(booking, actor, "checked_in", now, {"status": ["confirmed", "checked_in"]})
    mark_checked_in(booking, now)
    publish(BookingCheckedIn(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking


@transactional
def check_out(actor: User, booking_id: int, now: datetime) -> Booking:
    """Check a booking out: it is ``completed``; leaving early frees the rest of its time."""
    booking = visible_booking(actor, booking_id, for_update=True)
    require_status(booking, "checked_in", "checked out", "not_checked_in")
    cut = datetime.fromtimestamp(math.ceil(now.timestamp() / 60) * 60, now.tzinfo)
    if cut <= booking.start:
        raise StateConflictError(
            f"It starts at {local_iso(booking.start)}: cancel it to free its time instead.",
            code="not_started",
        )
    changes: dict[str, object] = {"status": ["checked_in", "completed"], "checked_out_at": now}
    if cut < booking.end:
        changes["end"] = [booking.end, cut]
        buffer_after = booking.occupied_end - booking.end
        freed_until = booking.occupied_end
        booking.booked_end, booking.end = booking.end, cut
        booking.occupied_end = cut + buffer_after
        free_time(booking.resource_id, booking.occupied_end, freed_until, now, actor.id)
    audit.record(booking, actor, "checked_out", now, changes)
    booking.status, booking.checked_out_at, booking.updated_at = "completed", now, now
    publish(BookingsCompleted(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking


def _requiring_check_in() -> dict[timedelta, list[int]]:
    """The resources whose bookings must be checked in, by their grace."""
    by_grace: dict[timedelta, list[int]] = defaultdict(list)
    for resource_id, rules in rules_of_every_resource().items():
        grace = required_grace(rules)
        if grace is not None:
            by_grace[grace].append(resource_id)
    return by_grace


@transactional
def release_no_shows(now: datetime) -> list[int]:
    """The ``release-no-shows`` job: each confirmed booking that had to be checked in by
    ``now`` (its start plus the grace) and was not becomes ``no_show``; their ids.

    Conditional updates: a booking is released once, however many processes run this
    at the same time, and one checked in meanwhile is never released.
    """
    released: list[int] = []
    for grace, resource_ids in _requiring_check_in().items():
        released += move_all(
            "confirmed",
            "no_show",
            "no_show",
            now,
            Booking.resource_id.in_(resource_ids),
            Booking.start <= now - grace,
            Booking.occupied_start <= now - grace,  # implied; lets the index bound it
        )
    if released:
        publish(BookingsReleased(actor_id=None, at=now, booking_ids=tuple(released)))
    return released


@transactional
def complete_checked_in(now: datetime) -> list[int]:
    """The ``complete-checked-in`` job: checked-in bookings whose end has passed without a
    check-out become ``completed``; their ids."""
    completed = move_all("checked_in", "completed", "completed", now, Booking.end <= now)
    if completed:
        publish(BookingsCompleted(actor_id=None, at=now, booking_ids=tuple(completed)))
    return completed
