"""Charges: invoice lines and totals per tenant, in integer pence.

A booking is charged in the month it starts in, by ``rules.charges`` under its resource's
rules and its tenant's rate tier. A closed month's lines are read as they were frozen
(``accounts.periods``); an open month's are worked out afresh, and a booking of a closed
month whose charge has changed since is charged the difference as an adjustment line in
the first open month. Adjustments belong to the first day of their month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from booking.extensions import db
from booking.models import BillingPeriod, Booking, ChargeLine, Tenant, User
from booking.services.accounts.months import (
    Month,
    month_of,
    months_between,
    next_month,
    parse_month,
    period_span,
)
from booking.services.accounts.pricing import (
    Line,
    Pricing,
    changed_since,
    live_lines,
    scope_of,
)
from booking.services.catalogue import resource_names
from rules import Interval
from rules.charges import Charge


@dataclass(frozen=True, slots=True)
class Statement:
    """Lines in order, and each tenant's total."""

    lines: list[Line]
    totals: dict[int | None, int]


def frozen_lines(months: Iterable[str], span: Interval, scope: ColumnElement[bool]) -> list[Line]:
    """Closed months' lines as frozen: bookings that start in ``span``, and adjustments."""
    query = (
        select(ChargeLine)
        .join(Booking, Booking.id == ChargeLine.booking_id)
        .where(
            ChargeLine.month.in_(list(months)),
            ChargeLine.adjustment
            | ((ChargeLine.start >= span.start) & (ChargeLine.start < span.end)),
            scope,
        )
        .order_by(ChargeLine.month, ChargeLine.adjustment, ChargeLine.start, ChargeLine.id)
    )
    return [
        Line(
            c.booking_id,
            c.resource_id,
            c.tenant_id,
            c.cost_code,
            c.start,
            c.end,
            c.month,
            Charge(c.reason, c.seconds, c.units, c.rate, c.percent, c.amount),
            c.adjustment,
        )  # fmt: skip
        for c in db.session.scalars(query)
    ]


def adjustments(
    pricing: Pricing, closed: dict[str, datetime], target: Month, scope: ColumnElement[bool]
) -> list[Line]:
    """Differences, charged in ``target`` (the first open month), between what the
    bookings of closed months cost now and what was frozen for them, for those changed
    since their month closed."""
    found = []
    for name, closed_at in sorted(closed.items()):
        month = month_of(parse_month(name))
        changed = changed_since(month.span, scope, closed_at)
        rows = {row[0]: row for row in db.session.execute(changed)}
        frozen = _frozen_amounts(rows)
        for bid, row in rows.items():
            now_line = pricing.line(row, target.name)
            paid, seconds = frozen.get(bid, (0, 0))
            base = now_line or _as_zero(row, target.name)
            difference = base.charge.amount - paid
            if difference == 0:
                continue
            change = base.charge._replace(seconds=base.charge.seconds - seconds, amount=difference)
            found.append(base._replace(charge=change, adjustment=True))
    return found


def _frozen_amounts(rows: dict[int, Any]) -> dict[int, tuple[int, int]]:
    """Each booking's frozen pence and seconds (all its lines so far)."""
    if not rows:
        return {}
    query = (
        select(ChargeLine.booking_id, func.sum(ChargeLine.amount), func.sum(ChargeLine.seconds))
        .where(ChargeLine.booking_id.in_(list(rows)))
        .group_by(ChargeLine.booking_id)
    )
    return {bid: (int(amount), int(seconds)) for bid, amount, seconds in db.session.execute(query)}


def _as_zero(row: Any, month: str) -> Line:
    bid, rid, tid, code, start, end, status, units, *_ = row
    reason = "late_cancellation" if status == "cancelled" else "booked"
    return Line(bid, rid, tid, code, start, end, month, Charge(reason, 0, units, 0, 0, 0))


def closed_months() -> dict[str, datetime]:
    """Every closed month and when it was closed."""
    query = select(BillingPeriod.month, BillingPeriod.closed_at)
    return {month: closed_at for month, closed_at in db.session.execute(query)}


def first_open_month(closed: dict[str, datetime]) -> str | None:
    """The month after the latest closed one (months close in order)."""
    if not closed:
        return None
    return month_of(next_month(parse_month(max(closed)))).name


def month_lines(pricing: Pricing, month: Month, scope: ColumnElement[bool]) -> list[Line]:
    """An open month's lines: its bookings', then adjustments if it is the first open."""
    lines = live_lines(pricing, month.span, [month], scope)
    closed = closed_months()
    if first_open_month(closed) == month.name:
        lines += adjustments(pricing, closed, month, scope)
    return lines


def charges_report(actor: User, first: date, last: date, tenant_id: int | None) -> Statement:
    """Lines for the bookings that start from ``first`` to ``last`` (local dates), and the
    adjustments of the months whose first day lies in that period; totals per tenant."""
    scope = scope_of(actor, tenant_id)
    months = months_between(first, last)
    span = period_span(first, last)
    closed = closed_months()
    shut = [m for m in months if m.name in closed]
    open_months = [m for m in months if m.name not in closed]
    lines = frozen_lines([m.name for m in shut], span, scope)
    lines = [
        line for line in lines if not line.adjustment or first <= parse_month(line.month) <= last
    ]
    pricing = Pricing()
    target = first_open_month(closed)
    for month in open_months:
        part = Interval(max(span.start, month.span.start), min(span.end, month.span.end))
        lines += live_lines(pricing, part, [month], scope)
        if month.name == target and first <= month.first <= last:
            lines += adjustments(pricing, closed, month, scope)
    lines.sort(key=lambda line: (line.month, line.adjustment, line.start, line.booking_id))
    totals: dict[int | None, int] = defaultdict(int)
    for line in lines:
        totals[line.tenant_id] += line.charge.amount
    return Statement(lines, dict(totals))


@dataclass(frozen=True, slots=True)
class Names:
    """The tenants and resources a statement's lines name, for people to read."""

    tenants: dict[int | None, str]
    resources: dict[int, str]


def names_for(statement: Statement) -> Names:
    """Names of the tenants and resources in ``statement`` (the caller may see them)."""
    tenant_ids = {line.tenant_id for line in statement.lines} - {None}
    query = select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids))
    tenants: dict[int | None, str] = {tid: name for tid, name in db.session.execute(query)}
    return Names(tenants, resource_names())
