"""Resources and their rules as the API shows and accepts them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import KINDS
from booking.schemas.fields import Count, DurationText, Id, Instant
from rules import RulesError, check_rules
from rules.rulesets import CHARGE_BASES, MOST_PENCE_AN_HOUR, NUMBER_RULES, TIER

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIER_ERROR = "Use lower-case letters, digits, dashes and underscores (at most 40)."
TIME_RANGE = r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$"


class CheckInRuleSchema(Schema):
    required = fields.Boolean(required=True)
    grace = DurationText(load_default="PT15M")


class QuotaSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(("tenant", "user")))
    period = fields.String(required=True, validate=validate.OneOf(("day", "week", "month")))
    hours = fields.Float(required=True, validate=validate.Range(0, 10_000, min_inclusive=False))


def _number(name: str, description: str) -> fields.Integer:
    least, most = NUMBER_RULES[name]
    return fields.Integer(
        strict=True, validate=validate.Range(least, most), metadata={"description": description}
    )


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

    rates = fields.Dict(
        keys=fields.String(validate=validate.Regexp(rf"^{TIER.pattern}\Z", error=TIER_ERROR)),
        values=fields.Integer(strict=True, validate=validate.Range(0, MOST_PENCE_AN_HOUR)),
        validate=validate.Length(max=20),
        metadata={"description": "Pence per hour by tenant tier; a tier left out pays `standard`."},
    )
    charge_basis = fields.String(
        validate=validate.OneOf(CHARGE_BASES),
        metadata={"description": "`booked` time, or `used` (checked in to checked out)."},
    )
    minimum_charge_minutes = _number("minimum_charge_minutes", "Shorter use is charged as this.")
    late_cancel_within = DurationText(
        metadata={"description": "A cancellation closer than this to the start is late."}
    )
    late_cancel_percent = _number("late_cancel_percent", "Of the booked time, for a late one.")
    no_show_percent = _number("no_show_percent", "Of the booked time (100 unless set).")

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
