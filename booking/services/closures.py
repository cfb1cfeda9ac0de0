"""Closures: stretches when a resource, with everything below it, or the whole site is shut."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from booking.errors import InvalidFieldsError, NotFoundError
from booking.extensions import db
from booking.models import Booking, Closure, Resource, User
from booking.services.access import CATALOGUE_ROLES, require_role
from booking.services.claims import occupying, overlapping
from booking.services.transactions import transactional
from rules import Interval


def list_closures(
    resource_id: int | None, start: datetime | None, end: datetime | None
) -> list[Closure]:
    """Closures by start; ``resource_id`` selects those that close that resource (its own,
    its ancestors' and the site's)."""
    query = select(Closure).order_by(Closure.start, Closure.id)
    if resource_id is not None:
        resource = db.session.get(Resource, resource_id)
        if resource is None:
            return []
        query = query.where(
            or_(
                Closure.resource_id.is_(None),
                Closure.resource_id.in_([*resource.ancestor_ids, resource.id]),
            )
        )
    if start is not None:
        query = query.where(Closure.end > start)
    if end is not None:
        query = query.where(Closure.start < end)
    return list(db.session.scalars(query))


def bookings_inside(closure: Closure, now: datetime) -> list[Booking]:
    """Open bookings that overlap ``closure`` on the resources it shuts."""
    query = select(Booking).where(
        occupying(now),
        overlapping(Booking.start, Booking.end, Interval(closure.start, closure.end)),
    )
    if closure.resource_id is not None:
        resource = db.session.get(Resource, closure.resource_id)
        assert resource is not None  # a foreign key
        below = select(Resource.id).where(Resource.path.startswith(resource.path))
        query = query.where(Booking.resource_id.in_(below))
    return list(db.session.scalars(query.order_by(Booking.start, Booking.id)))


@transactional
def create_closure(
    actor: User,
    resource_id: int | None,
    start: datetime,
    end: datetime,
    reason: str,
    now: datetime,
) -> Closure:
    """Shut a resource (or the site) for ``[start, end)``; ``affected_bookings`` lists the
    open bookings now inside it, for staff to contact (they are not cancelled)."""
    require_role(actor, CATALOGUE_ROLES, "manage closures")
    if resource_id is not None and db.session.get(Resource, resource_id) is None:
        raise InvalidFieldsError({"resource_id": ["No such resource."]})
    closure = Closure(
        resource_id=resource_id,
        start=start,
        end=end,
        reason=reason.strip(),
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(closure)
    db.session.flush()
    closure.affected_bookings = bookings_inside(closure, now)
    return closure


@transactional
def delete_closure(actor: User, closure_id: int) -> None:
    """Lift a closure."""
    require_role(actor, CATALOGUE_ROLES, "manage closures")
    closure = db.session.get(Closure, closure_id)
    if closure is None:
        raise NotFoundError("No such closure.")
    db.session.delete(closure)
