"""API tokens: issued at random, stored as digests, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, select

from booking.access import can
from booking.errors import NotFoundError, PermissionDeniedError, StateConflictError
from booking.extensions import db
from booking.models import ApiToken, User
from booking.services.core import transactional

TOKEN_PREFIX = "hwic_"


def digest(raw: str) -> str:
    """The stored form of a token: its SHA-256, so the table never holds a usable token."""
    return hashlib.sha256(raw.encode()).hexdigest()


#: Every API request runs this query, so it is built once, with its value a parameter.
_TOKEN_OWNER = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"), ApiToken.revoked_at.is_(None))
)


def authenticate(raw: str) -> User | None:
    """The user a live token belongs to, or ``None``."""
    return db.session.scalar(_TOKEN_OWNER, {"digest": digest(raw)})


def _new_token(user: User, now: datetime) -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    token = ApiToken(user_id=user.id, digest=digest(raw), created_at=now)
    db.session.add(token)
    db.session.flush()
    return token, raw


def self_or_by_admin(actor: User, user_id: int, doing: str) -> User:
    """The user ``user_id`` when ``actor`` is them or an admin. The centre's other staff
    are refused (403); to anyone else, nobody else exists (404)."""
    user = db.session.get(User, user_id)
    if user is None or (user.id != actor.id and not can(actor, "see_all")):
        raise NotFoundError("No such user.")
    if user.id != actor.id and not can(actor, "manage_people"):
        raise PermissionDeniedError(f"Only an administrator {doing} for someone else.")
    return user


@transactional
def issue_token(actor: User, user_id: int, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; admins may issue for anyone, others for themselves."""
    user = self_or_by_admin(actor, user_id, "issues tokens")
    if user.deactivated_at is not None:
        raise StateConflictError(f"{user.name} is deactivated: activate them first.")
    return _new_token(user, now)


def tokens_of(user: User) -> list[ApiToken]:
    """A person's own tokens, newest first (what they are is never shown again)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


@transactional
def issue_token_for_email(email: str, now: datetime) -> str:
    """A new token for the user with ``email`` (for the command line)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"No user with e-mail {email}.")
    return _new_token(user, now)[1]


@transactional
def revoke_token(actor: User, token_id: int, now: datetime) -> None:
    """Revoke a token: its owner or an admin may; to anyone else it does not exist."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not can(actor, "manage_people")):
        raise NotFoundError("No such token.")
    if token.revoked_at is None:
        token.revoked_at = now
