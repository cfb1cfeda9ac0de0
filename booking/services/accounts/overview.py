"""The staff reports page's figures in one go: the hour-of-week heatmap and the usage
report by resource, by month and by sector, for one period.

They share the period's open time, worked out once (it was a tenth of the page's time,
four times over), and months and sectors are counted in one pass over the bookings:
figures per month, tenant and person, added up here. A person counts once in a month
or a sector however many tenants' or months' rows they have, so the figures are the
ones ``usage_report`` gives for each grouping on its own (tested)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from booking.access import require
from booking.extensions import db
from booking.models import Booking, Tenant, User
from booking.services.accounts.months import Month, months_between, period_span
from booking.services.accounts.opening import open_hours, open_stretches
from booking.services.accounts.usage import (
    UsageRow,
    measures,
    month_key,
    reported,
    usage_report,
)
from booking.services.accounts.weekly import WeekHeat, week_heatmap


@dataclass(frozen=True, slots=True)
class Overview:
    """A period's use, as the reports page draws it."""

    heat: WeekHeat
    by_resource: list[UsageRow]
    by_month: list[UsageRow]
    by_sector: list[UsageRow]


@dataclass(slots=True)
class _Tally:
    """One group's figures as ``measures`` gives them, and its people."""

    sums: list[float] = field(default_factory=lambda: [0, 0, 0, 0, 0])
    people: set[int] = field(default_factory=set)

    def add(self, person: int, figures: list[Any]) -> None:
        for n, figure in enumerate(figures):
            self.sums[n] += figure or 0
        if figures[2]:  # a booking that held its time
            self.people.add(person)

    def counted(self) -> tuple[Any, ...]:
        return (*self.sums, len(self.people))


def _by_month_and_sector(
    actor: User, first: date, last: date, months: list[Month]
) -> tuple[dict[Any, Any], dict[Any, Any]]:
    month = month_key(months).label("month")
    query = (
        select(month, Booking.tenant_id, Booking.user_id, *measures())
        .where(reported(actor, first, last))
        .group_by(month, Booking.tenant_id, Booking.user_id)
    )
    sector_of = {
        tid: sector for tid, sector in db.session.execute(select(Tenant.id, Tenant.sector))
    }
    by_month: dict[Any, _Tally] = defaultdict(_Tally)
    by_sector: dict[Any, _Tally] = defaultdict(_Tally)
    for name, tenant, person, *figures in db.session.execute(query):
        by_month[name].add(person, figures)
        by_sector[sector_of.get(tenant)].add(person, figures)
    return (
        {key: tally.counted() for key, tally in by_month.items()},
        {key: tally.counted() for key, tally in by_sector.items()},
    )


def usage_overview(actor: User, first: date, last: date) -> Overview:
    """The heatmap and the three usage reports from ``first`` to ``last`` (local dates,
    inclusive), as ``week_heatmap`` and ``usage_report`` give them one by one."""
    require(actor, "see_catalogue")
    span, months = period_span(first, last), months_between(first, last)
    found = open_stretches(span)
    opening = open_hours(months, span, found)
    monthly, sectors = _by_month_and_sector(actor, first, last, months)
    return Overview(
        heat=week_heatmap(actor, first, last, found),
        by_resource=usage_report(actor, first, last, "resource", opening),
        by_month=usage_report(actor, first, last, "month", opening, monthly),
        by_sector=usage_report(actor, first, last, "sector", opening, sectors),
    )
