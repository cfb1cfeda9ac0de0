"""The usage report: booked and used hours, open hours and utilisation, bookings,
no-shows, late cancellations and people, grouped by tenant, resource, kind, sector or
month. Counted in SQL (one grouped query over the bookings that start in the period);
open hours come from the rules' own engine (``accounts.opening``).

A booking counts in the period and month it starts in. Booked hours count every booking
that held its time (confirmed, checked in, completed, no-show), as booked (an early
check-out does not shorten them); used hours run from check-in to check-out (to the
booked end while still in). A pool's booking counts each unit it took. For groups of
people (tenant, sector) open hours are the whole building's, so utilisation is the
share of the centre's open hours they booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from booking.access import can, require
from booking.database import UTCDateTime
from booking.extensions import db
from booking.models import SECTORS, Booking, Resource, Tenant, User
from booking.services.accounts.months import Month, months_between, period_span, quarters_between
from booking.services.accounts.opening import OpenHours, open_hours
from booking.services.catalogue import resource_names
from booking.services.core import seconds_between, starting_within, visible_bookings

GROUPS = ("tenant", "resource", "kind", "sector", "month")
#: Statuses of bookings that held their time to the end.
HELD_TIME = ("confirmed", "checked_in", "completed", "no_show")


@dataclass(frozen=True, slots=True)
class UsageRow:
    """One group of the usage report."""

    key: Any
    label: str
    booked_hours: float
    used_hours: float
    open_hours: float
    utilisation: float | None
    bookings: int
    no_shows: int
    late_cancellations: int
    people: int


def month_key(months: list[Month]) -> Any:
    """The month (or quarter) a booking starts in, by the periods' instants (so the
    clock changes and the site's zone are minded without SQL knowing the zone)."""
    whens = [(Booking.start < literal(m.span.end, UTCDateTime()), m.name) for m in months]
    return case(*whens, else_=literal(months[-1].name))


def _group_column(group_by: str, months: list[Month]) -> Any:
    return {
        "tenant": Booking.tenant_id,
        "resource": Booking.resource_id,
        "kind": Resource.kind,
        "sector": Tenant.sector,
        "month": month_key(months),
    }[group_by]


def booked_end() -> Any:
    """The end as booked (an early check-out does not shorten booked time)."""
    return func.coalesce(Booking.booked_end, Booking.end)


def _booked_seconds() -> Any:
    """A booking's booked seconds, times its units."""
    return seconds_between(Booking.start, booked_end()) * Booking.units


def measures() -> list[Any]:
    """What the report adds up per group: booked and used seconds, bookings that held
    their time, no-shows and late cancellations (``people`` is counted on top)."""
    held = Booking.status.in_(HELD_TIME)
    used_end = func.coalesce(Booking.checked_out_at, booked_end())
    used = seconds_between(Booking.checked_in_at, used_end) * Booking.units
    return [
        func.sum(case((held, _booked_seconds()))),
        func.sum(case((Booking.checked_in_at.is_not(None), used))),
        func.count(case((held, 1))),
        func.count(case((Booking.status == "no_show", 1))),
        func.count(case((Booking.late_cancellation.is_(True), 1))),
    ]


def reported(actor: User, first: date, last: date) -> Any:
    """The bookings a report counts: those ``actor`` may see that start in the period
    and held their time or were cancelled."""
    return and_(
        starting_within(period_span(first, last)),
        Booking.status.in_((*HELD_TIME, "cancelled")),
        visible_bookings(actor),
    )


def _counted(actor: User, group_by: str, months: list[Month], first: date, last: date) -> Any:
    key = _group_column(group_by, months).label("key")
    people = func.count(func.distinct(case((Booking.status.in_(HELD_TIME), Booking.user_id))))
    query = select(key, *measures(), people).where(reported(actor, first, last)).group_by(key)
    # Joined only when the groups need them: a join costs a lookup per booking.
    if group_by == "kind":
        query = query.join(Resource, Resource.id == Booking.resource_id)
    if group_by == "sector":
        query = query.outerjoin(Tenant, Tenant.id == Booking.tenant_id)
    return {row[0]: row[1:] for row in db.session.execute(query)}


