"""Reception: occupancy now, the day sheet and the roll-call, in JSON or CSV.

``Accept: text/csv`` turns the day sheet and the roll-call into one row per booking or
person, for printing or a spreadsheet; anything else that accepts JSON gets JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from booking.api.context import actor, now
from booking.api.responses import CSV, JSON, csv_response, json_response
from booking.clock import today
from booking.errors import NotAcceptableError
from booking.schemas.occupancy import (
    DaySheetQuerySchema,
    DaySheetSchema,
    OccupancyQuerySchema,
    OccupancySchema,
    RollCallSchema,
)
from booking.services import occupancy

blp = Blueprint(
    "occupancy", __name__, url_prefix="/api/v1", description="Reception: who is in, and when"
)

DAY_SHEET_COLUMNS = (
    "floor", "resource", "booking_id", "start", "end", "status", "title",
    "name", "email", "tenant", "attendees", "units", "checked_in_at", "checked_out_at",
)  # fmt: skip
ROLL_CALL_COLUMNS = (
    "floor", "resource", "name", "email", "tenant", "attendees",
    "checked_in_at", "until", "booking_id",
)  # fmt: skip
CSV_DOC: dict[str, Any] = {"schema": {"type": "string"}, "content_type": CSV, "success": True}


def _wants_csv(*, csv_too: bool) -> bool:
    offered = [JSON, CSV] if csv_too else [JSON]
    chosen = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else JSON
    if chosen is None:
        raise NotAcceptableError(f"This answer comes as {' or '.join(offered)}.")
    return chosen == CSV


def _name(value: dict[str, Any] | None) -> str:
    return "" if value is None else str(value["name"])


def _sheet_rows(sheet: dict[str, Any]) -> Iterable[tuple[Any, ...]]:
    """The day sheet's bookings in the order of ``DAY_SHEET_COLUMNS``."""
    for resource in sheet["resources"]:
        floor, name = _name(resource["floor"]), resource["name"]
        for booking in resource["bookings"]:
            yield (
                floor,
                name,
                booking["id"],
                booking["start"],
                booking["end"],
                booking["status"],
                booking["title"],
                booking["user"]["name"],
                booking["user"]["email"],
                _name(booking["tenant"]),
                booking["attendees"],
                booking["units"],
                booking["checked_in_at"],
                booking["checked_out_at"],
            )


def _roll_call_rows(roll: dict[str, Any]) -> Iterable[tuple[Any, ...]]:
    """The roll-call's entries in the order of ``ROLL_CALL_COLUMNS``."""
    for entry in roll["entries"]:
        yield (
            _name(entry["floor"]),
            entry["resource"]["name"],
            entry["user"]["name"],
            entry["user"]["email"],
            _name(entry["tenant"]),
            entry["attendees"],
            entry["checked_in_at"],
            entry["until"],
            entry["booking_id"],
        )


def _answer(
    data: dict[str, Any],
    rows: Callable[[dict[str, Any]], Iterable[tuple[Any, ...]]],
    columns: tuple[str, ...],
    name: str,
    *,
    as_csv: bool,
) -> Response:
    return csv_response(rows(data), columns, name) if as_csv else json_response(data)


@blp.get("/occupancy")
@blp.arguments(OccupancyQuerySchema(), location="query")
@blp.response(200, OccupancySchema())
def get_occupancy(args: dict[str, Any]) -> Response:
    """Per floor and resource at an instant (now by default): free, booked, checked in
    or blocked, who, and the people present (reception, facility managers, admins)."""
    _wants_csv(csv_too=False)
    return json_response(occupancy.occupancy(actor(), args.get("at") or now()))


@blp.get("/occupancy/day")
@blp.arguments(DaySheetQuerySchema(), location="query")
@blp.response(200, DaySheetSchema())
@blp.alt_response(200, **CSV_DOC, description="The day sheet (JSON; CSV with one row per booking)")
def get_day_sheet(args: dict[str, Any]) -> Response:
    """The day sheet: a local day's bookings by resource, with their statuses (JSON, or
    CSV with `Accept: text/csv`)."""
    as_csv = _wants_csv(csv_too=True)
    day: date = args.get("date") or today()
    sheet = occupancy.day_sheet(actor(), day, args.get("status", ()))
    return _answer(sheet, _sheet_rows, DAY_SHEET_COLUMNS, f"day-sheet-{day}.csv", as_csv=as_csv)


@blp.get("/occupancy/roll-call")
@blp.response(200, RollCallSchema())
@blp.alt_response(200, **CSV_DOC, description="The roll-call (JSON; CSV with one row per person)")
def get_roll_call() -> Response:
    """Everyone checked in now, with floor and resource (JSON, or CSV with
    `Accept: text/csv`): the list to call at a fire alarm."""
    as_csv = _wants_csv(csv_too=True)
    roll = occupancy.roll_call(actor(), now())
    return _answer(roll, _roll_call_rows, ROLL_CALL_COLUMNS, "roll-call.csv", as_csv=as_csv)
