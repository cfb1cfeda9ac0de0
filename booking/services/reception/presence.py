"""What reception sees: who is in, per floor and resource; the day sheet; the roll-call.

These are read-only views for reception, facility managers and admins. They read plain
rows (no ORM objects) into the typed values of ``results``, so a day of thousands of
bookings is answered quickly; the API's schemas and the pages format them.

- A resource's **state** at an instant: ``checked_in`` (someone checked in is using it),
  ``booked`` (booked, nobody checked in yet), ``blocked`` (a booking of a resource it
  shares space with, a whole lab or one of its benches, takes it) or ``free``.
  ``units_free`` says how many more units could be booked then (a pool of hot desks is
  free for a walk-in while it is above 0).
- **People present** count each checked-in booking's ``attendees`` (1 when not given);
  a person checked in to two bookings at once on the same floor counts once, at the
  larger figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select

from booking.access import require
from booking.extensions import db
from booking.models import Booking, Tenant, User
from booking.services.catalogue import Place, current_catalogue, local_day
from booking.services.core import indexed_overlap, occupying, overlapping
from booking.services.reception.guests import expected_visitors, visitors_present
from booking.services.reception.results import (
    DaySheet,
    FloorState,
    Named,
    Occupancy,
    PresentBooking,
    ResourceState,
    RollCall,
    RollCallEntry,
    SheetBooking,
    SheetResource,
    State,
)
from booking.services.reception.rows import InZone, People, floor_named
from booking.services.reservations import check_in_from
from rules import Interval

#: The statuses a day sheet shows unless asked otherwise: bookings meant to happen.
DAY_SHEET_STATUSES = ("held", "pending", "confirmed", "checked_in", "completed", "no_show")
INSTANT = timedelta(microseconds=1)


def _booking_rows(*conditions: Any) -> Sequence[Row[*tuple[Any, ...]]]:
    query = (
        select(
            Booking.id,
            Booking.resource_id,
            Booking.status,
            Booking.title,
            Booking.start.label("start"),
            Booking.end.label("end"),
            Booking.units,
            Booking.attendees,
            Booking.checked_in_at,
            Booking.checked_out_at,
            Booking.user_id,
            User.name.label("user_name"),
            User.email.label("user_email"),
            Booking.tenant_id,
            Tenant.name.label("tenant_name"),
        )
        .join(User, User.id == Booking.user_id)
        .outerjoin(Tenant, Tenant.id == Booking.tenant_id)
        .where(*conditions)
        .order_by(Booking.start, Booking.id)
    )
    return db.session.connection().execute(query).all()  # plain rows, no ORM loading


def _headcount(rows: Iterable[Row[Any]]) -> int:
    """People present: per person, the largest attendee figure among their bookings."""
    largest: dict[int, int] = {}
    for row in rows:
        largest[row.user_id] = max(largest.get(row.user_id, 0), row.attendees or 1)
    return sum(largest.values())


def _present(rows: Iterable[Row[Any]], at: datetime) -> list[Row[Any]]:
    """The rows in use at ``at``: started, or checked in early (before their start)."""

    def in_early(row: Row[Any]) -> bool:
        return (
            row.status == "checked_in"
            and row.checked_in_at is not None
            and (row.checked_in_at <= at)
        )

    return [row for row in rows if row.start <= at or in_early(row)]


def occupancy(actor: User, at: datetime) -> Occupancy:
    """Per floor and bookable resource: its state at ``at``, who is there, and the
    people present on each floor and in the building."""
    require(actor, "run_reception", "see occupancy")
    layout, local = current_catalogue().layout, InZone()
    soon = Interval(at, at + check_in_from() + INSTANT)
    rows = _present(
        _booking_rows(
            indexed_overlap(soon),
            overlapping(Booking.start, Booking.end, soon),
            occupying(at),
        ),
        at,
    )
    by_resource: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        by_resource[row.resource_id].append(row)
    blocked = {other for rid in by_resource for other in layout.sharing_space(rid)}
    floors: dict[int | None, list[ResourceState]] = defaultdict(list)
    for place in layout.places.values():
        if place.bookable:
            state = _resource_state(place, by_resource[place.id], blocked, local)
            floors[place.floor_id].append(state)
    checked_in = [row for row in rows if row.status == "checked_in"]
    present_by_floor: dict[int | None, list[Row[Any]]] = defaultdict(list)
    for row in checked_in:
        present_by_floor[layout.places[row.resource_id].floor_id].append(row)
    return Occupancy(
        local.at(at),
        _headcount(checked_in),
        [
            FloorState(
                floor_id,
                layout.floor_name(floor_id) or "Not on a floor",
                layout.places[floor_id].building if floor_id is not None else None,
                _headcount(present_by_floor[floor_id]),
                dict(Counter(r.state for r in resources)),
                sorted(resources, key=lambda r: r.name),
            )
            for floor_id, resources in sorted(floors.items(), key=lambda f: (f[0] is None, f[0]))
        ],
    )


def _state(place: Place, rows: list[Row[Any]], blocked: set[int]) -> State:
    if any(row.status == "checked_in" for row in rows):
        return "checked_in"
    if rows:
        return "booked"
    return "blocked" if place.id in blocked else "free"


def _resource_state(
    place: Place, rows: list[Row[Any]], blocked: set[int], local: InZone
) -> ResourceState:
    in_use = sum(row.units for row in rows)
    tenants = People()
    return ResourceState(
        place.id,
        place.name,
        place.kind,
        place.quantity,
        _state(place, rows, blocked),
        0 if place.id in blocked else max(0, place.quantity - in_use),
        [
            PresentBooking(
                row.id,
                row.status,
                local.at(row.start),
                local.at(row.end),
                row.units,
                row.attendees,
                local.maybe(row.checked_in_at),
                Named(row.user_id, row.user_name),
                tenants.tenant(row),
            )
            for row in rows
        ],
    )


def _sheet_booking(row: Row[*tuple[Any, ...]], known: People, local: InZone) -> SheetBooking:
    (booking_id, _, status, title, start, end, units, attendees, checked_in_at) = row[:9]
    return SheetBooking(
        booking_id,
        status,
        title,
        local.at(start),
        local.at(end),
        units,
        attendees,
        local.maybe(checked_in_at),
        local.maybe(row[9]),  # checked out at
        known.person(row),
        known.tenant(row),
    )


def day_sheet(actor: User, day: date, statuses: Sequence[str] = ()) -> DaySheet:
    """The bookings of local day ``day``, by resource (floors in the catalogue's order,
    then by name), with their statuses; by default those meant to happen (not cancelled,
    rejected or expired)."""
    require(actor, "run_reception", "see the day sheet")
    layout, local = current_catalogue().layout, InZone()
    window = local_day(day)
    rows = _booking_rows(
        indexed_overlap(window),
        overlapping(Booking.start, Booking.end, window),
        Booking.status.in_(statuses or DAY_SHEET_STATUSES),
    )
    known = People()
    by_resource: dict[int, list[SheetBooking]] = defaultdict(list)
    for row in rows:
        by_resource[row.resource_id].append(_sheet_booking(row, known, local))

    def order(resource_id: int) -> tuple[bool, int, str]:
        place = layout.places[resource_id]  # floors in the catalogue's order, as the board
        return (place.floor_id is None, place.floor_id or 0, place.name)

    resources = [
        SheetResource(
            resource_id,
            layout.places[resource_id].name,
            layout.places[resource_id].kind,
            floor_named(layout, resource_id),
            by_resource[resource_id],
        )
        for resource_id in sorted(by_resource, key=order)
    ]
    counts = dict(Counter(row.status for row in rows))
    visitors = expected_visitors(day, layout, local)
    return DaySheet(day, local.at(window.start), local.at(window.end), counts, resources, visitors)


def roll_call(actor: User, now: datetime) -> RollCall:
    """Everyone checked in at ``now``, with floor and resource: the fire-alarm list."""
    require(actor, "run_reception", "see the roll-call")
    layout, local = current_catalogue().layout, InZone()
    rows = _present(
        _booking_rows(Booking.status == "checked_in", Booking.end > now),
        now,
    )
    known = People()
    entries = [
        RollCallEntry(
            row.id,
            known.person(row),
            known.tenant(row),
            row.attendees or 1,
            floor_named(layout, row.resource_id),
            Named(row.resource_id, layout.places[row.resource_id].name),
            local.maybe(row.checked_in_at),
            local.at(row.end),
        )
        for row in rows
    ]
    guests = visitors_present(now, layout, local)
    entries.sort(
        key=lambda e: (
            e.floor is None,
            e.floor.name if e.floor else "",
            e.resource.name if e.resource else "",
            e.user.name,
        )
    )
    entries.extend(guests)  # after everyone checked in, as they were expected
    return RollCall(local.at(now), _headcount(rows) + len(guests), entries)
