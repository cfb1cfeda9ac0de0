"""What every view needs from the request: the authenticated caller and the time."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from booking.clock import now
from booking.errors import AuthenticationRequiredError
from booking.models import User
from booking.services.people import authenticate

__all__ = ["actor", "now", "v1_blueprint"]

#: Where the API's version 1 lives.
V1 = "/api/v1"


def v1_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint of version 1 of the API, documented under ``description``."""
    return Blueprint(name, import_name, url_prefix=V1, description=description)


def actor() -> User:
    """The user whose bearer token came with this request, or a 401."""
    user: User | None = g.get("actor")
    if user is not None:
        return user
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequiredError("Send an API token: Authorization: Bearer <token>.")
    user = authenticate(token.strip())
    if user is None:
        raise AuthenticationRequiredError("The API token is not valid or has been revoked.")
    g.actor = user
    return user
