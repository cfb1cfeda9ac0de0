"""What reception's views answer, as typed values: instants stay aware datetimes and are
formatted where they are shown (``booking.schemas.occupancy`` for the API, the ``local``
filter in pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

#: A resource's state at an instant (see ``presence``).
State = Literal["free", "booked", "checked_in", "blocked"]


@dataclass(frozen=True, slots=True)
class Named:
    """Something shown by its name: a tenant, a floor, a resource, a person."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class ResourceState:
    id: int
    name: str
    kind: str
    quantity: int
    state: State
    units_free: int
    bookings: list[PresentBooking]


@dataclass(frozen=True, slots=True)
class FloorState:
    id: int | None
    name: str
    building: str | None
    people_present: int
    counts: dict[str, int]
    resources: list[ResourceState]


@dataclass(frozen=True, slots=True)
class Occupancy:
    at: datetime
    people_present: int
    floors: list[FloorState]


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class SheetResource:
    id: int
    name: str
    kind: str
    floor: Named | None
    bookings: list[SheetBooking]


@dataclass(frozen=True, slots=True)
class DaySheet:
    date: date
    start: datetime
    end: datetime
    counts: dict[str, int]
    resources: list[SheetResource]


@dataclass(frozen=True, slots=True)
class RollCallEntry:
    booking_id: int
    user: Person
    tenant: Named | None
    attendees: int
    floor: Named | None
    resource: Named
    checked_in_at: datetime | None
    until: datetime


@dataclass(frozen=True, slots=True)
class RollCall:
    at: datetime
    people_present: int
    entries: list[RollCallEntry]
