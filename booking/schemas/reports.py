"""The usage and charges reports and closed months, as the API documents them.

The reports are written as JSON straight from the services' values (a month of charges
is thousands of lines); these schemas document that JSON, and
``tests/booking/test_reports.py`` holds the two to be the same. The CSV columns, one
row per group or line, are defined here once for the API and the pages.

Charges CSV columns (one row per line, for an accounting package to import):
``month, booking_id, tenant_id, tenant, cost_code, resource_id, resource, start, end,
hours, reason, rate_pence, percent, amount_pence, adjustment``. Money is whole pence.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.schemas.fields import YEARS, Id, Instant, in_zone

if TYPE_CHECKING:
    from booking.services.accounts import FunderRow, Line, Names, UsageRow

LOCAL_DATE = validate.Range(date(YEARS[0], 1, 1), date(YEARS[1], 12, 31))
#: The longest period one report covers: three years.
MOST_DAYS = 3 * 366
GROUPS = ("tenant", "resource", "kind", "sector", "month")
REASONS = ("booked", "used", "late_cancellation", "no_show")


class PeriodQuerySchema(Schema):
    start = fields.Date(
        data_key="from",
        required=True,
        validate=LOCAL_DATE,
        metadata={"description": "First local date of the period."},
    )
    end = fields.Date(
        data_key="to",
        required=True,
        validate=LOCAL_DATE,
        metadata={"description": "Last local date of the period (included)."},
    )

    @validates_schema
    def check_period(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return
        if end < start:
            raise ValidationError("The period must end on or after its first day.", "to")
        if (end - start).days >= MOST_DAYS:
            raise ValidationError("A report covers at most three years; ask for less.", "to")


class UsageQuerySchema(PeriodQuerySchema):
    group_by = fields.String(load_default="resource", validate=validate.OneOf(GROUPS))


class ChargesQuerySchema(PeriodQuerySchema):
    tenant_id = Id(strict=False)


class UsageGroupSchema(Schema):
    key = fields.Raw(
        metadata={"description": "Tenant or resource id, kind, sector or YYYY-MM; null: no tenant."}
    )
    label = fields.String()
    booked_hours = fields.Float()
    used_hours = fields.Float()
    open_hours = fields.Float(
        metadata={"description": "Opening hours in the period less closures (per unit of a pool)."}
    )
    utilisation = fields.Float(allow_none=True, metadata={"description": "Booked ÷ open."})
    bookings = fields.Integer()
    no_shows = fields.Integer()
    late_cancellations = fields.Integer()
    people = fields.Integer()


class UsageReportSchema(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    group_by = fields.String()
    groups = fields.List(fields.Nested(UsageGroupSchema))


class ChargeLineSchema(Schema):
    booking_id = fields.Integer()
    resource_id = fields.Integer()
    tenant_id = fields.Integer(allow_none=True)
    cost_code = fields.String(allow_none=True)
    start = Instant()
    end = Instant()
    hours = fields.Float(metadata={"description": "Unit-hours charged."})
    reason = fields.String(validate=validate.OneOf(REASONS))
    rate = fields.Integer(metadata={"description": "Pence per hour per unit."})
    percent = fields.Integer(metadata={"description": "Of the time, for a no-show or late one."})
    amount = fields.Integer(metadata={"description": "Pence; below 0 only for an adjustment."})
    month = fields.String(metadata={"description": "The billing month, YYYY-MM."})
    adjustment = fields.Boolean(
        metadata={"description": "A change to a booking of a closed month, charged here."}
    )


class TenantTotalSchema(Schema):
    tenant_id = fields.Integer(allow_none=True)
    amount = fields.Integer()


class ChargesReportSchema(Schema):
    lines = fields.List(fields.Nested(ChargeLineSchema))
    totals = fields.List(fields.Nested(TenantTotalSchema))
    currency = fields.String()


class BillingPeriodSchema(Schema):
    month = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])\Z", error="Use YYYY-MM."),
    )
    closed_at = Instant(dump_only=True)
    closed_by_id = fields.Integer(dump_only=True, allow_none=True)


class FunderRowSchema(Schema):
    quarter = fields.String(metadata={"description": "YYYY-Qn, calendar quarters."})
    sector = fields.String()
    organisations = fields.Integer(metadata={"description": "Distinct tenants that booked."})
    people = fields.Integer()
    bookings = fields.Integer()
    booked_hours = fields.Float()


class FunderReportSchema(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    rows = fields.List(fields.Nested(FunderRowSchema))


USAGE_COLUMNS = (
    "group", "label", "booked_hours", "used_hours", "open_hours", "utilisation",
    "bookings", "no_shows", "late_cancellations", "people",
)  # fmt: skip
CHARGE_COLUMNS = (
    "month", "booking_id", "tenant_id", "tenant", "cost_code", "resource_id", "resource",
    "start", "end", "hours", "reason", "rate_pence", "percent", "amount_pence", "adjustment",
)  # fmt: skip


def usage_json(row: UsageRow) -> dict[str, Any]:
    """A usage group as the JSON names it (its fields, in order; read field by field, as
    ``dataclasses.asdict`` deep-copies each value and took a tenth of a year's report)."""
    return {field.name: getattr(row, field.name) for field in dataclass_fields(row)}


def line_json(line: Line, zone: ZoneInfo) -> dict[str, Any]:
    """A charge line as the JSON names it, its times in ``zone`` (the site's)."""
    return {
        "booking_id": line.booking_id,
        "resource_id": line.resource_id,
        "tenant_id": line.tenant_id,
        "cost_code": line.cost_code,
        "start": in_zone(line.start, zone),
        "end": in_zone(line.end, zone),
        "hours": line.charge.hours,
        "reason": line.charge.reason,
        "rate": line.charge.rate,
        "percent": line.charge.percent,
        "amount": line.charge.amount,
        "month": line.month,
        "adjustment": line.adjustment,
    }


def charge_row(line: Line, names: Names, zone: ZoneInfo) -> list[Any]:
    """A line as the CSV's row: its JSON, with names, pence spelt out in the header."""
    row = line_json(line, zone)
    row["tenant"] = names.tenants.get(line.tenant_id, "")
    row["resource"] = names.resources.get(line.resource_id, "")
    row["rate_pence"], row["amount_pence"] = row.pop("rate"), row.pop("amount")
    row["adjustment"] = "yes" if line.adjustment else ""
    return [row[column] for column in CHARGE_COLUMNS]


FUNDER_COLUMNS = ("quarter", "sector", "organisations", "people", "bookings", "booked_hours")


def usage_cells(row: UsageRow) -> list[Any]:
    """A usage group as the CSV's row."""
    return list(usage_json(row).values())


def funder_cells(row: FunderRow) -> list[Any]:
    """A funder report row as the CSV's row."""
    return [getattr(row, column) for column in FUNDER_COLUMNS]
