"""Usage and charges reports (JSON, or CSV with ``Accept: text/csv``; the columns are
``schemas.reports``') and closed months."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response

from booking.api.context import actor, now, v1_blueprint
from booking.models import BillingPeriod
from booking.responses import CSV_DOC, csv_response, json_response, wants_csv
from booking.schemas.fields import site_zone
from booking.schemas.reports import (
    CHARGE_COLUMNS,
    FUNDER_COLUMNS,
    USAGE_COLUMNS,
    BillingPeriodSchema,
    ChargesQuerySchema,
    ChargesReportSchema,
    FunderReportSchema,
    PeriodQuerySchema,
    UsageQuerySchema,
    UsageReportSchema,
    charge_row,
    funder_cells,
    line_json,
    usage_cells,
    usage_json,
)
from booking.services import accounts
from booking.services.accounts import CURRENCY

blp = v1_blueprint("reports", __name__, "Usage, charges and closed months")


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
        return csv_response(
            map(usage_cells, rows), USAGE_COLUMNS, f"usage-{first}-{last}-{group_by}.csv"
        )
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
    zone = site_zone()
    if as_csv:
        names = accounts.names_for(statement)
        cells = (charge_row(line, names, zone) for line in statement.lines)
        return csv_response(cells, CHARGE_COLUMNS, f"charges-{first}-{last}.csv")
    return json_response(
        {
            "lines": [line_json(line, zone) for line in statement.lines],
            "totals": [{"tenant_id": t, "amount": a} for t, a in statement.totals.items()],
            "currency": CURRENCY,
        }
    )


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
    rows = accounts.funder_report(actor(), first, last)
    if as_csv:
        return csv_response(map(funder_cells, rows), FUNDER_COLUMNS, f"funder-{first}-{last}.csv")
    body = {"from": first.isoformat(), "to": last.isoformat(), "rows": list(map(asdict, rows))}
    return json_response(body)


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
