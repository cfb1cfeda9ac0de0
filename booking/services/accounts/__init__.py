"""Accounts: what the centre's use comes to — the usage report, charges in pence, and
months closed for invoicing."""

from booking.services.accounts.charges import Names, Statement, charges_report, names_for
from booking.services.accounts.months import Month, month_of, months_between
from booking.services.accounts.periods import close_month, list_periods
from booking.services.accounts.pricing import CURRENCY, Line
from booking.services.accounts.usage import (
    GROUPS,
    FunderRow,
    UsageRow,
    funder_report,
    usage_report,
)

__all__ = [
    "CURRENCY",
    "GROUPS",
    "FunderRow",
    "Line",
    "Names",
    "Month",
    "Statement",
    "UsageRow",
    "charges_report",
    "close_month",
    "funder_report",
    "list_periods",
    "month_of",
    "months_between",
    "names_for",
    "usage_report",
]
