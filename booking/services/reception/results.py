"""What reception's views answer, as typed values: instants are aware datetimes in the
site's zone, formatted where they are shown (the API writes them, with their offset, as
``booking.schemas.occupancy`` documents; pages with the ``local`` filter). Not frozen: a
day sheet makes thousands, and frozen ones cost more to make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

#: A resource's state at an instant (see ``presence``).
State = Literal["free", "booked", "checked_in", "blocked"]


@dataclass(slots=True)
class Named:
    """Something shown by its name: a tenant, a floor, a resource, a person."""

    id: int
    name: str


@dataclass(slots=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(slots=True)
class PresentBooking:
    """A booking under way (or about to be) at a resource, as the board shows it."""

    id: int
    status: str
    start: datetime
    end: datetime
    units: int
    attendees: int | None
    checked_in_at: datetime | None
    user: Named
    tenant: Named | None


@dataclass(slots=True)
class ResourceState:
    id: int
    name: str
    kind: str
    quantity: int
    state: State
    units_free: int
    bookings: list[PresentBooking]


@dataclass(slots=True)
class FloorState:
    id: int | None
    name: str
    building: str | None
    people_present: int
    counts: dict[str, int]
    resources: list[ResourceState]


@dataclass(slots=True)
class Occupancy:
    at: datetime
    people_present: int
    floors: list[FloorState]


@dataclass(slots=True)
class SheetBooking:
    """A booking of the day sheet."""

    id: int
    status: str
    title: str
    start: datetime
    end: datetime
    units: int
    attendees: int | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    user: Person
    tenant: Named | None


@dataclass(slots=True)
class SheetResource:
    id: int
    name: str
    kind: str
    floor: Named | None
    bookings: list[SheetBooking]


@dataclass(slots=True)
class ExpectedVisitor:
    """A visitor of the day sheet: whom they visit, when, and where when it is known."""

    id: int
    name: str
    organisation: str | None
    host: Person
    tenant: Named | None
    expected_at: datetime
    leaves_at: datetime | None
    status: str
    booking_id: int | None
    resource: Named | None


@dataclass(slots=True)
class DaySheet:
    date: date
    start: datetime
    end: datetime
    counts: dict[str, int]
    resources: list[SheetResource]
    visitors: list[ExpectedVisitor]


@dataclass(slots=True)
class RollCallEntry:
    """Someone in the building: checked in to a booking, or a visitor signed in (then
    ``user`` is the visitor, ``host`` whom they visit, ``booking_id`` and ``resource``
    their meeting's, if any, and ``until`` when they said they would leave, or the
    day's end)."""

    booking_id: int | None
    user: Person
    tenant: Named | None
    attendees: int
    floor: Named | None
    resource: Named | None
    checked_in_at: datetime | None
    until: datetime
    visitor: bool = False
    host: Person | None = None
    organisation: str | None = None


@dataclass(slots=True)
class RollCall:
    at: datetime
    people_present: int
    entries: list[RollCallEntry]
