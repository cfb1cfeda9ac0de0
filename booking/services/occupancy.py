"""What reception sees: who is in, per floor and resource; the day sheet; the roll-call.

These are read-only views for reception, facility managers and admins. They read plain
rows (no ORM objects) and build plain dicts, so a day of thousands of bookings is
answered quickly.

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
from booking.services.attendance import check_in_from
from booking.services.claims import indexed_overlap, occupying, overlapping
from booking.services.layout import Place, read_layout
from booking.services.rulebook import local_day, site_zone
from rules import Interval

#: The statuses a day sheet shows unless asked otherwise: bookings meant to happen.
DAY_SHEET_STATUSES = ("held", "pending", "confirmed", "checked_in", "completed", "no_show")
INSTANT = timedelta(microseconds=1)


def _person(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.user_id, "name": row.user_name, "email": row.user_email}


def _tenant(row: Row[Any]) -> dict[str, Any] | None:
    return None if row.tenant_id is None else {"id": row.tenant_id, "name": row.tenant_name}


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


class LocalTimes:
    """Instants as ISO 8601 text in the site's zone, each distinct instant formatted once
    (a day's bookings share a few dozen start and end times)."""

    def __init__(self) -> None:
        self.zone = site_zone()
        self.known: dict[datetime, str] = {}

    def __call__(self, moment: datetime | None) -> str | None:
        if moment is None:
            return None
        text = self.known.get(moment)
        if text is None:
            text = self.known[moment] = moment.astimezone(self.zone).isoformat()
        return text


def occupancy(actor: User, at: datetime) -> dict[str, Any]:
    """Per floor and bookable resource: its state at ``at``, who is there, and the
    people present on each floor and in the building."""
    require(actor, "run_reception", "see occupancy")
    local = LocalTimes()
    layout = read_layout()
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
    blocked: set[int] = set()
    for resource_id in by_resource:
        blocked.update(layout.ancestors(resource_id))
        blocked.update(layout.descendants(resource_id))
    floors: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for place in layout.places.values():
        if place.bookable:
            floors[place.floor_id].append(
                _resource_state(place, by_resource[place.id], blocked, local)
            )
    checked_in = [row for row in rows if row.status == "checked_in"]
    present_by_floor: dict[int | None, list[Row[Any]]] = defaultdict(list)
    for row in checked_in:
        present_by_floor[layout.places[row.resource_id].floor_id].append(row)
    return {
        "at": local(at),
        "people_present": _headcount(checked_in),
        "floors": [
            {
                "id": floor_id,
                "name": layout.floor_name(floor_id) or "Not on a floor",
                "building": layout.places[floor_id].building if floor_id is not None else None,
                "people_present": _headcount(present_by_floor[floor_id]),
                "counts": dict(Counter(r["state"] for r in resources)),
                "resources": sorted(resources, key=lambda r: r["name"]),
            }
            for floor_id, resources in sorted(floors.items(), key=lambda f: (f[0] is None, f[0]))
        ],
    }


def _resource_state(
    place: Place, rows: list[Row[Any]], blocked: set[int], local: LocalTimes
) -> dict[str, Any]:
    in_use = sum(row.units for row in rows)
    if any(row.status == "checked_in" for row in rows):
        state = "checked_in"
    elif rows:
        state = "booked"
    elif place.id in blocked:
        state = "blocked"
    else:
        state = "free"
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "quantity": place.quantity,
        "state": state,
        "units_free": 0 if place.id in blocked else max(0, place.quantity - in_use),
        "bookings": [
            {
                "id": row.id,
                "status": row.status,
                "start": local(row.start),
                "end": local(row.end),
                "units": row.units,
                "attendees": row.attendees,
                "checked_in_at": local(row.checked_in_at),
                "user": {"id": row.user_id, "name": row.user_name},
                "tenant": _tenant(row),
            }
            for row in rows
        ],
    }


def day_sheet(actor: User, day: date, statuses: Sequence[str] = ()) -> dict[str, Any]:
    """The bookings of local day ``day``, by resource (ordered by floor and name), with
    their statuses; by default those meant to happen (not cancelled, rejected or expired)."""
    require(actor, "run_reception", "see the day sheet")
    local = LocalTimes()
    layout = read_layout()
    window = local_day(day)
    rows = _booking_rows(
        indexed_overlap(window),
        overlapping(Booking.start, Booking.end, window),
        Booking.status.in_(statuses or DAY_SHEET_STATUSES),
    )
    by_resource: dict[int, list[dict[str, Any]]] = defaultdict(list)
    people: dict[int, dict[str, Any]] = {}
    tenants: dict[int | None, dict[str, Any] | None] = {None: None}
    for row in rows:
        (booking_id, resource_id, status, title, start, end, units, attendees) = row[:8]
        (checked_in_at, checked_out_at, user_id, _, _, tenant_id, _) = row[8:]
        if user_id not in people:
            people[user_id] = _person(row)
        if tenant_id not in tenants:
            tenants[tenant_id] = _tenant(row)
        by_resource[resource_id].append(
            {
                "id": booking_id,
                "status": status,
                "title": title,
                "start": local(start),
                "end": local(end),
                "units": units,
                "attendees": attendees,
                "checked_in_at": local(checked_in_at),
                "checked_out_at": local(checked_out_at),
                "user": people[user_id],
                "tenant": tenants[tenant_id],
            }
        )

    def order(resource_id: int) -> tuple[bool, str, str]:
        place = layout.places[resource_id]
        floor = layout.floor_name(place.floor_id)
        return (floor is None, floor or "", place.name)

    return {
        "date": day.isoformat(),
        "start": local(window.start),
        "end": local(window.end),
        "counts": dict(Counter(row.status for row in rows)),
        "resources": [
            {
                "id": resource_id,
                "name": layout.places[resource_id].name,
                "kind": layout.places[resource_id].kind,
                "floor": layout.floor_of(resource_id),
                "bookings": by_resource[resource_id],
            }
            for resource_id in sorted(by_resource, key=order)
        ],
    }


def roll_call(actor: User, now: datetime) -> dict[str, Any]:
    """Everyone checked in at ``now``, with floor and resource: the fire-alarm list."""
    require(actor, "run_reception", "see the roll-call")
    local = LocalTimes()
    layout = read_layout()
    rows = _present(
        _booking_rows(Booking.status == "checked_in", Booking.end > now),
        now,
    )
    entries = [
        {
            "booking_id": row.id,
            "user": _person(row),
            "tenant": _tenant(row),
            "attendees": row.attendees or 1,
            "floor": layout.floor_of(row.resource_id),
            "resource": {"id": row.resource_id, "name": layout.places[row.resource_id].name},
            "checked_in_at": local(row.checked_in_at),
            "until": local(row.end),
        }
        for row in rows
    ]
    entries.sort(
        key=lambda e: (
            e["floor"] is None,
            (e["floor"] or {}).get("name", ""),
            e["resource"]["name"],
            e["user"]["name"],
        )
    )
    return {"at": local(now), "people_present": _headcount(rows), "entries": entries}
