"""What a calendar page shows: each day's bookings, and free time offered as the rules allow.

A lane is one resource (or one's own bookings) over a run of local days. A booking shows
its title only to those who may see it in full; to anyone else it is "Booked", with no
title, person or tenant, as in the feeds. A booking of a related resource (the whole lab
over a bench, a bench inside the lab) shows with that resource's name, since it takes the
time too. Free time is what the availability search would offer, each stretch carrying
the earliest booking of the length asked for that the rules accept, or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from booking.access import require
from booking.extensions import db
from booking.models import Booking, User
from booking.services.catalogue import get_resource, local_day, resource_names
from booking.services.core import (
    indexed_overlap,
    occupying,
    overlapping,
    related_bookings,
    visible_bookings,
)
from booking.services.finding.availability import resource_offers
from rules import Interval

#: The most days one calendar page covers (a month view shows six whole weeks).
MOST_DAYS = 42


@dataclass(frozen=True, slots=True)
class Entry:
    """A booking as a calendar shows it."""

    start: datetime
    end: datetime
    title: str
    status: str
    #: Set only where the viewer may open the booking.
    booking_id: int | None
    #: The resource it is on, when that is not the lane's own.
    where: str | None = None


@dataclass(frozen=True, slots=True)
class Opening:
    """Free time; ``offer`` is the earliest booking the rules accept in it, if any."""

    start: datetime
    end: datetime
    offer: Interval | None


@dataclass(slots=True)
class Lane:
    """One row of a calendar: a resource, or one's own bookings, day by local day."""

    name: str
    resource_id: int | None
    days: dict[date, list[Entry | Opening]] = field(default_factory=dict)
    #: Why nothing is offered, where the viewer cannot book it at all.
    unbookable: str | None = None


def days_from(first: date, last: date) -> list[date]:
    count = min((last - first).days + 1, MOST_DAYS)
    return [first + timedelta(days=n) for n in range(max(count, 1))]


def _window(days: Sequence[date]) -> Interval:
    return Interval(local_day(days[0]).start, local_day(days[-1]).end)


def _clip(item: Entry | Opening, bounds: Interval) -> Entry | Opening:
    """Free time cut to one day, offering only a booking that starts within it."""
    if isinstance(item, Entry):
        return item
    offer = item.offer if item.offer and bounds.start <= item.offer.start < bounds.end else None
    return Opening(max(item.start, bounds.start), min(item.end, bounds.end), offer)


def _by_day(lane: Lane, days: Sequence[date], items: Sequence[Entry | Opening]) -> Lane:
    """Each item under every local day it touches."""
    for day in days:
        bounds = local_day(day)
        touching = [i for i in items if i.start < bounds.end and i.end > bounds.start]
        lane.days[day] = sorted((_clip(i, bounds) for i in touching), key=lambda i: i.start)
    return lane


def _entries(viewer: User, condition: object, window: Interval, now: datetime,
             lane_resource: int | None, names: Mapping[int, str]) -> list[Entry]:  # fmt: skip
    shown = visible_bookings(viewer).label("shown")
    query = (
        select(Booking, shown)
        .where(
            condition,  # type: ignore[arg-type]
            or_(occupying(now), Booking.status == "completed"),
            indexed_overlap(window),
            overlapping(Booking.start, Booking.end, window),
        )
        .order_by(Booking.start, Booking.id)
    )
    return [
        Entry(
            booking.start,
            booking.end,
            booking.title if visible else "Booked",
            booking.status if visible else "booked",
            booking.id if visible else None,
            None if booking.resource_id == lane_resource else names.get(booking.resource_id),
        )
        for booking, visible in db.session.execute(query)
    ]


def resource_lanes(
    viewer: User, resource_ids: Sequence[int], days: Sequence[date], length: timedelta,
    now: datetime,
) -> list[Lane]:  # fmt: skip
    """A lane per resource over ``days``: its bookings and those that block it, and its
    free time with what a booking of ``length`` could take."""
    require(viewer, "see_catalogue")
    window, names = _window(days), resource_names()
    lanes = []
    for resource_id in resource_ids:
        resource = get_resource(resource_id)
        items: list[Entry | Opening] = [
            *_entries(viewer, related_bookings(resource), window, now, resource.id, names)
        ]
        offers = resource_offers(viewer, resource, window, length, now)
        free = zip(offers.free, offers.fits, strict=True)
        items.extend(Opening(stretch.start, stretch.end, fit) for stretch, fit in free)
        lane = Lane(resource.name, resource.id, unbookable=offers.refused)
        lanes.append(_by_day(lane, days, items))
    return lanes


def own_lane(viewer: User, days: Sequence[date], now: datetime) -> Lane:
    """One's own bookings (booked for or by oneself) over ``days``, with where each is."""
    mine = or_(Booking.user_id == viewer.id, Booking.booked_by_id == viewer.id)
    entries = _entries(viewer, mine, _window(days), now, None, resource_names())
    return _by_day(Lane("My bookings", None), days, entries)
