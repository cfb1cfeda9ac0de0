"""Who may see and act on what: the contract's roles and tenant isolation in one place.

A booking the caller may not see does not exist for them (404); an action their role
lacks on something they may see is refused (403).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from booking.errors import NotFoundError, PermissionDeniedError
from booking.extensions import db
from booking.models import STAFF_ROLES, Booking, User

CATALOGUE_ROLES = frozenset({"admin", "facility_manager"})
RULE_OVERRIDE_ROLES = CATALOGUE_ROLES
#: Who runs the front desk: occupancy, walk-ins, checking anyone in or out.
RECEPTION_ROLES = STAFF_ROLES
#: Who approves bookings of resources that require approval; their own are confirmed at once.
APPROVER_ROLES = CATALOGUE_ROLES


def visible_to(user: User, model: Any) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``model`` (bookings, series: anything booked
    for ``user_id`` by ``booked_by_id`` in ``tenant_id``) that ``user`` may see in full."""
    if user.is_staff:
        return true()
    own = or_(model.user_id == user.id, model.booked_by_id == user.id)
    if user.role == "tenant_admin" and user.tenant_id is not None:
        return or_(own, model.tenant_id == user.tenant_id)
    return own if user.role == "tenant_member" else false()


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


def require_role(user: User, roles: frozenset[str], action: str) -> None:
    """Refuse with 403 unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        raise PermissionDeniedError(f"Your role ({user.role}) may not {action}.")


def require_booking_for(actor: User, beneficiary: User | None) -> User:
    """``beneficiary`` if ``actor`` may book on their behalf; otherwise a 403.

    ``None`` (no such user) is refused like a stranger, so tenants learn nothing of
    who exists outside their tenant.
    """
    if beneficiary is not None and (actor.id == beneficiary.id or actor.is_staff):
        return beneficiary
    if (
        beneficiary is not None
        and actor.role == "tenant_admin"
        and actor.tenant_id is not None
        and beneficiary.tenant_id == actor.tenant_id
    ):
        return beneficiary
    if actor.role == "tenant_admin":
        raise PermissionDeniedError("A tenant admin books only for members of their own tenant.")
    raise PermissionDeniedError("Your role may book only for yourself.")
