"""Usage and charges reports (JSON, or CSV with ``Accept: text/csv``) and closed months.

Charges CSV columns (one row per line, for an accounting package to import):
``month, booking_id, tenant_id, tenant, cost_code, resource_id, resource, start, end,
hours, reason, rate_pence, percent, amount_pence, adjustment``. Money is whole pence.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response

from booking.api.context import actor, now, v1_blueprint
from booking.api.responses import CSV_DOC, csv_response, json_response, wants_csv
from booking.models import BillingPeriod
from booking.schemas.fields import local_iso
from booking.schemas.reports import (
    BillingPeriodSchema,
    ChargesQuerySchema,
    ChargesReportSchema,
    FunderReportSchema,
    PeriodQuerySchema,
    UsageQuerySchema,
    UsageReportSchema,
)
from booking.services import accounts
from booking.services.accounts import CURRENCY, Line, UsageRow

blp = v1_blueprint("reports", __name__, "Usage, charges and closed months")

USAGE_COLUMNS = (
    "group", "label", "booked_hours", "used_hours", "open_hours", "utilisation",
    "bookings", "no_shows", "late_cancellations", "people",
)  # fmt: skip
CHARGE_COLUMNS = (
    "month", "booking_id", "tenant_id", "tenant", "cost_code", "resource_id", "resource",
    "start", "end", "hours", "reason", "rate_pence", "percent", "amount_pence", "adjustment",
)  # fmt: skip


def usage_json(row: UsageRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "booked_hours": row.booked_hours,
        "used_hours": row.used_hours,
        "open_hours": row.open_hours,
        "utilisation": row.utilisation,
        "bookings": row.bookings,
        "no_shows": row.no_shows,
        "late_cancellations": row.late_cancellations,
        "people": row.people,
    }


def line_json(line: Line) -> dict[str, Any]:
    return {
        "booking_id": line.booking_id,
        "resource_id": line.resource_id,
        "tenant_id": line.tenant_id,
        "cost_code": line.cost_code,
        "start": local_iso(line.start),
        "end": local_iso(line.end),
        "hours": line.charge.hours,
        "reason": line.charge.reason,
        "rate": line.charge.rate,
        "percent": line.charge.percent,
        "amount": line.charge.amount,
        "month": line.month,
        "adjustment": line.adjustment,
    }


def _charge_row(line: Line, names: accounts.Names) -> list[Any]:
    """A line as the CSV's row: its JSON, with names, pence spelt out in the header."""
    row = line_json(line)
    row["tenant"] = names.tenants.get(line.tenant_id, "")
    row["resource"] = names.resources.get(line.resource_id, "")
    row["rate_pence"], row["amount_pence"] = row.pop("rate"), row.pop("amount")
    row["adjustment"] = "yes" if line.adjustment else ""
    return [row[column] for column in CHARGE_COLUMNS]


@blp.get("/reports/usage")
@blp.arguments(UsageQuerySchema(), location="query")
@blp.response(200, UsageReportSchema())
@blp.alt_response(200, **CSV_DOC, description="The report as CSV, one row per group")
def usage_report(args: dict[str, Any]) -> Response:
    """Booked, used and open hours, utilisation, bookings, no-shows, late cancellations
    and people per group, for bookings that start in the period. Staff see every
    booking; a tenant admin their tenant's; a member their own."""
    as_csv = wants_csv(csv_too=True)
    first, last, group_by = args["start"], args["end"], args["group_by"]
    rows = accounts.usage_report(actor(), first, last, group_by)
    if as_csv:
        cells = (list(usage_json(row).values()) for row in rows)
        return csv_response(cells, USAGE_COLUMNS, f"usage-{first}-{last}-{group_by}.csv")
    groups = [usage_json(row) for row in rows]
    return json_response(
        {"from": first.isoformat(), "to": last.isoformat(), "group_by": group_by, "groups": groups}
    )


@blp.get("/reports/charges")
@blp.arguments(ChargesQuerySchema(), location="query")
@blp.response(200, ChargesReportSchema())
@blp.alt_response(200, **CSV_DOC, description="The lines as CSV for an accounting package")
def charges_report(args: dict[str, Any]) -> Response:
    """Invoice lines (integer pence) for bookings that start in the period, adjustments
    to closed months, and each tenant's total. Facility managers and admins see all;
    a tenant admin their tenant's; a member their own bookings'; reception none."""
    as_csv = wants_csv(csv_too=True)
    first, last = args["start"], args["end"]
    statement = accounts.charges_report(actor(), first, last, args.get("tenant_id"))
    if as_csv:
        names = accounts.names_for(statement)
        cells = (_charge_row(line, names) for line in statement.lines)
        return csv_response(cells, CHARGE_COLUMNS, f"charges-{first}-{last}.csv")
    return json_response(
        {
            "lines": [line_json(line) for line in statement.lines],
            "totals": [{"tenant_id": t, "amount": a} for t, a in statement.totals.items()],
            "currency": CURRENCY,
        }
    )


FUNDER_COLUMNS = ("quarter", "sector", "organisations", "people", "bookings", "booked_hours")


@blp.get("/reports/funder")
@blp.arguments(PeriodQuerySchema(), location="query")
@blp.response(200, FunderReportSchema())
@blp.alt_response(200, **CSV_DOC, description="The rows as CSV, to paste into a return")
def funder_report(args: dict[str, Any]) -> Response:
    """Organisations supported (distinct tenants that booked), their people, bookings and
    booked hours per calendar quarter and sector, as a UK Shared Prosperity Fund return
    asks (centre staff)."""
    as_csv = wants_csv(csv_too=True)
    first, last = args["start"], args["end"]
    rows = [asdict(row) for row in accounts.funder_report(actor(), first, last)]
    if as_csv:
        cells = ([row[c] for c in FUNDER_COLUMNS] for row in rows)
        return csv_response(cells, FUNDER_COLUMNS, f"funder-{first}-{last}.csv")
    return json_response({"from": first.isoformat(), "to": last.isoformat(), "rows": rows})


@blp.post("/billing/periods")
@blp.arguments(BillingPeriodSchema())
@blp.response(201, BillingPeriodSchema())
def close_month(data: dict[str, Any]) -> BillingPeriod:
    """Close a month (facility managers, admins): its charge lines are frozen; a later
    change to one of its bookings is charged as an adjustment in the next open month.
    Months close in order, once over (409 `month_not_over`, `month_closed`,
    `month_out_of_order`)."""
    return accounts.close_month(actor(), data["month"], now())


@blp.get("/billing/periods")
@blp.response(200, BillingPeriodSchema(many=True))
def list_months() -> list[BillingPeriod]:
    """The closed months, latest first (facility managers, admins)."""
    return accounts.list_periods(actor())
