"""Bookings as the API shows and accepts them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import STATUSES
from booking.schemas.fields import Count, Id, Instant
from booking.schemas.paging import PageSchema


def _end_after_start(data: dict[str, Any]) -> None:
    start, end = data.get("start"), data.get("end")
    if start is not None and end is not None and end <= start:
        raise ValidationError("The end must be after the start.", "end")


class BookingSchema(Schema):
    id = fields.Integer(dump_only=True)
    resource_id = Id(required=True)
    start = Instant(
        load_default=None,
        metadata={"description": "Required, except for a walk-in (`check_in`): it starts now."},
    )
    end = Instant(required=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    status = fields.String(dump_only=True)
    user_id = fields.Integer(dump_only=True)
    booked_by_id = fields.Integer(dump_only=True)
    tenant_id = fields.Integer(dump_only=True, allow_none=True)
    attendees = Count(load_default=None, allow_none=True)
    units = Count(minimum=1, maximum=10_000, load_default=1)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    cost_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(1, 100),
        metadata={"description": "A purchase order, grant or budget code, carried to the charges."},
    )
    series_id = fields.Integer(dump_only=True, allow_none=True)
    recurrence_id = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "For an occurrence of a series: the start its rule gave it."},
    )
    hold_expires_at = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "For a held booking: when it stops holding its time."},
    )
    status_reason = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Why it was approved or rejected, when a reason was given."},
    )
    approval_due_at = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "For a pending booking: it expires unless approved by then."},
    )
    checked_in_at = Instant(dump_only=True, allow_none=True)
    checked_out_at = Instant(dump_only=True, allow_none=True)
    booked_end = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The end as booked, when an early check-out cut it back."},
    )
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)
    on_behalf_of = Id(load_only=True, load_default=None, allow_none=True)
    override_rules = fields.Boolean(load_only=True, load_default=False)
    hold = fields.Boolean(
        load_only=True,
        load_default=False,
        metadata={"description": "Hold the slot (status held) until confirmed or it lapses."},
    )
    check_in = fields.Boolean(
        load_only=True,
        load_default=False,
        metadata={
            "description": "Reception: a walk-in, checked in at once. Without a start it "
            "starts now, rounded down to the resource's slot."
        },
    )

    @validates_schema
    def check_interval(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") is None and not data.get("check_in"):
            raise ValidationError("Missing data for required field.", "start")
        _end_after_start(data)


class BookingPatchSchema(Schema):
    """The fields a booking's owner may change; a move is checked like a new booking."""

    resource_id = Id()
    start = Instant()
    end = Instant()
    title = fields.String(validate=validate.Length(1, 200))
    attendees = Count(allow_none=True)
    units = Count(minimum=1, maximum=10_000)
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))
    cost_code = fields.String(allow_none=True, validate=validate.Length(1, 100))
    override_rules = fields.Boolean()

    @validates_schema
    def check_interval(self, data: dict[str, Any], **_: Any) -> None:
        _end_after_start(data)


class BookingQuerySchema(PageSchema):
    resource_id = Id(strict=False)
    start = Instant()
    end = Instant()
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    mine = fields.Boolean(load_default=False)

    @validates_schema
    def check_interval(self, data: dict[str, Any], **_: Any) -> None:
        _end_after_start(data)
