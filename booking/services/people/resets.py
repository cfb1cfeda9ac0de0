"""Setting one's own password: changing it, and a one-time link by e-mail for a forgotten
one or a new user's first.

Asking for a link answers the same whether or not the address is known (the mail goes
only to a known one), so nobody learns who has an account. A link holds 32 random bytes;
only their SHA-256 is stored. It works once, within an hour (an invitation's within
seven days), and setting a password with it ends every signed-in session and voids the
person's other links. At most ``MOST_LINKS`` links an hour are mailed to one person.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from booking.errors import DomainError, InvalidFieldsError
from booking.events import PasswordLinkMade, publish
from booking.extensions import db
from booking.models import PasswordReset, User
from booking.services.core import transactional
from booking.services.people.auth import digest
from booking.services.people.passwords import set_password_now

RESET_FOR = timedelta(hours=1)
INVITATION_FOR = timedelta(days=7)
MOST_LINKS = 3
LinkPurpose = Literal["password_reset", "invitation"]


class ResetLinkError(DomainError):
    status, code, title = 410, "reset_link_invalid", "This link no longer works"


def _send_link(user: User, purpose: LinkPurpose, now: datetime) -> None:
    """Make a one-time secret for ``user`` (its digest stored) and have it mailed."""
    raw = secrets.token_urlsafe(32)
    lasts = INVITATION_FOR if purpose == "invitation" else RESET_FOR
    db.session.add(
        PasswordReset(user_id=user.id, digest=digest(raw), purpose=purpose, created_at=now,
                      expires_at=now + lasts)
    )  # fmt: skip
    mailed = PasswordLinkMade(
        actor_id=None, at=now, user_id=user.id, purpose=purpose, secret=raw, lasts=lasts
    )
    publish(mailed)


@transactional
def request_reset(email: str, now: datetime) -> None:
    """Mail a link to set a new password to ``email``'s owner, if there is one."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.deactivated_at is not None:
        return
    recent = select(func.count()).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - RESET_FOR
    )
    if (db.session.scalar(recent) or 0) >= MOST_LINKS:
        return  # enough links are on their way; the answer stays the same
    _send_link(user, "password_reset", now)


def invite(user: User, now: datetime) -> None:
    """Mail a new user a link to set their first password (in the caller's transaction)."""
    _send_link(user, "invitation", now)


def _valid(raw: str, now: datetime) -> PasswordReset:
    found = db.session.scalar(select(PasswordReset).where(PasswordReset.digest == digest(raw)))
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise ResetLinkError(
            "This link has been used, has run out or was never ours. Ask for a new one."
        )
    return found


def _owner(link: PasswordReset) -> User:
    user = db.session.get(User, link.user_id)
    if user is None or user.deactivated_at is not None:
        raise ResetLinkError("This account is no longer in use.")
    return user


def check_reset_link(raw: str, now: datetime) -> User:
    """Whose link ``raw`` is, while it still works; otherwise a 410."""
    return _owner(_valid(raw, now))


@transactional
def reset_password(raw: str, password: str, now: datetime) -> User:
    """Set the password of the link's owner, once; their sessions and other links end."""
    user = _owner(_valid(raw, now))
    set_password_now(user, password)
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    return user


@transactional
def change_password(user_id: int, current: str, new: str) -> User:
    """Change one's own password, given the current one; other sessions end."""
    user = db.session.get(User, user_id)
    assert user is not None
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise InvalidFieldsError({"current": ["That is not your current password."]})
    if current == new:
        raise InvalidFieldsError({"new": ["Choose a password you have not been using."]})
    set_password_now(user, new, field="new")
    return user
