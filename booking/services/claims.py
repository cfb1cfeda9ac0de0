"""Reading and locking the time already claimed on a resource and those it shares space with.

``overlapping`` is the SQL twin of ``rules.intervals.overlaps``; a test checks they agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from booking.extensions import db
from booking.models import OCCUPYING, Booking, Resource
from rules import Claim, Interval, Target


def overlapping(
    start: InstrumentedAttribute[object] | ColumnElement[object],
    end: InstrumentedAttribute[object] | ColumnElement[object],
    interval: Interval,
) -> ColumnElement[bool]:
    """SQL for ``[start, end)`` overlapping ``interval``: ``start < i.end AND i.start < end``."""
    return (start < interval.end) & (end > interval.start)  # type: ignore[operator,return-value]


def target_of(resource: Resource) -> Target:
    """The resource as conflict checking sees it."""
    return Target(resource_id=resource.id, quantity=resource.quantity)


def bookable_ancestor_ids(resource: Resource) -> list[int]:
    """Ids of the resource's ancestors that can be booked (and so can block it)."""
    ids = resource.ancestor_ids
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Resource.id).where(Resource.id.in_(ids), Resource.bookable.is_(True))
        )
    )


def descendant_ids(resource: Resource) -> list[int]:
    """Ids of every resource below ``resource`` in the tree."""
    return list(
        db.session.scalars(
            select(Resource.id).where(
                Resource.path.startswith(resource.path), Resource.id != resource.id
            )
        )
    )


def related_ids(resource: Resource) -> list[int]:
    """The resource, its bookable ancestors and its descendants: all whose bookings block it."""
    return [*bookable_ancestor_ids(resource), resource.id, *descendant_ids(resource)]


def lock_path(resource: Resource) -> None:
    """Lock the resource and its bookable ancestors, in id order, until the transaction ends.

    Two bookings that could clash share at least one locked row (a booking of a bench
    and of its lab both lock the lab), so they run one after the other. SQLite has no
    row locks; there the transaction already holds the database's write lock.
    """
    ids = sorted({resource.id, *bookable_ancestor_ids(resource)})
    db.session.execute(
        select(Resource.id).where(Resource.id.in_(ids)).order_by(Resource.id).with_for_update()
    ).all()


def load_claims(
    resource_ids: Iterable[int] | None, window: Interval, *, excluding: int | None = None
) -> list[Claim]:
    """Claims of occupying bookings on ``resource_ids`` (``None``: all) overlapping ``window``."""
    query = select(
        Booking.id, Booking.resource_id, Booking.occupied_start, Booking.occupied_end, Booking.units
    ).where(
        Booking.status.in_(OCCUPYING),
        overlapping(Booking.occupied_start, Booking.occupied_end, window),
    )
    if resource_ids is not None:
        query = query.where(Booking.resource_id.in_(list(resource_ids)))
    if excluding is not None:
        query = query.where(Booking.id != excluding)
    return [
        Claim(resource_id=rid, interval=Interval(start, end), units=units, booking_id=bid)
        for bid, rid, start, end, units in db.session.execute(query)
    ]


def busy_time(claims: Sequence[Claim]) -> list[dict[str, object]]:
    """Claims as the contract's busy time: resource and interval only, never whose."""
    seen: dict[tuple[int, Interval], None] = {}
    for claim in claims:
        seen.setdefault((claim.resource_id, claim.interval), None)
    return [
        {"resource_id": rid, "start": interval.start, "end": interval.end} for rid, interval in seen
    ]
