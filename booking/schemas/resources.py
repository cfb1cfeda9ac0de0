"""Resources and their rules as the API shows and accepts them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import KINDS
from booking.schemas.fields import Count, DurationText, Id, Instant
from rules import RulesError, check_rules

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME_RANGE = r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$"


class CheckInRuleSchema(Schema):
    required = fields.Boolean(required=True)
    grace = DurationText(load_default="PT15M")


class QuotaSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(("tenant", "user")))
    period = fields.String(required=True, validate=validate.OneOf(("day", "week", "month")))
    hours = fields.Float(required=True, validate=validate.Range(0, 10_000, min_inclusive=False))


class RulesSchema(Schema):
    """A resource's own rules; any left out are inherited from its ancestors."""

    opening_hours = fields.Dict(
        keys=fields.String(validate=validate.OneOf(WEEKDAYS)),
        values=fields.List(
            fields.String(validate=validate.Regexp(TIME_RANGE, error="Use HH:MM-HH:MM.")),
            validate=validate.Length(max=24),
        ),
    )
    closed_on_bank_holidays = fields.Boolean()
    min_duration = DurationText()
    max_duration = DurationText()
    slot = DurationText()
    min_notice = DurationText()
    max_advance = DurationText()
    buffer_before = DurationText()
    buffer_after = DurationText()
    requires_approval = fields.Boolean()
    required_certification = fields.String(validate=validate.Length(1, 100))
    check_in = fields.Nested(CheckInRuleSchema)
    quota = fields.List(fields.Nested(QuotaSchema), validate=validate.Length(max=10))
    visitor_briefing = fields.Boolean(
        metadata={
            "description": "Reception records that a visitor for a booking here was "
            "given its safety briefing before they sign them in."
        }
    )

    @validates_schema
    def check_meaning(self, data: dict[str, Any], **_: Any) -> None:
        """What the shape cannot say: a range that ends before it starts, and the like."""
        try:
            check_rules(data)
        except RulesError as error:
            name = str(error).split(":")[0]
            raise ValidationError(str(error), name if name in data else "_schema") from error


class ResourceSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    parent_id = Id(load_default=None, allow_none=True)
    bookable = fields.Boolean(load_default=True)
    capacity = Count(load_default=None, allow_none=True)
    quantity = Count(minimum=1, maximum=10_000, load_default=1)
    features = fields.List(
        fields.String(validate=validate.Length(1, 60)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    rules = fields.Nested(RulesSchema, load_default=dict)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class ResourceDetailSchema(ResourceSchema):
    """One resource with the rules in force on it and the level each came from."""

    effective_rules = fields.Dict(
        dump_only=True,
        metadata={
            "description": "Each rule in force: {value, source: {level: site | ancestor | "
            "resource, resource_id?, name?}}. Site defaults come from the configuration."
        },
    )


class ResourcePatchSchema(ResourceSchema):
    """A resource's changes: loaded with ``partial=True``, so only the fields given change."""


class ResourceQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    parent_id = Id(strict=False)
    q = fields.String(validate=validate.Length(1, 200))
    min_capacity = Count(strict=False)
    feature = fields.List(fields.String(validate=validate.Length(1, 60)))
