"""Availability windows and answers."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import KINDS
from booking.schemas.fields import Count, Duration, Instant, site_zone


class IntervalSchema(Schema):
    start = Instant()
    end = Instant()


class WindowSchema(Schema):
    start = Instant(required=True)
    end = Instant(required=True)

    @validates_schema
    def check_window(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return
        if end <= start:
            raise ValidationError("The end must be after the start.", "end")
        longest = current_app.config["API_MAX_WINDOW_DAYS"]
        if (end - start).days > longest:
            raise ValidationError(f"Ask for at most {longest} days at a time.", "end")


class AvailabilitySchema(Schema):
    free = fields.List(
        fields.Nested(IntervalSchema),
        metadata={"description": "Open, and clear of other bookings and of buffers."},
    )
    busy = fields.List(
        fields.Nested(IntervalSchema),
        metadata={"description": "Taken by bookings (with the buffers around them)."},
    )
    closed = fields.List(
        fields.Nested(IntervalSchema),
        metadata={
            "description": "Kept shut by the rules: outside opening hours, closures, bank "
            "holidays, the past, or outside the notice and advance limits."
        },
    )


class SearchQuerySchema(WindowSchema):
    duration = Duration(required=True, metadata={"description": "ISO 8601, e.g. PT1H"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    min_capacity = Count(strict=False)
    feature = fields.List(fields.String(validate=validate.Length(1, 60)))
    limit = Count(strict=False, minimum=1, maximum=1000, load_default=50)

    @validates_schema
    def check_duration(self, data: dict[str, Any], **_: Any) -> None:
        if "duration" in data and data["duration"].total_seconds() <= 0:
            raise ValidationError("The duration must be positive.", "duration")


class ResourceSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    quantity = fields.Integer()
    features = fields.List(fields.String())


class MatchSchema(Schema):
    resource = fields.Nested(ResourceSummarySchema)
    first_fit = fields.Nested(
        IntervalSchema,
        metadata={"description": "The earliest booking of `duration` the rules accept."},
    )
    free = fields.List(fields.Nested(IntervalSchema), attribute="availability.free")


class SearchResultSchema(Schema):
    results = fields.List(fields.Nested(MatchSchema))


def dump_search_result(matches: Sequence[Any]) -> dict[str, Any]:
    """``SearchResultSchema().dump({"results": matches})``, built directly.

    A search returns hundreds of intervals; building the same JSON without a schema
    object per value keeps it fast. A test checks that both give the same document.
    """
    zone = site_zone()
    shown: dict[datetime, str] = {}  # most instants recur (opening times): format each once

    def local(moment: datetime) -> str:
        text = shown.get(moment)
        if text is None:
            text = shown[moment] = moment.astimezone(zone).isoformat()
        return text

    spans: dict[Any, dict[str, str]] = {}  # and so do stretches,
    lists: dict[tuple[Any, ...], list[dict[str, str]]] = {}  # and whole free days of alike rooms

    def span(interval: Any) -> dict[str, str]:
        found = spans.get(interval)
        if found is None:
            found = spans[interval] = {"start": local(interval.start), "end": local(interval.end)}
        return found

    def stretches(free: Sequence[Any]) -> list[dict[str, str]]:
        key = tuple(free)
        found = lists.get(key)
        if found is None:
            found = lists[key] = [span(interval) for interval in free]
        return found

    return {
        "results": [
            {
                "resource": {
                    "id": m.resource.id,
                    "name": m.resource.name,
                    "kind": m.resource.kind,
                    "parent_id": m.resource.parent_id,
                    "capacity": m.resource.capacity,
                    "quantity": m.resource.quantity,
                    "features": list(m.resource.features or []),
                },
                "first_fit": span(m.first_fit),
                "free": stretches(m.availability.free),
            }
            for m in matches
        ]
    }
