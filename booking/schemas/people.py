"""Tenants, users and tokens as the API shows and accepts them."""

from marshmallow import Schema, fields, validate

from booking.models import ROLES, SECTORS
from booking.schemas.fields import Id, Instant
from booking.schemas.resources import TIER_ERROR
from rules.charges import STANDARD_TIER
from rules.rulesets import TIER


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    sector = fields.String(
        load_default="private",
        validate=validate.OneOf(SECTORS),
        metadata={"description": "As the funder counts organisations supported."},
    )
    rate_tier = fields.String(
        load_default=STANDARD_TIER,
        validate=validate.Regexp(rf"^{TIER.pattern}\Z", error=TIER_ERROR),
        metadata={"description": "Which of a resource's `rates` it pays."},
    )
    created_at = Instant(dump_only=True)


class TenantPatchSchema(TenantSchema):
    class Meta:
        partial = True


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(3, 320))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    tenant_id = Id(load_default=None, allow_none=True)
    created_at = Instant(dump_only=True)
    deactivated_at = Instant(
        dump_only=True, allow_none=True, metadata={"description": "Set while deactivated."}
    )


class UserPatchSchema(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    role = fields.String(validate=validate.OneOf(ROLES))
    tenant_id = Id(allow_none=True)
    active = fields.Boolean(
        metadata={
            "description": "false: no sign-in, tokens revoked, feeds stopped, sessions "
            "ended; bookings and history stay. true: active again."
        }
    )


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    token = fields.String(dump_only=True, metadata={"description": "Shown once; store it now."})


class PasswordChangeSchema(Schema):
    current = fields.String(required=True, validate=validate.Length(1, 1000), load_only=True)
    new = fields.String(
        required=True,
        validate=validate.Length(1, 1000),
        load_only=True,
        metadata={"description": "At least 8 characters."},
    )


class PasswordResetSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(3, 320))


class AcceptedSchema(Schema):
    detail = fields.String()


#: The sections of an export, each a list of rows (see ``services.people.privacy``).
EXPORT_SECTIONS = (
    "bookings", "series", "visitors_invited", "waitlist", "certifications",
    "email_preferences", "messages", "api_tokens", "calendar_feed", "changes_made",
    "account_events", "failed_sign_ins", "password_links",
)  # fmt: skip


PersonalDataSchema = Schema.from_dict(
    {
        "exported_at": fields.String(),
        "person": fields.Dict(metadata={"description": "Who they are (no password hash)."}),
        **{section: fields.List(fields.Dict()) for section in EXPORT_SECTIONS},
    },
    name="PersonalData",
)
