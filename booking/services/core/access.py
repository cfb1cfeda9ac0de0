"""Who may see and act on what: the contract's roles and tenant isolation in one place.

A booking the caller may not see does not exist for them (404); an action their role
lacks on something they may see is refused (403).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from booking.access import ROLES, can
from booking.errors import NotFoundError, PermissionDeniedError
from booking.extensions import db
from booking.models import Booking, User


def visible_to(user: User, model: Any) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``model`` (bookings, series: anything booked
    for ``user_id`` by ``booked_by_id`` in ``tenant_id``) that ``user`` may see in full."""
    if can(user, "see_all"):
        return true()
    own = or_(model.user_id == user.id, model.booked_by_id == user.id)
    if can(user, "see_tenant") and user.tenant_id is not None:
        return or_(own, model.tenant_id == user.tenant_id)
    return own if user.role in ROLES else false()


def visible_bookings(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the bookings ``user`` may see in full."""
    return visible_to(user, Booking)


def visible_booking(user: User, booking_id: int, *, for_update: bool = False) -> Booking:
    """A booking ``user`` may see (locked for update if asked), or a 404 whether or not
    it exists."""
    query = select(Booking).where(Booking.id == booking_id, visible_bookings(user))
    if for_update:
        query = query.with_for_update()
    booking = db.session.scalar(query)
    if booking is None:
        raise NotFoundError("No such booking.")
    return booking


def require_booking_for(actor: User, beneficiary: User | None) -> User:
    """``beneficiary`` if ``actor`` may book on their behalf; otherwise a 403.

    ``None`` (no such user) is refused like a stranger, so tenants learn nothing of
    who exists outside their tenant.
    """
    if beneficiary is not None and (actor.id == beneficiary.id or can(actor, "book_for_anyone")):
        return beneficiary
    if (
        beneficiary is not None
        and can(actor, "book_for_tenant")
        and actor.tenant_id is not None
        and beneficiary.tenant_id == actor.tenant_id
    ):
        return beneficiary
    if can(actor, "book_for_tenant"):
        raise PermissionDeniedError("A tenant admin books only for members of their own tenant.")
    raise PermissionDeniedError("Your role may book only for yourself.")
