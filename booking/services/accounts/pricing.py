"""Pricing bookings: which bookings' money a person may see, and each booking's line
worked out now by ``rules.charges`` under its resource's rules and its tenant's tier."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, func, select, true

from booking.access import can
from booking.errors import PermissionDeniedError
from booking.extensions import db
from booking.models import Booking, Tenant, User
from booking.services.accounts.months import Month
from booking.services.accounts.usage import HELD_TIME
from booking.services.catalogue import current_catalogue
from booking.services.core import starting_within, visible_bookings
from rules import Interval
from rules.charges import Charge, Stay, Tariff, charge, tariff_of

CURRENCY = "GBP"


class Line(NamedTuple):
    """One line of the charges report (``amount`` in pence; negative only for an
    adjustment that gives money back). A named tuple, as ``rules.charges.Charge``."""

    booking_id: int
    resource_id: int
    tenant_id: int | None
    cost_code: str | None
    start: datetime
    end: datetime
    month: str
    #: What is charged and why (``rules.charges``); an adjustment's is the difference.
    charge: Charge
    adjustment: bool = False


def scope_of(actor: User, tenant_id: int | None) -> ColumnElement[bool]:
    """The bookings whose money ``actor`` may see, within ``tenant_id`` when given:
    facility managers and admins all, a tenant admin their tenant's, a member their own.
    Reception, who sees every booking, sees no money (403)."""
    if can(actor, "see_charges"):
        return true() if tenant_id is None else Booking.tenant_id == tenant_id
    if can(actor, "see_all"):
        raise PermissionDeniedError(
            "Reception reads the usage report; charges are for facility managers and admins."
        )
    if tenant_id is not None and tenant_id != actor.tenant_id:
        raise PermissionDeniedError("You see only your own tenant's charges.")
    return visible_bookings(actor)


_COLUMNS = (
    Booking.id,
    Booking.resource_id,
    Booking.tenant_id,
    Booking.cost_code,
    Booking.start,
    func.coalesce(Booking.booked_end, Booking.end),
    Booking.status,
    Booking.units,
    Booking.checked_in_at,
    Booking.checked_out_at,
    Booking.late_cancellation,
    func.coalesce(Tenant.rate_tier, "standard"),
)


def _chargeable(span: Interval, scope: ColumnElement[bool], *more: ColumnElement[bool]) -> Any:
    late = and_(Booking.status == "cancelled", Booking.late_cancellation.is_(True))
    return (
        select(*_COLUMNS)
        .outerjoin(Tenant, Tenant.id == Booking.tenant_id)
        .where(
            starting_within(span),
            Booking.status.in_(HELD_TIME) | late,
            scope,
            *more,
        )
        .order_by(Booking.start, Booking.id)
    )


class Pricing:
    """Each resource's tariff, worked out once per distinct set of rules and looked up
    once per resource."""

    def __init__(self) -> None:
        self.book = current_catalogue().rules
        self.shared: dict[int, Tariff] = {}  # by the rules' identity
        self.tariffs: dict[int, Tariff] = {}  # by resource

    def line(self, row: Any, month: str) -> Line | None:
        bid, rid, tid, code, start, end, status, units, came, left, late, tier = row
        tariff = self.tariffs.get(rid)
        if tariff is None:
            rules = self.book.rules_for(rid)
            tariff = self.shared.setdefault(id(rules), tariff_of(rules))
            self.tariffs[rid] = tariff
        stay = Stay(status, start, end, units, came, left, late)
        found = charge(tariff, tier, stay)
        if found is None:
            return None
        return Line(
            bid, rid, tid, code, start, end, month, found,
        )  # fmt: skip


def _month_finder(months: Sequence[Month]) -> Any:
    ends = [month.span.end for month in months]
    return lambda start: months[min(bisect_right(ends, start), len(months) - 1)].name


def live_lines(
    pricing: Pricing, span: Interval, months: Sequence[Month], scope: ColumnElement[bool]
) -> list[Line]:
    """Lines worked out now for the bookings that start in ``span``."""
    month_for = _month_finder(months)
    found = []
    for row in db.session.connection().execute(_chargeable(span, scope)):
        line = pricing.line(row, month_for(row[4]))
        if line is not None:
            found.append(line)
    return found


def changed_since(span: Interval, scope: ColumnElement[bool], since: datetime) -> Any:
    """Bookings that start in ``span`` and changed after ``since``, whatever their status
    now (one cancelled in time is no longer charged, and is refunded)."""
    return (
        select(*_COLUMNS)
        .outerjoin(Tenant, Tenant.id == Booking.tenant_id)
        .where(
            Booking.start >= span.start, Booking.start < span.end, Booking.updated_at > since, scope
        )
        .order_by(Booking.start, Booking.id)
    )
