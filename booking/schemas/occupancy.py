"""Reception's views as the API documents them: occupancy, the day sheet, the roll-call.

The reception services answer typed values (``booking.services.reception.results``), with
their instants in the site's zone. The API writes them as JSON straight from those values
(orjson: a day sheet of thousands of bookings takes a few milliseconds, where dumping it
field by field through marshmallow took longer than reading it); these schemas document
that JSON, and ``tests/booking/test_occupancy.py`` holds the two to be the same.
"""

from datetime import date

from marshmallow import Schema, fields, validate

from booking.models import STATUSES
from booking.schemas.fields import YEARS, Instant

LOCAL_TIME = {"description": "Local time of the site, with its UTC offset."}


class OccupancyQuerySchema(Schema):
    at = Instant(metadata={"description": "The instant to show; now if not given."})


class DaySheetQuerySchema(Schema):
    date = fields.Date(
        validate=validate.Range(date(YEARS[0], 1, 1), date(YEARS[1], 12, 31)),
        metadata={"description": "A local date; today if not given."},
    )
    status = fields.List(
        fields.String(validate=validate.OneOf(STATUSES)),
        metadata={
            "description": "Statuses to show; by default all but cancelled, rejected and expired."
        },
    )


class NamedSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PersonSchema(NamedSchema):
    email = fields.String()


class PresentBookingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    start = Instant(metadata=LOCAL_TIME)
    end = Instant(metadata=LOCAL_TIME)
    units = fields.Integer()
    attendees = fields.Integer(allow_none=True)
    checked_in_at = Instant(allow_none=True, metadata=LOCAL_TIME)
    user = fields.Nested(NamedSchema)
    tenant = fields.Nested(NamedSchema, allow_none=True)


class ResourceStateSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    quantity = fields.Integer()
    state = fields.String(
        validate=validate.OneOf(["free", "booked", "checked_in", "blocked"]),
        metadata={"description": "blocked: a booking of a resource it shares space with takes it."},
    )
    units_free = fields.Integer(metadata={"description": "Units that could still be booked."})
    bookings = fields.List(fields.Nested(PresentBookingSchema))


class FloorSchema(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String()
    building = fields.String(allow_none=True)
    people_present = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    resources = fields.List(fields.Nested(ResourceStateSchema))


class OccupancySchema(Schema):
    at = Instant(metadata=LOCAL_TIME)
    people_present = fields.Integer()
    floors = fields.List(fields.Nested(FloorSchema))


class SheetBookingSchema(PresentBookingSchema):
    title = fields.String()
    checked_out_at = Instant(allow_none=True, metadata=LOCAL_TIME)
    user = fields.Nested(PersonSchema)


class SheetResourceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    floor = fields.Nested(NamedSchema, allow_none=True)
    bookings = fields.List(fields.Nested(SheetBookingSchema))


class ExpectedVisitorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    host = fields.Nested(PersonSchema)
    tenant = fields.Nested(NamedSchema, allow_none=True)
    expected_at = Instant(metadata=LOCAL_TIME)
    leaves_at = Instant(allow_none=True, metadata=LOCAL_TIME)
    status = fields.String()
    booking_id = fields.Integer(allow_none=True)
    resource = fields.Nested(NamedSchema, allow_none=True)


class DaySheetSchema(Schema):
    date = fields.Date()
    start = Instant(metadata=LOCAL_TIME)
    end = Instant(metadata=LOCAL_TIME)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    resources = fields.List(fields.Nested(SheetResourceSchema))
    visitors = fields.List(
        fields.Nested(ExpectedVisitorSchema),
        metadata={"description": "The day's expected visitors (not the cancelled)."},
    )


class RollCallEntrySchema(Schema):
    booking_id = fields.Integer(allow_none=True)
    user = fields.Nested(
        PersonSchema, metadata={"description": "Who is in; for a visitor, the visitor."}
    )
    tenant = fields.Nested(NamedSchema, allow_none=True)
    attendees = fields.Integer()
    floor = fields.Nested(NamedSchema, allow_none=True)
    resource = fields.Nested(NamedSchema, allow_none=True)
    checked_in_at = Instant(allow_none=True, metadata=LOCAL_TIME)
    until = Instant(metadata=LOCAL_TIME)
    visitor = fields.Boolean(metadata={"description": "A visitor signed in at reception."})
    host = fields.Nested(
        PersonSchema, allow_none=True, metadata={"description": "Whom a visitor visits."}
    )
    organisation = fields.String(allow_none=True)


class RollCallSchema(Schema):
    at = Instant(metadata=LOCAL_TIME)
    people_present = fields.Integer()
    entries = fields.List(fields.Nested(RollCallEntrySchema))
