"""Certifications: who is trained for the equipment that requires it, and until when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from booking.access import can, require
from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import Certification, User
from booking.services.catalogue.training import answer_requests
from booking.services.core import transactional
from booking.services.people import get_user


def _visible_user(actor: User, user_id: int) -> User:
    """A user whose certifications ``actor`` may see: themself, anyone for staff, their
    tenant's people for a tenant admin; others are a 404."""
    user = get_user(user_id)
    same_tenant = can(actor, "see_tenant") and actor.tenant_id == user.tenant_id
    if actor.id == user.id or can(actor, "see_all") or same_tenant:
        return user
    raise NotFoundError("No such user.")


def list_certifications(actor: User, user_id: int) -> list[Certification]:
    """A user's certifications by code."""
    user = _visible_user(actor, user_id)
    query = select(Certification).where(Certification.user_id == user.id)
    return list(db.session.scalars(query.order_by(Certification.code)))


@transactional
def grant_certification(
    actor: User, user_id: int, code: str, expires_on: date | None, now: datetime
) -> tuple[Certification, bool]:
    """Record (or renew) a certification; True when it is new. Facility managers, admins."""
    user = _visible_user(actor, user_id)
    require(actor, "manage_catalogue", "grant certifications")
    found = db.session.scalar(
        select(Certification)
        .where(Certification.user_id == user.id, Certification.code == code)
        .with_for_update()
    )
    answer_requests(user.id, code, now)
    if found is not None:
        found.expires_on, found.granted_by_id, found.updated_at = expires_on, actor.id, now
        return found, False
    certification = Certification(
        user_id=user.id,
        code=code,
        expires_on=expires_on,
        granted_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(certification)
    db.session.flush()
    return certification, True


@transactional
def revoke_certification(actor: User, user_id: int, code: str) -> None:
    """Withdraw a certification; bookings made with it stand."""
    user = _visible_user(actor, user_id)
    require(actor, "manage_catalogue", "revoke certifications")
    found = db.session.scalar(
        select(Certification).where(Certification.user_id == user.id, Certification.code == code)
    )
    if found is None:
        raise NotFoundError(f"{user.name} holds no {code} certification.")
    db.session.delete(found)
