"""Visitors as reception's views show them: expected on the day sheet, present on the
roll-call (the fire warden counts them with everyone else)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import aliased

from booking.extensions import db
from booking.models import Booking, Tenant, User, Visitor
from booking.services.catalogue import Layout, local_day
from booking.services.reception.results import ExpectedVisitor, Named, Person, RollCallEntry
from booking.services.reception.rows import InZone, floor_named


def _rows(*conditions: Any) -> Sequence[Row[*tuple[Any, ...]]]:
    host = aliased(User)
    query = (
        select(
            Visitor.id,
            Visitor.name,
            Visitor.email,
            Visitor.organisation,
            Visitor.status,
            Visitor.expected_at,
            Visitor.leaves_at,
            Visitor.arrived_at,
            Visitor.booking_id,
            Visitor.tenant_id,
            Tenant.name.label("tenant_name"),
            host.id.label("host_id"),
            host.name.label("host_name"),
            host.email.label("host_email"),
            Booking.resource_id,
        )
        .join(host, host.id == Visitor.host_id)
        .outerjoin(Tenant, Tenant.id == Visitor.tenant_id)
        .outerjoin(Booking, Booking.id == Visitor.booking_id)
        .where(*conditions)
        .order_by(Visitor.expected_at, Visitor.name)
    )
    return db.session.execute(query).all()


def _tenant(row: Row[Any]) -> Named | None:
    return None if row.tenant_id is None else Named(row.tenant_id, row.tenant_name)


def _place(layout: Layout, row: Row[Any]) -> Named | None:
    if row.resource_id is None or row.resource_id not in layout.places:
        return None
    return Named(row.resource_id, layout.places[row.resource_id].name)


def expected_visitors(day: date, layout: Layout, local: InZone) -> list[ExpectedVisitor]:
    """The visitors expected on local ``day`` (cancelled ones left out)."""
    window = local_day(day)
    rows = _rows(
        Visitor.expected_at >= window.start,
        Visitor.expected_at < window.end,
        Visitor.status != "cancelled",
    )
    return [
        ExpectedVisitor(
            row.id,
            row.name,
            row.organisation,
            Person(row.host_id, row.host_name, row.host_email),
            _tenant(row),
            local.at(row.expected_at),
            local.maybe(row.leaves_at),
            row.status,
            row.booking_id,
            _place(layout, row),
        )
        for row in rows
    ]


def visitors_present(now: datetime, layout: Layout, local: InZone) -> list[RollCallEntry]:
    """Everyone signed in at reception and not yet out, as roll-call entries."""
    day_ends = local_day(local.at(now).date()).end
    return [
        RollCallEntry(
            booking_id=row.booking_id,
            user=Person(row.id, row.name, row.email or ""),
            tenant=_tenant(row),
            attendees=1,
            floor=floor_named(layout, row.resource_id)
            if row.resource_id in layout.places
            else None,
            resource=_place(layout, row),
            checked_in_at=local.maybe(row.arrived_at),
            until=local.at(row.leaves_at if row.leaves_at and row.leaves_at > now else day_ends),
            visitor=True,
            host=Person(row.host_id, row.host_name, row.host_email),
            organisation=row.organisation,
        )
        for row in _rows(Visitor.status == "arrived")
    ]
