"""Visitors as the API shows and accepts them."""

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import VISITOR_STATUSES
from booking.schemas.fields import YEARS, Id, Instant

LOCAL_DATE = validate.Range(date(YEARS[0], 1, 1), date(YEARS[1], 12, 31))


class VisitorSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    organisation = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )
    host_id = Id(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Whom they visit: the caller by default; someone of the "
            "caller's own tenant, or anyone for reception."
        },
    )
    tenant_id = fields.Integer(dump_only=True, allow_none=True)
    booking_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "A booking the visit is for (a meeting), shown with it."},
    )
    expected_at = Instant(required=True)
    leaves_at = Instant(load_default=None, allow_none=True)
    arrive = fields.Boolean(
        load_only=True,
        load_default=False,
        metadata={"description": "Reception: a walk-in, signed in at once."},
    )
    briefed = fields.Boolean(
        load_only=True,
        load_default=False,
        metadata={
            "description": "Reception: they were given the safety briefing that the "
            "booked resource's `visitor_briefing` rule asks for."
        },
    )
    status = fields.String(dump_only=True, validate=validate.OneOf(VISITOR_STATUSES))
    arrived_at = Instant(dump_only=True, allow_none=True)
    left_at = Instant(dump_only=True, allow_none=True)
    briefed_at = Instant(dump_only=True, allow_none=True)
    erased_at = Instant(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "When name, e-mail and organisation were erased "
            "(`[visitors] keep_days` after the visit)."
        },
    )

    @validates_schema
    def check_times(self, data: dict[str, Any], **_: Any) -> None:
        leaves, expected = data.get("leaves_at"), data.get("expected_at")
        if leaves is not None and expected is not None and leaves <= expected:
            raise ValidationError("They must leave after they arrive.", "leaves_at")


class VisitorQuerySchema(Schema):
    date = fields.Date(
        validate=LOCAL_DATE, metadata={"description": "Expected on this local date."}
    )
    status = fields.String(validate=validate.OneOf(VISITOR_STATUSES))
    q = fields.String(
        validate=validate.Length(1, 100), metadata={"description": "Part of their name."}
    )


class ArrivalSchema(Schema):
    briefed = fields.Boolean(
        load_default=False,
        metadata={"description": "They were given the booked resource's safety briefing."},
    )


class CountsQuerySchema(Schema):
    start = fields.Date(data_key="from", required=True, validate=LOCAL_DATE)
    end = fields.Date(data_key="to", required=True, validate=LOCAL_DATE)

    @validates_schema
    def check_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("It must not be before `from`.", "to")


class VisitorCountSchema(Schema):
    tenant = fields.String(allow_none=True, metadata={"description": "null: staff's guests"})
    month = fields.String(metadata={"description": "YYYY-MM, local time"})
    visits = fields.Integer()
