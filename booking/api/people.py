"""Tenants, users and tokens."""

from typing import Any

from flask import Response

from booking.api.context import actor, now, v1_blueprint
from booking.models import Tenant, User
from booking.responses import json_response
from booking.schemas.people import (
    AcceptedSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    PersonalDataSchema,
    TenantPatchSchema,
    TenantSchema,
    TokenSchema,
    UserPatchSchema,
    UserSchema,
)
from booking.services import people

blp = v1_blueprint("people", __name__, "Tenants, users and tokens")


@blp.get("/tenants")
@blp.response(200, TenantSchema(many=True))
def list_tenants() -> list[Tenant]:
    """Tenants: all for staff, one's own for tenants."""
    return list(people.list_tenants(actor()))


@blp.post("/tenants")
@blp.arguments(TenantSchema())
@blp.response(201, TenantSchema())
def create_tenant(data: dict[str, Any]) -> Tenant:
    """Create a tenant (admin)."""
    return people.create_tenant(actor(), now=now(), **data)


@blp.patch("/tenants/<id:tenant_id>")
@blp.arguments(TenantPatchSchema(partial=True))
@blp.response(200, TenantSchema())
def update_tenant(data: dict[str, Any], tenant_id: int) -> Tenant:
    """Rename a tenant, or set its sector or rate tier (admin)."""
    return people.update_tenant(actor(), tenant_id, data)


@blp.get("/users")
@blp.response(200, UserSchema(many=True))
def list_users() -> list[User]:
    """Users: all for staff; a tenant admin sees their own tenant's."""
    return list(people.list_users(actor()))


@blp.post("/users")
@blp.arguments(UserSchema())
@blp.response(201, UserSchema())
def create_user(data: dict[str, Any]) -> User:
    """Create a user (admin)."""
    return people.create_user(actor(), now=now(), **data)


@blp.patch("/users/<id:user_id>")
@blp.arguments(UserPatchSchema())
@blp.response(200, UserSchema())
def update_user(data: dict[str, Any], user_id: int) -> User:
    """Change a person's name, role or organisation, or deactivate them (admin)."""
    return people.update_user(actor(), user_id, data, now())


@blp.get("/users/<id:user_id>/export")
@blp.response(200, PersonalDataSchema())
def export_personal_data(user_id: int) -> Response:
    """Everything held about a person, as JSON (the person themselves, or an admin);
    recorded in the audit log."""
    return json_response(people.export_person(actor(), user_id, now()))


@blp.post("/users/<id:user_id>/erase")
@blp.response(200, UserSchema())
def erase_personal_data(user_id: int) -> User:
    """Replace a person's data with a pseudonym, keeping their bookings and charges for
    the accounts; their tokens, feeds and password stop working (admin). Refused (409)
    while they have bookings still to come."""
    return people.erase_person(actor(), user_id, now())


@blp.post("/users/<id:user_id>/tokens")
@blp.response(201, TokenSchema())
def create_token(user_id: int) -> dict[str, Any]:
    """Issue an API token (admin, or a user for itself); the token is shown only here."""
    token, raw = people.issue_token(actor(), user_id, now())
    return {"id": token.id, "token": raw}


@blp.delete("/tokens/<id:token_id>")
@blp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke a token at once (its owner or an admin)."""
    people.revoke_token(actor(), token_id, now())


@blp.get("/me")
@blp.response(200, UserSchema())
def who_am_i() -> User:
    """The user the token belongs to."""
    return actor()


@blp.post("/me/password")
@blp.arguments(PasswordChangeSchema())
@blp.response(204)
def change_password(data: dict[str, Any]) -> None:
    """Change one's own password, given the current one (it ends one's page sessions)."""
    people.change_password(actor().id, data["current"], data["new"])


#: What a request for a reset link is answered, whether or not the address is known.
RESET_SENT = (
    "If that address has an account, a link to set a new password is on its way; "
    "it works once, for an hour."
)


@blp.post("/password-reset")
@blp.doc(security=[])
@blp.arguments(PasswordResetSchema())
@blp.response(202, AcceptedSchema())
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many from this address")
def ask_for_password_reset(data: dict[str, Any]) -> dict[str, str]:
    """Mail a one-time link to set a new password; no token needed. The answer is the
    same for any address, so it tells nobody who has an account; limited per address."""
    people.request_reset(data["email"], now())
    return {"detail": RESET_SENT}
