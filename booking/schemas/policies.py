"""Closures, certifications and approval decisions as the API shows and accepts them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.schemas.fields import Id, Instant

CODE = validate.Regexp(
    r"^[a-z0-9][a-z0-9._-]{0,99}$",
    error="Use lower-case letters, digits, dots, dashes and underscores (at most 100).",
)


class AffectedBookingSchema(Schema):
    id = fields.Integer()
    resource_id = fields.Integer()
    start = Instant()
    end = Instant()
    status = fields.String()
    user_id = fields.Integer()
    title = fields.String()


class ClosureSchema(Schema):
    id = fields.Integer(dump_only=True)
    resource_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "The resource shut, with everything below it; null: the site."},
    )
    start = Instant(required=True)
    end = Instant(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    created_at = Instant(dump_only=True)
    affected_bookings = fields.List(
        fields.Nested(AffectedBookingSchema),
        dump_only=True,
        metadata={"description": "On creation: open bookings inside the closure."},
    )

    @validates_schema
    def check_interval(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            raise ValidationError("The end must be after the start.", "end")


class ClosureImportSchema(Schema):
    calendar = fields.String(
        required=True,
        validate=validate.Length(1, 2_000_000),
        metadata={"description": "The text of an .ics file (RFC 5545)."},
    )
    resource_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "The resource the closures shut; null: the whole site."},
    )


class ImportedClosureSchema(Schema):
    id = fields.Integer()
    resource_id = fields.Integer(allow_none=True)
    start = Instant()
    end = Instant()
    reason = fields.String()
    import_uid = fields.String(metadata={"description": "The event's UID and original start."})


class ClosureImportResultSchema(Schema):
    created = fields.List(fields.Nested(ImportedClosureSchema))
    updated = fields.List(fields.Nested(ImportedClosureSchema))
    unchanged = fields.List(fields.Nested(ImportedClosureSchema))
    affected_bookings = fields.List(
        fields.Nested(AffectedBookingSchema),
        metadata={"description": "Open bookings inside any of the file's closures."},
    )


class ClosureQuerySchema(Schema):
    resource_id = Id(strict=False)
    start = Instant()
    end = Instant()


class CertificationSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    expires_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Last local date it is valid; null: it does not expire."},
    )
    user_id = fields.Integer(dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class ApprovalSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 500))


class RejectionSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))
