"""Series: recurring bookings."""

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import inspect as sa_inspect

from booking.api.context import actor, now, v1_blueprint
from booking.models import Booking, Series
from booking.schemas.bookings import BookingSchema
from booking.schemas.series import (
    OccurrenceSchema,
    SeriesCancelSchema,
    SeriesCreatedSchema,
    SeriesCreateSchema,
    SeriesPatchSchema,
    SeriesSchema,
)
from booking.services import reservations
from booking.services.reservations import SeriesDraft, SeriesView

blp = v1_blueprint("series", __name__, "Recurring bookings")


def _shown(view: SeriesView) -> dict[str, Any]:
    columns = sa_inspect(Series).column_attrs
    fields = {column.key: getattr(view.series, column.key) for column in columns}
    fields["exdates"] = [datetime.fromisoformat(text) for text in view.series.exdates]
    return {**fields, "bookings": view.bookings, "missing": view.missing, "skipped": view.skipped}


@blp.post("/series")
@blp.arguments(SeriesCreateSchema())
@blp.response(201, SeriesCreatedSchema())
def create_series(data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Book every occurrence of a rule (on_conflict fail), or the free ones (skip)."""
    view = reservations.create_series(actor(), SeriesDraft(**data), now())
    location = url_for("series.get_series", series_id=view.series.id)
    return _shown(view), 201, {"Location": location}


@blp.get("/series/<id:series_id>")
@blp.response(200, SeriesSchema())
def get_series(series_id: int) -> dict[str, Any]:
    """A series, its bookings and the dates it has no open booking for."""
    return _shown(reservations.get_series(actor(), series_id, now()))


@blp.patch("/series/<id:series_id>")
@blp.arguments(SeriesPatchSchema())
@blp.response(200, SeriesSchema())
def update_series(data: dict[str, Any], series_id: int) -> dict[str, Any]:
    """Change all occurrences still to come, or the following from one; each is re-checked."""
    scope, from_id = data.pop("scope"), data.pop("from_id")
    return _shown(reservations.update_series(actor(), series_id, data, scope, from_id, now()))


@blp.post("/series/<id:series_id>/cancel")
@blp.arguments(SeriesCancelSchema())
@blp.response(200, SeriesSchema())
def cancel_series(data: dict[str, Any], series_id: int) -> dict[str, Any]:
    """Cancel the occurrences still to come, or those from one on."""
    return _shown(reservations.cancel_series(actor(), series_id, data["from_id"], now()))


@blp.post("/series/<id:series_id>/occurrences")
@blp.arguments(OccurrenceSchema())
@blp.response(201, BookingSchema())
def add_occurrence(data: dict[str, Any], series_id: int) -> tuple[Booking, int, dict[str, str]]:
    """Book again a date of the series that was left out, skipped or cancelled."""
    booking = reservations.add_occurrence(actor(), series_id, data["start"], now())
    return booking, 201, {"Location": url_for("bookings.get_booking", booking_id=booking.id)}
