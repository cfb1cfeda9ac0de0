"""Series (recurring bookings) as the API accepts and shows them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from booking.schemas.bookings import BookingPatchSchema, BookingSchema
from booking.schemas.fields import Id, Instant


class Exdate(fields.Field):  # type: ignore[type-arg]
    """A date left out of a series: a local date (``2027-02-16``) leaves out every
    occurrence that day; a date-time leaves out the occurrence starting then."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError as error:
                raise ValidationError("Not a date (YYYY-MM-DD).") from error
        instant: datetime = Instant()._deserialize(value, attr, data, **kwargs)
        return instant


class SeriesCreateSchema(BookingSchema):
    start = Instant(required=True)
    rule = fields.String(
        required=True,
        validate=validate.Length(1, 500),
        metadata={
            "description": "RFC 5545 RRULE bounded by COUNT or UNTIL, e.g. "
            "FREQ=WEEKLY;BYDAY=TU;COUNT=12; expanded in local time."
        },
    )
    exdates = fields.List(
        Exdate(), load_default=list, validate=validate.Length(max=500), load_only=True
    )
    on_conflict = fields.String(load_default="fail", validate=validate.OneOf(["fail", "skip"]))

    class Meta:
        exclude = ("hold", "check_in")


class SkippedSchema(Schema):
    start = Instant()
    end = Instant()
    reason = fields.String(metadata={"description": "excluded, skipped or cancelled"})
    conflicts = fields.List(fields.Dict())
    violations = fields.List(fields.Dict())


class SeriesSchema(Schema):
    id = fields.Integer()
    rule = fields.String()
    resource_id = fields.Integer()
    user_id = fields.Integer()
    tenant_id = fields.Integer(allow_none=True)
    title = fields.String()
    notes = fields.String(allow_none=True)
    cost_code = fields.String(allow_none=True)
    attendees = fields.Integer(allow_none=True)
    units = fields.Integer()
    start = Instant(metadata={"description": "Start of the first occurrence."})
    end = Instant(metadata={"description": "End of the first occurrence."})
    exdates = fields.List(Instant())
    bookings = fields.List(fields.Nested(BookingSchema))
    missing = fields.List(
        fields.Nested(SkippedSchema),
        metadata={"description": "Dates of the rule without an open booking; add them back."},
    )
    created_at = Instant()
    updated_at = Instant()


class SeriesCreatedSchema(SeriesSchema):
    skipped = fields.List(fields.Nested(SkippedSchema))


class SeriesPatchSchema(BookingPatchSchema):
    scope = fields.String(required=True, validate=validate.OneOf(["all", "following"]))
    from_ = Id(data_key="from", attribute="from_id", load_default=None, allow_none=True)


class SeriesCancelSchema(Schema):
    from_ = Id(data_key="from", attribute="from_id", load_default=None, allow_none=True)


class OccurrenceSchema(Schema):
    start = Instant(required=True, metadata={"description": "The start the rule gives it."})
