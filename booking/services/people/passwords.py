"""Passwords for the web pages: set from the command line, checked at sign-in.

Passwords are hashed with Werkzeug (scrypt). After ``MAX_FAILURES`` failed sign-ins for
one e-mail address within ``LOCKOUT``, further attempts are refused until the oldest of
them is that old, whether or not the password is right, so guessing is slow.
"""

from __future__ import annotations

import functools
import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from booking.errors import DomainError, InvalidFieldsError, NotFoundError
from booking.extensions import db
from booking.models import SignInAttempt, User
from booking.services.core import transactional

MIN_LENGTH = 8
#: Hashing has a cost per character; nobody types more.
MAX_LENGTH = 1000
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


class SignInRefusedError(DomainError):
    status, code, title = 401, "sign_in_failed", "Sign-in failed"


class TooManyAttemptsError(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many sign-in attempts"


def _normal(email: str) -> str:
    return email.strip().lower()


def set_password_now(user: User, password: str, field: str = "password") -> None:
    """Give ``user`` ``password`` in the current transaction; it ends every session
    signed in with the old one. A refusal names ``field``."""
    if len(password) < MIN_LENGTH:
        raise InvalidFieldsError({field: [f"Use at least {MIN_LENGTH} characters."]})
    if len(password) > MAX_LENGTH:
        raise InvalidFieldsError({field: [f"Use at most {MAX_LENGTH} characters."]})
    user.password_hash = generate_password_hash(password)
    user.session_version = (user.session_version or 0) + 1


@transactional
def end_sessions(user_id: int) -> None:
    """End every signed-in session of ``user_id``, on every browser (signing out)."""
    db.session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


@functools.cache
def _stand_in_hash() -> str:
    """A hash checked when there is no real one, so an unknown address takes as long
    to refuse as a wrong password (no telling which addresses exist)."""
    return generate_password_hash(secrets.token_urlsafe(16))


@transactional
def set_password(email: str, password: str) -> User:
    """Set the password of the user with ``email`` (for the command line)."""
    user = db.session.scalar(select(User).where(User.email == _normal(email)))
    if user is None:
        raise NotFoundError(f"No user with e-mail {email}.")
    set_password_now(user, password)
    return user


@transactional
def sign_in(email: str, password: str, now: datetime) -> User:
    """The user whose e-mail and password these are, or a refusal that does not say
    which was wrong; too many failures in a row lock the address for a while."""
    address = _normal(email)
    recent = select(func.count(), func.min(SignInAttempt.at)).where(
        SignInAttempt.email == address, SignInAttempt.at > now - LOCKOUT
    )
    failures, oldest = db.session.execute(recent).one()
    if failures >= MAX_FAILURES:
        minutes = max(1, math.ceil((oldest + LOCKOUT - now).total_seconds() / 60))
        raise TooManyAttemptsError(
            f"Too many failed sign-ins for this address. Try again in {minutes} minutes."
        )
    user = db.session.scalar(select(User).where(User.email == address))
    stored = user.password_hash if user is not None else None
    # a stand-in is checked where there is no password, so a refusal takes as long
    matches = check_password_hash(stored or _stand_in_hash(), password)
    if user is None or not stored or not matches or user.deactivated_at is not None:
        db.session.add(SignInAttempt(email=address, at=now))
        # the refusal is the answer; the failure must still be counted
        db.session.commit()
        raise SignInRefusedError("The e-mail address or the password is not right.")
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.email == address))
    return user
