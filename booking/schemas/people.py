"""Tenants, users and tokens as the API shows and accepts them."""

from marshmallow import Schema, fields, validate

from booking.models import ROLES
from booking.schemas.fields import Id, Instant


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    created_at = Instant(dump_only=True)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(3, 320))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    tenant_id = Id(load_default=None, allow_none=True)
    created_at = Instant(dump_only=True)


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    token = fields.String(dump_only=True, metadata={"description": "Shown once; store it now."})
