"""Tenants, the people who book, and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.access import ROLES
from booking.database import UTCDateTime
from booking.extensions import Model

#: The sectors a tenant belongs to, as the UK Shared Prosperity Fund counts them.
SECTORS = ("nhs", "university", "private", "public", "third_sector")

__all__ = [
    "ROLES",
    "SECTORS",
    "ApiToken",
    "FeedKey",
    "FeedState",
    "SignInAttempt",
    "Tenant",
    "User",
]


class Tenant(Model):
    """A company or team renting space in the centre."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Who the tenant is, as the funder counts organisations supported.
    sector: Mapped[str] = mapped_column(
        Enum(*SECTORS, name="sector", native_enum=False),
        default="private",
        server_default=text("'private'"),
    )
    #: Which of a resource's ``rates`` it pays (``standard`` unless an admin says).
    rate_tier: Mapped[str] = mapped_column(
        String(40), default="standard", server_default=text("'standard'")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Model):
    """A person with one role; tenant roles belong to exactly one tenant."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(Enum(*ROLES, name="role", native_enum=False))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Raised to end every signed-in session of this person (sign-out, a new password).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set while the person may not sign in or use the API (someone who has left).
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tenant: Mapped[Tenant | None] = relationship()


class ApiToken(Model):
    """A bearer token; only its SHA-256 digest is stored, so a leak of the table is harmless."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class FeedKey(Model):
    """What a user's calendar feed URLs are made from; only the secret's SHA-256 digest
    is stored. The secret itself is an HMAC of the user and ``salt`` under the
    application's secret key, so the API can show the URLs again without storing them.

    One per user: rotating it draws a new salt, so every old feed URL stops working.
    """

    __tablename__ = "feed_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedState(Model):
    """The content a feed last had (its ETag) and since when: its ``Last-Modified``.

    Shared by every worker, so each answers the same validators for the same content.
    """

    __tablename__ = "feed_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Which feed: ``mine:<user>``, ``tenant:<user>`` or ``resource:<user>:<resource>``.
    feed: Mapped[str] = mapped_column(String(100), unique=True)
    etag: Mapped[str] = mapped_column(String(100))
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInAttempt(Model):
    """A failed sign-in to the web pages, kept to slow down password guessing."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class PasswordReset(Model):
    """A one-time link to set a password: from "forgotten password", or an invitation.

    Only the SHA-256 of the link's secret is kept; the link works once, until
    ``expires_at``.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: ``reset`` (asked for) or ``invitation`` (a new user's first password).
    purpose: Mapped[str] = mapped_column(String(20), default="reset")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountEvent(Model):
    """Something done to a person's account that the audit log keeps: their data
    exported or erased. ``actor_id`` is who did it."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
