"""Waitlist entries as the API shows and accepts them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import WAITLIST_STATUSES
from booking.schemas.fields import Count, Id, Instant


class WaitlistEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    resource_id = Id(required=True)
    start = Instant(required=True)
    end = Instant(required=True)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    cost_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100))
    attendees = Count(load_default=None, allow_none=True)
    units = Count(minimum=1, maximum=10_000, load_default=1)
    on_behalf_of = Id(load_only=True, load_default=None, allow_none=True)
    status = fields.String(
        dump_only=True,
        validate=validate.OneOf(WAITLIST_STATUSES),
        metadata={
            "description": "waiting; offered (a held booking is kept: booking_id, "
            "hold_expires_at); booked; lapsed (the offer ran out or was declined); expired "
            "(its start came); left."
        },
    )
    position = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "1 is next in line; null once it is not waiting."},
    )
    booking_id = fields.Integer(dump_only=True, allow_none=True)
    hold_expires_at = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "While offered: confirm the booking before this."},
    )
    user_id = fields.Integer(dump_only=True)
    booked_by_id = fields.Integer(dump_only=True)
    tenant_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)

    @validates_schema
    def end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["end"] <= data["start"]:
            raise ValidationError("The end must be after the start.", "end")


class WaitlistQuerySchema(Schema):
    resource_id = Id(strict=False)
