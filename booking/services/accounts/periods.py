"""Closing a month: its charge lines are frozen, so invoices sent stay true.

Months close in order, each once it is over. What changes afterwards in a closed
month's bookings is charged, as adjustment lines, in the first open month
(``accounts.charges``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError

from booking.access import require
from booking.errors import StateConflictError
from booking.extensions import db
from booking.models import BillingPeriod, ChargeLine, User
from booking.services.accounts.charges import closed_months, first_open_month, month_lines
from booking.services.accounts.months import month_of, parse_month
from booking.services.accounts.pricing import Pricing
from booking.services.core import transactional


def list_periods(actor: User) -> list[BillingPeriod]:
    """Closed months, the latest first."""
    require(actor, "close_months", "see the closed months")
    return list(db.session.scalars(select(BillingPeriod).order_by(BillingPeriod.month.desc())))


@transactional
def close_month(actor: User, text: str, now: datetime) -> BillingPeriod:
    """Close the month ``text`` (``YYYY-MM``): freeze its lines (its bookings' and the
    adjustments it carries). Refused while it is under way, once closed, or out of turn."""
    require(actor, "close_months", "close a month")
    month = month_of(parse_month(text))
    if now < month.span.end:
        raise StateConflictError(
            f"{month.name} is not over yet; close it once it has ended.", code="month_not_over"
        )
    closed = closed_months()
    if month.name in closed:
        raise StateConflictError(f"{month.name} is closed already.", code="month_closed")
    after = first_open_month(closed)
    if after is not None and month.name != after:
        raise StateConflictError(
            f"Months close in order: close {after} next.", code="month_out_of_order"
        )
    lines = month_lines(Pricing(), month, true())
    period = BillingPeriod(month=month.name, closed_at=now, closed_by_id=actor.id)
    db.session.add(period)
    db.session.add_all(
        ChargeLine(
            month=month.name,
            booking_id=line.booking_id,
            resource_id=line.resource_id,
            tenant_id=line.tenant_id,
            cost_code=line.cost_code,
            start=line.start,
            end=line.end,
            adjustment=line.adjustment,
            **line.charge._asdict(),
        )  # fmt: skip
        for line in lines
    )
    try:
        db.session.flush()
    except IntegrityError as error:  # closed by someone else meanwhile
        raise StateConflictError(f"{month.name} is closed already.", code="month_closed") from error
    return period
