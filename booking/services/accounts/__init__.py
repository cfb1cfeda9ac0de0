"""Accounts: what the centre's use comes to — the usage report, charges in pence, and
months closed for invoicing."""

from booking.services.accounts.charges import (
    Names,
    Statement,
    charges_report,
    closed_months,
    names_for,
)
from booking.services.accounts.months import Month, month_of, months_between, parse_month
from booking.services.accounts.overview import Overview, usage_overview
from booking.services.accounts.periods import close_month, list_periods
from booking.services.accounts.pricing import CURRENCY, Line
from booking.services.accounts.usage import (
    GROUPS,
    FunderRow,
    UsageRow,
    funder_report,
    usage_report,
)
from booking.services.accounts.weekly import WeekHeat, week_heatmap

__all__ = [
    "CURRENCY",
    "GROUPS",
    "FunderRow",
    "Line",
    "Names",
    "Overview",
    "Month",
    "Statement",
    "UsageRow",
    "WeekHeat",
    "charges_report",
    "close_month",
    "closed_months",
    "funder_report",
    "list_periods",
    "month_of",
    "months_between",
    "names_for",
    "parse_month",
    "usage_overview",
    "usage_report",
    "week_heatmap",
]
