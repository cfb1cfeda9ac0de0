"""The day a display (or a resource's own page) shows: now, next and today's bookings,
by holder and time only.

What blocks a resource is what the display counts: its own bookings, its ancestors'
(a whole lab booked takes its benches) and those of the parts below it (a bench booked
in a lab), each named by the part. A pool is busy when all its units are taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import Booking, Display, Resource, Tenant
from booking.services.catalogue import local_day, site_zone
from booking.services.core import indexed_overlap, occupying, overlapping, related_bookings


@dataclass(frozen=True, slots=True)
class Slot:
    """A booking as a corridor may see it: who holds it (a tenant, or the centre), when,
    in which part of the resource (``None``: all of it), and whether they are in."""

    start: datetime  # in the site's zone
    end: datetime
    holder: str
    part: str | None
    units: int
    checked_in: bool


@dataclass(frozen=True, slots=True)
class Day:
    """What a display shows at ``at``."""

    title: str  # the display's name, or the resource's
    resource_id: int
    resource_name: str
    at: datetime  # in the site's zone
    day: date
    state: str  # free, busy or partly (a part or some units taken)
    current: tuple[Slot, ...]  # the bookings under way
    next: Slot | None  # the next to start today
    free_until: datetime | None  # when a free resource is next taken today
    busy_until: datetime | None  # when a busy one is free again (within today)
    slots: tuple[Slot, ...]  # today's bookings, by start


def _holder(tenant: str | None) -> str:
    return tenant or str(current_app.config["SITE_NAME"])


def _slots(resource: Resource, day: date, now: datetime) -> list[Slot]:
    zone, window = site_zone(), local_day(day)
    query = (
        select(Booking, Tenant.name, Resource.name, Resource.id)
        .join(Resource, Resource.id == Booking.resource_id)
        .outerjoin(Tenant, Tenant.id == Booking.tenant_id)
        .where(
            related_bookings(resource),
            occupying(now),
            indexed_overlap(window),
            overlapping(Booking.start, Booking.end, window),
        )
        .order_by(Booking.start, Booking.id)
    )
    return [
        Slot(
            start=booking.start.astimezone(zone),
            end=booking.end.astimezone(zone),
            holder=_holder(tenant),
            part=None if _takes_all(resource, part_id) else name,
            units=booking.units if part_id == resource.id else resource.quantity,
            checked_in=booking.status == "checked_in",
        )
        for booking, tenant, name, part_id in db.session.execute(query)
    ]


def _takes_all(resource: Resource, booked_id: int) -> bool:
    """Whether a booking of ``booked_id`` takes all of ``resource``: it is the resource
    (all its units, for a pool, are counted by ``_state``) or one above it."""
    return booked_id == resource.id or booked_id in resource.ancestor_ids


def _state(resource: Resource, current: list[Slot]) -> str:
    if not current:
        return "free"
    whole = [slot for slot in current if slot.part is None]
    if sum(slot.units for slot in whole) >= resource.quantity:
        return "busy"
    return "partly"


def _busy_until(resource: Resource, slots: list[Slot], now: datetime) -> datetime | None:
    """When a busy resource is next free today: the first end after ``now`` at which
    the bookings taking all of it leave a unit free."""
    whole = [slot for slot in slots if slot.part is None]
    for moment in sorted({slot.end for slot in whole if slot.end > now}):
        used = sum(slot.units for slot in whole if slot.start <= moment < slot.end)
        if used < resource.quantity:
            return moment
    return None


def day_of(resource_id: int, now: datetime, title: str | None = None) -> Day:
    """Resource ``resource_id``'s day as a display shows it at ``now``."""
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise NotFoundError("No such resource.")
    at = now.astimezone(site_zone())
    slots = _slots(resource, at.date(), now)
    current = [slot for slot in slots if slot.start <= at < slot.end]
    coming = [slot for slot in slots if slot.start > at]
    state = _state(resource, current)
    return Day(
        title=title or resource.name,
        resource_id=resource.id,
        resource_name=resource.name,
        at=at,
        day=at.date(),
        state=state,
        current=tuple(current),
        next=coming[0] if coming else None,
        free_until=coming[0].start if coming and state == "free" else None,
        busy_until=_busy_until(resource, slots, at) if state == "busy" else None,
        slots=tuple(slots),
    )


def display_day(display_id: int, now: datetime) -> Day:
    """The day display ``display_id`` shows (opened already by ``open_display``)."""
    display = db.session.get(Display, display_id)
    if display is None:
        raise NotFoundError("No such display.")
    return day_of(display.resource_id, now, title=display.name)