def _groups(group_by: str, actor: User, opening: OpenHours, months: list[Month]) -> list[Any]:
    """Every group the report lists, with or without bookings, and its label."""
    if group_by == "resource":
        return [(r.id, r.name) for r in opening.resources]
    if group_by == "kind":
        return [(kind, kind) for kind in sorted({r.kind for r in opening.resources})]
    if group_by == "sector":
        return [(sector, sector) for sector in SECTORS]
    if group_by == "month":
        return [(m.name, m.name) for m in months]
    query = select(Tenant.id, Tenant.name).order_by(Tenant.name)
    if not can(actor, "see_all"):
        query = query.where(Tenant.id == actor.tenant_id)
    return [(key, label) for key, label in db.session.execute(query)]


def _open_seconds(group_by: str, key: Any, opening: OpenHours) -> float:
    if group_by == "resource":
        return opening.of(key)
    if group_by == "kind":
        return sum(opening.of(r.id) for r in opening.resources if r.kind == key)
    return opening.total(key if group_by == "month" else None)


def usage_report(
    actor: User,
    first: date,
    last: date,
    group_by: str,
    opening: OpenHours | None = None,
    counted: dict[Any, Any] | None = None,
) -> list[UsageRow]:
    """The report from ``first`` to ``last`` (local dates, inclusive): staff see every
    booking, a tenant admin their tenant's, anyone else their own. ``opening`` (the
    period's open hours) and ``counted`` (each group's figures, as ``measures`` and then
    people) when the caller has worked them out already (``accounts.overview``)."""
    require(actor, "see_catalogue")
    months = months_between(first, last)
    opening = opening or open_hours(months, period_span(first, last))
    if counted is None:
        counted = _counted(actor, group_by, months, first, last)
    rows = []
    groups = _groups(group_by, actor, opening, months)
    known = {key for key, _ in groups}
    extra = [key for key in counted if key not in known]  # the centre's own, a retired room
    names = resource_names() if group_by == "resource" and extra else {}
    groups += [(key, names.get(key, "No tenant" if key is None else str(key))) for key in extra]
    for key, label in groups:
        booked, used, bookings, no_shows, late, people = counted.get(key, (0, 0, 0, 0, 0, 0))
        open_seconds = _open_seconds(group_by, key, opening)
        rows.append(
            UsageRow(
                key=key,
                label=label,
                booked_hours=round((booked or 0) / 3600, 2),
                used_hours=round((used or 0) / 3600, 2),
                open_hours=round(open_seconds / 3600, 2),
                utilisation=round((booked or 0) / open_seconds, 4) if open_seconds else None,
                bookings=bookings,
                no_shows=no_shows,
                late_cancellations=late,
                people=people,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class FunderRow:
    """Organisations supported and their use, in one quarter and sector."""

    quarter: str
    sector: str
    organisations: int
    people: int
    bookings: int
    booked_hours: float


def funder_report(actor: User, first: date, last: date) -> list[FunderRow]:
    """Per calendar quarter and sector, as a UK Shared Prosperity Fund return asks:
    distinct tenants (organisations) that booked, their people, bookings and booked hours
    (bookings that held their time and start from ``first`` to ``last``). Staff only."""
    require(actor, "see_all", "read the funder report")
    quarters, span = quarters_between(first, last), period_span(first, last)
    held = Booking.status.in_(HELD_TIME)
    quarter = month_key(quarters).label("quarter")
    query = (
        select(
            quarter,
            Tenant.sector,
            func.count(func.distinct(Booking.tenant_id)),
            func.count(func.distinct(Booking.user_id)),
            func.count(),
            func.sum(_booked_seconds()),
        )
        .join(Tenant, Tenant.id == Booking.tenant_id)
        .where(starting_within(span), held)
        .group_by(quarter, Tenant.sector)
    )
    found = {(q, sector): rest for q, sector, *rest in db.session.execute(query)}
    rows = []
    for each in quarters:
        for sector in SECTORS:
            organisations, people, bookings, seconds = found.get((each.name, sector), (0, 0, 0, 0))
            hours = round((seconds or 0) / 3600, 2)
            rows.append(FunderRow(each.name, sector, organisations, people, bookings, hours))
    return rows
