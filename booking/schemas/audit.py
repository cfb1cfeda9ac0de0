"""The audit log as the API reads it: its filters and its entries."""

from __future__ import annotations

from marshmallow import Schema, fields

from booking.schemas.fields import Id, Instant
from booking.schemas.paging import PageSchema


class AuditQuerySchema(PageSchema):
    booking_id = Id(strict=False)
    resource_id = Id(strict=False)
    actor_id = Id(strict=False, metadata={"description": "Who made the change."})
    start = Instant(data_key="from", metadata={"description": "Changes made at or after."})
    end = Instant(data_key="to", metadata={"description": "Changes made before."})


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = Instant()
    action = fields.String(
        metadata={"description": "created, updated, cancelled, …; exported, erased"}
    )
    booking_id = fields.Integer(allow_none=True, metadata={"description": "null: an account."})
    booking_title = fields.String(allow_none=True)
    resource_id = fields.Integer(allow_none=True)
    resource_name = fields.String(allow_none=True)
    user_id = fields.Integer(
        allow_none=True, metadata={"description": "Whose account (exported, erased)."}
    )
    user_name = fields.String(allow_none=True)
    actor_id = fields.Integer(
        allow_none=True, metadata={"description": "null: the service's own jobs."}
    )
    actor_name = fields.String(allow_none=True)
    changes = fields.Dict(metadata={"description": "Each changed field: [before, after]."})
