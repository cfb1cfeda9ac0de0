"""The front desk's side of visitors: who is expected, signing in and out, cancelling,
who is in the building; counts for reports; and erasing personal details once they
are no longer needed (``purge-visitors``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from booking.access import require
from booking.errors import StateConflictError
from booking.extensions import db
from booking.models import Booking, Resource, Tenant, User, Visitor
from booking.services.catalogue import local_day, rules_of, site_zone
from booking.services.core import transactional
from booking.services.visitors.registering import visible_visitor, visible_visitors
from booking.services.visitors.signing import sign_in

#: What an erased visitor is called.
ERASED = "(erased)"


def get_visitor(actor: User, visitor_id: int) -> Visitor:
    """A visitor the caller may see (404 otherwise)."""
    return visible_visitor(actor, visitor_id)


def list_visitors(
    actor: User,
    day: date | None = None,
    status: str | None = None,
    name: str | None = None,
    booking_id: int | None = None,
) -> list[Visitor]:
    """The visitors the caller may see, expected on local ``day`` (all days when
    ``None``), with ``status``, whose name holds ``name``, for ``booking_id``; by
    expected time."""
    query = select(Visitor).where(visible_visitors(actor))
    if booking_id is not None:
        query = query.where(Visitor.booking_id == booking_id)
    if day is not None:
        window = local_day(day)
        query = query.where(Visitor.expected_at >= window.start, Visitor.expected_at < window.end)
    if status is not None:
        query = query.where(Visitor.status == status)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Visitor.name.ilike(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query.order_by(Visitor.expected_at, Visitor.name)))


@dataclass(frozen=True, slots=True)
class Meeting:
    """Where a visitor's booking is, and whether its rules ask for a safety briefing."""

    place: str
    briefing: bool


def meetings(shown: list[Visitor]) -> dict[int, Meeting]:
    """The meeting of each visitor who has one, by visitor id: one query, and each
    resource's rules read once however many visitors it has."""
    ids = [v.id for v in shown if v.booking_id is not None]
    if not ids:
        return {}
    query = (
        select(Visitor.id, Resource)
        .join(Booking, Booking.id == Visitor.booking_id)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(Visitor.id.in_(ids))
    )
    briefed: dict[int, bool] = {}
    found = {}
    for visitor_id, resource in db.session.execute(query):
        if resource.id not in briefed:
            briefed[resource.id] = rules_of(resource).visitor_briefing
        found[visitor_id] = Meeting(resource.name, briefed[resource.id])
    return found


def present(actor: User) -> list[Visitor]:
    """Visitors signed in and not yet out: everyone the fire warden counts besides the
    people checked in to bookings."""
    require(actor, "run_reception", "see who is in the building")
    query = select(Visitor).where(Visitor.status == "arrived").order_by(Visitor.name)
    return list(db.session.scalars(query))


@transactional
def arrive(actor: User, visitor_id: int, now: datetime, *, briefed: bool = False) -> Visitor:
    """Sign a visitor in at reception; their host is told."""
    require(actor, "run_reception", "sign visitors in")
    visitor = visible_visitor(actor, visitor_id, for_update=True)
    sign_in(actor, visitor, now, briefed=briefed)
    return visitor


@transactional
def leave(actor: User, visitor_id: int, now: datetime) -> Visitor:
    """Sign a visitor out."""
    require(actor, "run_reception", "sign visitors out")
    visitor = visible_visitor(actor, visitor_id, for_update=True)
    if visitor.status != "arrived":
        raise StateConflictError(
            f"{visitor.name} is not signed in ({visitor.status}).", code="visitor_not_in"
        )
    visitor.status, visitor.left_at, visitor.updated_at = "left", now, now
    return visitor


@transactional
def cancel_visit(actor: User, visitor_id: int, now: datetime) -> Visitor:
    """A visitor not coming after all (their host's tenant, or reception)."""
    visitor = visible_visitor(actor, visitor_id, for_update=True)
    if visitor.status != "expected":
        raise StateConflictError(
            f"Only an expected visit can be cancelled; this one is {visitor.status}.",
            code=f"visitor_{visitor.status}",
        )
    visitor.status, visitor.updated_at = "cancelled", now
    return visitor


def visitor_counts(actor: User, first: date, last: date) -> list[tuple[str | None, str, int]]:
    """Visits that happened (signed in) from ``first`` to ``last`` (local dates), per
    tenant and month: (tenant name, ``YYYY-MM``, visits). Erased visits count too."""
    window = local_day(first).start, local_day(last).end
    query = (
        select(Tenant.name, Visitor.arrived_at)
        .outerjoin(Tenant, Tenant.id == Visitor.tenant_id)
        .where(
            visible_visitors(actor),
            Visitor.arrived_at >= window[0],
            Visitor.arrived_at < window[1],
        )
    )
    zone = site_zone()
    counted = Counter(
        (tenant, arrived.astimezone(zone).strftime("%Y-%m"))
        for tenant, arrived in db.session.execute(query)
        if arrived is not None
    )
    return sorted(
        ((tenant, month, n) for (tenant, month), n in counted.items()),
        key=lambda row: (row[1], row[0] or ""),
    )


def erase_after() -> timedelta:
    return timedelta(days=int(current_app.config["VISITORS_KEEP_DAYS"]))


@transactional
def purge_visitors(now: datetime) -> list[int]:
    """Erase the name, e-mail and organisation of visitors whose visit ended
    ``[visitors] keep_days`` ago (the visit, when it was and for whom, stays); their ids."""
    cutoff = now - erase_after()
    ended = or_(
        and_(
            Visitor.left_at.is_(None),
            func.coalesce(Visitor.leaves_at, Visitor.expected_at) < cutoff,
        ),
        Visitor.left_at < cutoff,
    )
    erased = db.session.scalars(
        update(Visitor)
        .where(Visitor.erased_at.is_(None), ended)
        .values(name=ERASED, email=None, organisation=None, erased_at=now, updated_at=now)
        .returning(Visitor.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(erased)
