"""What every view needs from the request: the authenticated caller and the time."""

from __future__ import annotations

from flask import g, request

from booking.clock import now
from booking.errors import AuthenticationRequiredError
from booking.models import User
from booking.services.auth import authenticate

__all__ = ["actor", "now"]


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
