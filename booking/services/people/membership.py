"""Changing who someone is at the centre: their name, role and organisation, and
deactivating someone who has left (admins).

A deactivated person cannot sign in, their API tokens are revoked, their calendar feeds
stop and every signed-in session ends; their bookings and history stay. Activating them
again lets them sign in with their password; tokens and feeds are made anew.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update

from booking.access import require
from booking.errors import InvalidFieldsError, StateConflictError
from booking.extensions import db
from booking.models import ApiToken, FeedKey, Tenant, User
from booking.services.core import transactional
from booking.services.people.users import check_role_and_tenant, get_user


def _deactivate(user: User, now: datetime) -> None:
    user.deactivated_at = now
    user.session_version = (user.session_version or 0) + 1
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(delete(FeedKey).where(FeedKey.user_id == user.id))


@transactional
def update_user(actor: User, user_id: int, changes: dict[str, Any], now: datetime) -> User:
    """Set ``name``, ``role``, ``tenant_id`` or ``active`` of a person (admins only)."""
    require(actor, "manage_people", "change people")
    user = get_user(user_id)
    active = changes.pop("active", None)
    if user.id == actor.id and (active is False or changes.get("role", user.role) != user.role):
        raise StateConflictError(
            "An administrator cannot deactivate themselves or change their own role."
        )
    tenant_id = changes.get("tenant_id", user.tenant_id)
    if tenant_id is not None and db.session.get(Tenant, tenant_id) is None:
        raise InvalidFieldsError({"tenant_id": ["No such tenant."]})
    check_role_and_tenant(changes.get("role", user.role), tenant_id is not None)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    for name, value in changes.items():
        setattr(user, name, value)
    if active is False and user.deactivated_at is None:
        _deactivate(user, now)
    elif active is True:
        user.deactivated_at = None
    return user


@transactional
def rename_self(user_id: int, name: str) -> User:
    """Change one's own name as others see it (on bookings, visitors' badges, mail)."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidFieldsError({"name": ["Give your name, at most 200 characters."]})
    user = get_user(user_id)
    user.name = name
    return user
