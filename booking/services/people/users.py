"""Tenants and users."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from booking.access import can, require, roles_that
from booking.errors import DuplicateError, InvalidFieldsError, NotFoundError
from booking.extensions import db
from booking.models import Tenant, User
from booking.services.core import transactional
from booking.services.people.resets import invite

#: Roles that work for the centre rather than for a tenant: they belong to none.
STAFF_ROLES = roles_that("see_all")


def list_tenants(actor: User) -> Sequence[Tenant]:
    """All tenants for staff; a tenant's own people see their tenant only."""
    query = select(Tenant).order_by(Tenant.name)
    if not can(actor, "see_all"):
        query = query.where(Tenant.id == actor.tenant_id)
    return db.session.scalars(query).all()


def _add_tenant(name: str, now: datetime, **details: str) -> Tenant:
    tenant = Tenant(name=name, created_at=now, **details)
    db.session.add(tenant)
    db.session.flush()
    return tenant


def _tenant_named(name: str, now: datetime) -> Tenant:
    """The tenant called ``name``, created if there is none."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.name == name))
    return tenant if tenant is not None else _add_tenant(name, now)


@transactional
def create_tenant(actor: User, name: str, now: datetime, **details: str) -> Tenant:
    """A new tenant (admins only); ``details``: its ``sector`` and ``rate_tier``."""
    require(actor, "manage_people", "create tenants")
    name = name.strip()
    _require_unused(name, None)
    return _add_tenant(name, now, **details)


def _require_unused(name: str, tenant_id: int | None) -> None:
    same = select(Tenant.id).where(Tenant.name == name, Tenant.id != (tenant_id or 0))
    if db.session.scalar(same) is not None:
        raise DuplicateError(f"A tenant named {name!r} exists already.")


@transactional
def update_tenant(actor: User, tenant_id: int, changes: dict[str, str]) -> Tenant:
    """Rename a tenant or set its ``sector`` or ``rate_tier`` (admins only). A new tier
    applies to charges not yet frozen in a closed month."""
    require(actor, "manage_people", "change tenants")
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFoundError("No such tenant.")
    if "name" in changes:
        changes = {**changes, "name": changes["name"].strip()}
        _require_unused(changes["name"], tenant.id)
    for name, value in changes.items():
        setattr(tenant, name, value)
    return tenant


def list_users(actor: User) -> Sequence[User]:
    """Everyone for staff; a tenant admin sees the people of their tenant."""
    require(actor, "list_users")
    query = select(User).order_by(User.email)
    if not can(actor, "see_all"):
        query = query.where(User.tenant_id == actor.tenant_id)
    return db.session.scalars(query).all()


def get_user(user_id: int) -> User:
    """The user with ``user_id`` or a 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such user.")
    return user


def check_role_and_tenant(role: str, has_tenant: bool) -> None:
    if role in STAFF_ROLES and has_tenant:
        raise InvalidFieldsError({"tenant_id": ["Centre staff do not belong to a tenant."]})
    if role not in STAFF_ROLES and not has_tenant:
        raise InvalidFieldsError({"tenant_id": [f"A {role} must belong to a tenant."]})


def add_user(
    email: str,
    name: str,
    role: str,
    now: datetime,
    *,
    tenant_id: int | None = None,
    tenant_name: str | None = None,
) -> User:
    """Insert a user in the current transaction; the tenant given by id or by name."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DuplicateError(f"A user with e-mail {email} exists already.")
    if tenant_name is not None:
        tenant_id = _tenant_named(tenant_name.strip(), now).id
    elif tenant_id is not None and db.session.get(Tenant, tenant_id) is None:
        raise InvalidFieldsError({"tenant_id": ["No such tenant."]})
    check_role_and_tenant(role, tenant_id is not None)
    user = User(email=email, name=name.strip(), role=role, tenant_id=tenant_id, created_at=now)
    db.session.add(user)
    db.session.flush()
    return user


@transactional
def create_user(
    actor: User, email: str, name: str, role: str, tenant_id: int | None, now: datetime
) -> User:
    """A new user (admins only)."""
    require(actor, "manage_people", "create users")
    user = add_user(email, name, role, now, tenant_id=tenant_id)
    invite(user, now)
    return user


@transactional
def create_user_from_cli(
    email: str, name: str, role: str, tenant_name: str | None, now: datetime
) -> User:
    """A new user, creating the named tenant if it does not exist (for the command line)."""
    user = add_user(email, name, role, now, tenant_name=tenant_name)
    invite(user, now)
    return user
