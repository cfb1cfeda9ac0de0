"""The page a resource's QR code opens (``/r/<id>``), for the person at its door.

They check in to their booking that is due there; or, when there is none, book it from
now, checked in at once, for 15, 30 or 60 minutes or until its next booking. Only ends
the rules accept are offered: each is judged as the booking itself would be (the
slot, opening hours, closures, training, quotas, approval and every clash), from the
slot under way; when none is accepted, the page says why in the rules' own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import Booking, Resource, User
from booking.services import reservations
from booking.services.catalogue import rules_of, site_zone
from booking.services.displays.day import Day, day_of
from booking.services.reservations import BookingDraft
from rules import Decision

#: The lengths offered at the door.
LENGTHS = tuple(timedelta(minutes=minutes) for minutes in (15, 30, 60))
TITLE = "Booked at the door"


@dataclass(frozen=True, slots=True)
class Choice:
    """An end a booking from now may have, with how the page words it."""

    end: datetime  # in the site's zone
    label: str


@dataclass(frozen=True, slots=True)
class Door:
    """What the person at the door may do now."""

    resource: Resource
    day: Day
    due: Booking | None  # their booking there that may be checked in now
    here: Booking | None  # their booking there that is checked in
    start: datetime | None  # where a booking made now starts (the slot under way)
    choices: tuple[Choice, ...]
    refusal: str | None  # why it cannot be booked now, where nothing is offered


def _mine_there(actor: User, resource: Resource, now: datetime) -> tuple[Booking | None, ...]:
    """The caller's booking there that is checked in, and the first that may be now."""
    opens = reservations.check_in_from()
    query = (
        select(Booking)
        .where(
            Booking.resource_id == resource.id,
            Booking.user_id == actor.id,
            Booking.status.in_(("confirmed", "checked_in")),
            Booking.start <= now + opens,
            Booking.end > now,
        )
        .order_by(Booking.start)
    )
    mine = list(db.session.scalars(query))
    here = next((b for b in mine if b.status == "checked_in"), None)
    due = next((b for b in mine if b.status == "confirmed"), None)
    return here, due


def _label(length: timedelta | None, end: datetime) -> str:
    clock = end.astimezone(site_zone()).strftime("%H:%M")
    if length is None:
        return f"Until {clock}, its next booking"
    return f"{int(length.total_seconds() // 60)} minutes, until {clock}"


def _why_not(actor: User, decision: Decision, day: Day) -> str:
    if decision.conflicts:
        if day.busy_until is not None:
            return f"It is in use until {day.busy_until:%H:%M}."
        return "It is booked from now: there is no free time to book here."
    if decision.violations:
        return decision.violations[0].message
    return (
        "Bookings of this need approval, so it cannot be booked at the door: "
        "request it from its page."
    )


def _choices(actor: User, resource: Resource, day: Day, now: datetime) -> Door:
    start = reservations.walk_in_start(now, rules_of(resource))
    ends: dict[datetime, timedelta | None] = {start + length: length for length in LENGTHS}
    upcoming = day.next.start if day.next is not None and day.next.part is None else None
    if upcoming is not None and start < upcoming < max(ends):
        ends.setdefault(upcoming, None)
    draft = BookingDraft(resource.id, None, max(ends), TITLE, check_in=True, at_the_door=True)
    _, judged = reservations.preview_booking(actor, draft, sorted(ends), now)
    accepted = [
        Choice(end.astimezone(site_zone()), _label(ends[end], end))
        for end, decision in judged
        if not decision.violations
        and not decision.conflicts
        and reservations.opening_status(actor, decision) == "confirmed"
    ]
    refusal = None if accepted else _why_not(actor, judged[0][1], day)
    return Door(resource, day, None, None, start.astimezone(site_zone()), tuple(accepted), refusal)


def door(actor: User, resource_id: int, now: datetime) -> Door:
    """What ``actor`` may do at resource ``resource_id``'s door at ``now``."""
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise NotFoundError("No such resource.")
    day = day_of(resource_id, now)
    here, due = _mine_there(actor, resource, now)
    if here is not None or due is not None:
        return Door(resource, day, due, here, None, (), None)
    if not resource.bookable:
        why = "This is not booked as a whole: book one of its parts from their own codes."
        return Door(resource, day, None, None, None, (), why)
    return _choices(actor, resource, day, now)


def book_at_the_door(actor: User, resource_id: int, end: datetime, now: datetime) -> Booking:
    """Book ``resource_id`` for the caller from the slot under way until ``end``, checked
    in at once; refused, as any booking, with the rules' reasons."""
    draft = BookingDraft(resource_id, None, end, TITLE, check_in=True, at_the_door=True)
    return reservations.create_booking(actor, draft, now)
