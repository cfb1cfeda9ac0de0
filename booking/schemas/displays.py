"""Displays as the API shows and accepts them."""

from marshmallow import Schema, fields, validate

from booking.schemas.fields import Id, Instant


class DisplaySchema(Schema):
    id = fields.Integer(dump_only=True)
    resource_id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    created_at = Instant(dump_only=True)
    revoked_at = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "When its URL was closed; null while in service."},
    )


class NewDisplaySchema(DisplaySchema):
    url = fields.String(
        dump_only=True,
        metadata={
            "description": "The display's page, to open on the screen. Shown this once: "
            "only a digest of its secret is kept."
        },
    )
