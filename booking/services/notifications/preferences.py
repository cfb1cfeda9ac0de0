"""What each person wants to hear about, and one-click unsubscribe from reminders.

Everyone hears everything until they switch a topic off (``/me/preferences`` or the
preferences page). A reminder's unsubscribe link holds a token signed with the
application's secret key, so switching reminders off needs no sign-in (RFC 8058); the
token names the person and the topic and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from booking.errors import NotFoundError
from booking.extensions import db
from booking.models import TOPICS, Preferences, User
from booking.services.core import transactional

_SALT = "booking.unsubscribe"


def get_preferences(user: User) -> dict[str, bool]:
    """``user``'s choice per topic."""
    row = db.session.get(Preferences, user.id)
    return {topic: True if row is None else bool(getattr(row, topic)) for topic in TOPICS}


def _set(user_id: int, changes: Mapping[str, bool], now: datetime) -> dict[str, bool]:
    row = db.session.get(Preferences, user_id, with_for_update=True)
    if row is None:
        row = Preferences(user_id=user_id, **dict.fromkeys(TOPICS, True))
        db.session.add(row)
    for topic, wanted in changes.items():
        if topic in TOPICS:
            setattr(row, topic, bool(wanted))
    row.updated_at = now
    return {topic: bool(getattr(row, topic)) for topic in TOPICS}


@transactional
def update_preferences(user: User, changes: Mapping[str, bool], now: datetime) -> dict[str, bool]:
    """Switch topics on or off for ``user``; their choice per topic afterwards."""
    return _set(user.id, changes, now)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int) -> str:
    """The token of ``user_id``'s link that switches their reminders off."""
    return str(_serializer().dumps({"user": user_id, "topic": "reminders"}))


def _read_token(token: str) -> tuple[int, str]:
    try:
        data = _serializer().loads(token)
    except BadSignature as error:
        raise NotFoundError("This unsubscribe link is not valid.") from error
    if not isinstance(data, dict) or data.get("topic") not in TOPICS:
        raise NotFoundError("This unsubscribe link is not valid.")
    user_id = data.get("user")
    if not isinstance(user_id, int) or db.session.get(User, user_id) is None:
        raise NotFoundError("This unsubscribe link is not valid.")
    return user_id, str(data["topic"])


def check_unsubscribe(token: str) -> str:
    """The topic ``token`` switches off (a 404 for a link that is not ours)."""
    return _read_token(token)[1]


@transactional
def unsubscribe(token: str, now: datetime) -> str:
    """Switch off the topic the link's token names; that topic."""
    user_id, topic = _read_token(token)
    _set(user_id, {topic: False}, now)
    return topic
