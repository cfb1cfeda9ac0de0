"""Data protection: everything held about one person, and erasing it.

An export is every row that is about the person or that they made, as JSON, except
secrets (password and token hashes, feed salts): who they are, their bookings and series
(booked for or by them), visitors they invited, their waitlist, certifications, e-mail
preferences and the messages sent to them (subjects), their tokens, the changes they made,
failed sign-ins and password links. Erasure replaces who they are with a pseudonym
(``Erased user 12``, ``erased-12@erased.invalid``), removes their password, tokens, feed
key, preferences, certifications, waitlist, password links, failed sign-ins and the
messages not yet sent to them, blanks the ones sent, and clears the titles and notes of
their bookings; the bookings themselves (times, resource, tenant,
cost code, status) stay for the accounts and the reports. Someone with bookings still to
come is not erased until those are cancelled. Both are recorded in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, or_, select, update

from booking.access import require
from booking.errors import StateConflictError
from booking.extensions import db
from booking.models import (
    OCCUPYING,
    AccountEvent,
    ApiToken,
    Booking,
    BookingEvent,
    Certification,
    FeedKey,
    Notification,
    PasswordReset,
    Preferences,
    Series,
    SignInAttempt,
    User,
    Visitor,
    WaitlistEntry,
)
from booking.services.core import transactional
from booking.services.people.auth import self_or_by_admin
from booking.services.people.users import get_user

#: Columns never exported: they would let someone act as the person.
SECRETS = frozenset({"password_hash", "digest", "salt", "payload"})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _rows(model: Any, condition: Any) -> list[dict[str, Any]]:
    keys = [a.key for a in inspect(model).column_attrs if a.key not in SECRETS]
    found = db.session.scalars(select(model).where(condition))
    return [{key: _plain(getattr(row, key)) for key in keys} for row in found]


def _sections(user: User) -> dict[str, tuple[Any, Any]]:
    uid = user.id
    return {
        "bookings": (Booking, or_(Booking.user_id == uid, Booking.booked_by_id == uid)),
        "series": (Series, or_(Series.user_id == uid, Series.booked_by_id == uid)),
        "visitors_invited": (Visitor, or_(Visitor.host_id == uid, Visitor.registered_by_id == uid)),
        "waitlist": (WaitlistEntry, WaitlistEntry.user_id == uid),
        "certifications": (Certification, Certification.user_id == uid),
        "email_preferences": (Preferences, Preferences.user_id == uid),
        "messages": (Notification, Notification.user_id == uid),
        "api_tokens": (ApiToken, ApiToken.user_id == uid),
        "calendar_feed": (FeedKey, FeedKey.user_id == uid),
        "changes_made": (BookingEvent, BookingEvent.actor_id == uid),
        "account_events": (AccountEvent, AccountEvent.user_id == uid),
        "failed_sign_ins": (SignInAttempt, SignInAttempt.email == user.email),
        "password_links": (PasswordReset, PasswordReset.user_id == uid),
    }


@transactional
def export_person(actor: User, user_id: int, now: datetime) -> dict[str, Any]:
    """Everything held about ``user_id`` (the person themselves, or an admin)."""
    user = self_or_by_admin(actor, user_id, "exports personal data")
    exported: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "person": _rows(User, User.id == user.id)[0],
    }
    exported["person"]["tenant"] = user.tenant.name if user.tenant else None
    for name, (model, condition) in _sections(user).items():
        exported[name] = _rows(model, condition)
    db.session.add(AccountEvent(user_id=user.id, actor_id=actor.id, at=now, action="exported",
                                details={"sections": len(exported) - 2}))  # fmt: skip
    return exported


@transactional
def erase_person(actor: User, user_id: int, now: datetime) -> User:
    """Pseudonymise ``user_id`` (admins), keeping their bookings for the accounts."""
    require(actor, "manage_people", "erase personal data")
    user = get_user(user_id)
    if user.id == actor.id:
        raise StateConflictError("An administrator cannot erase their own account.")
    ahead = select(Booking.id).where(
        Booking.user_id == user.id, Booking.end > now, Booking.status.in_(OCCUPYING)
    )
    if (count := len(db.session.scalars(ahead).all())) > 0:
        raise StateConflictError(
            f"{user.name} has {count} booking{'s' if count != 1 else ''} still to come: "
            "cancel them (or book them for someone else) first."
        )
    old_email = user.email
    user.name, user.email = f"Erased user {user.id}", f"erased-{user.id}@erased.invalid"
    user.password_hash = None
    user.session_version = (user.session_version or 0) + 1
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )  # fmt: skip
    for model, condition in (
        (FeedKey, FeedKey.user_id == user.id),
        (Preferences, Preferences.user_id == user.id),
        (Certification, Certification.user_id == user.id),
        (PasswordReset, PasswordReset.user_id == user.id),
        (SignInAttempt, SignInAttempt.email == old_email),
        (WaitlistEntry, WaitlistEntry.user_id == user.id),
    ):
        db.session.execute(delete(model).where(condition))
    for booked in (Booking, Series):
        db.session.execute(
            update(booked).where(booked.user_id == user.id).values(title="Booking", notes=None)
        )
    mail = Notification.user_id == user.id
    db.session.execute(delete(Notification).where(mail, Notification.status != "sent"))
    db.session.execute(update(Notification).where(mail).values(to_address=user.email, payload={}))
    db.session.add(AccountEvent(user_id=user.id, actor_id=actor.id, at=now, action="erased",
                                details={}))  # fmt: skip
    return user
