"""Reception: occupancy now, the day sheet and the roll-call, in JSON or CSV.

``Accept: text/csv`` turns the day sheet and the roll-call into one row per booking or
person, for printing or a spreadsheet; anything else that accepts JSON gets JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import Response

from booking.api.context import actor, now, v1_blueprint
from booking.clock import today
from booking.responses import CSV_DOC, csv_response, json_response, wants_csv
from booking.schemas.occupancy import (
    DaySheetQuerySchema,
    DaySheetSchema,
    OccupancyQuerySchema,
    OccupancySchema,
    RollCallSchema,
)
from booking.services import reception
from booking.services.reception import DaySheet, Named, Person, RollCall

blp = v1_blueprint("occupancy", __name__, "Reception: who is in, and when")

DAY_SHEET_COLUMNS = (
    "floor", "resource", "booking_id", "start", "end", "status", "title",
    "name", "email", "tenant", "attendees", "units", "checked_in_at", "checked_out_at",
)  # fmt: skip
ROLL_CALL_COLUMNS = (
    "floor", "resource", "name", "email", "tenant", "attendees",
    "checked_in_at", "until", "booking_id", "visitor", "host", "organisation",
)  # fmt: skip


def _name(value: Named | Person | None) -> str:
    return "" if value is None else value.name


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()  # local already


def _sheet_rows(sheet: DaySheet) -> Iterable[tuple[Any, ...]]:
    """The day sheet's bookings in the order of ``DAY_SHEET_COLUMNS``."""
    for resource in sheet.resources:
        floor, name = _name(resource.floor), resource.name
        for booking in resource.bookings:
            yield (
                floor,
                name,
                booking.id,
                _time(booking.start),
                _time(booking.end),
                booking.status,
                booking.title,
                booking.user.name,
                booking.user.email,
                _name(booking.tenant),
                booking.attendees,
                booking.units,
                _time(booking.checked_in_at),
                _time(booking.checked_out_at),
            )


def _roll_call_rows(roll: RollCall) -> Iterable[tuple[Any, ...]]:
    """The roll-call's entries in the order of ``ROLL_CALL_COLUMNS``."""
    for entry in roll.entries:
        yield (
            _name(entry.floor),
            _name(entry.resource),
            entry.user.name,
            entry.user.email,
            _name(entry.tenant),
            entry.attendees,
            _time(entry.checked_in_at),
            _time(entry.until),
            entry.booking_id,
            "yes" if entry.visitor else "",
            _name(entry.host),
            entry.organisation or "",
        )


@blp.get("/occupancy")
@blp.arguments(OccupancyQuerySchema(), location="query")
@blp.response(200, OccupancySchema())
def get_occupancy(args: dict[str, Any]) -> Response:
    """Per floor and resource at an instant (now by default): free, booked, checked in
    or blocked, who, and the people present (reception, facility managers, admins)."""
    wants_csv(csv_too=False)
    return json_response(reception.occupancy(actor(), args.get("at") or now()))


@blp.get("/occupancy/day")
@blp.arguments(DaySheetQuerySchema(), location="query")
@blp.response(200, DaySheetSchema())
@blp.alt_response(200, **CSV_DOC, description="The day sheet (JSON; CSV with one row per booking)")
def get_day_sheet(args: dict[str, Any]) -> Response:
    """The day sheet: a local day's bookings by resource, with their statuses (JSON, or
    CSV with `Accept: text/csv`)."""
    as_csv = wants_csv(csv_too=True)
    day: date = args.get("date") or today()
    sheet = reception.day_sheet(actor(), day, args.get("status", ()))
    if as_csv:
        return csv_response(_sheet_rows(sheet), DAY_SHEET_COLUMNS, f"day-sheet-{day}.csv")
    return json_response(sheet)


@blp.get("/occupancy/roll-call")
@blp.response(200, RollCallSchema())
@blp.alt_response(200, **CSV_DOC, description="The roll-call (JSON; CSV with one row per person)")
def get_roll_call() -> Response:
    """Everyone checked in now, with floor and resource, and every visitor signed in at
    reception (`visitor: true`, with their host) (JSON, or CSV with `Accept: text/csv`):
    the list to call at a fire alarm."""
    as_csv = wants_csv(csv_too=True)
    roll = reception.roll_call(actor(), now())
    if as_csv:
        return csv_response(_roll_call_rows(roll), ROLL_CALL_COLUMNS, "roll-call.csv")
    return json_response(roll)
