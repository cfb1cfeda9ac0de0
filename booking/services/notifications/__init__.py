"""Notifications: e-mail that people and calendar apps act on.

Every booking event is recorded in the transaction of the change (``recording``); the
``send-notifications`` job turns each record into messages (``writing``: who hears what
is ``audience``, what they read is ``composing``), writes due reminders (``reminders``)
and delivers everything (``delivery``) from the outbox (``outbox``); ``preferences``
holds what each person wants to hear. Other areas use only the names below.
"""

from booking.services.notifications import account as _account  # noqa: F401 - subscribes
from booking.services.notifications import recording as _recording  # noqa: F401 - subscribes
from booking.services.notifications import training as _training  # noqa: F401 - subscribes
from booking.services.notifications import visits as _visits  # noqa: F401 - subscribes
from booking.services.notifications.delivery import send_notifications
from booking.services.notifications.outbox import (
    OutboxQuery,
    list_notifications,
    retry_notification,
)
from booking.services.notifications.preferences import (
    check_unsubscribe,
    get_preferences,
    unsubscribe,
    update_preferences,
)

__all__ = [
    "OutboxQuery",
    "check_unsubscribe",
    "get_preferences",
    "list_notifications",
    "retry_notification",
    "send_notifications",
    "unsubscribe",
    "update_preferences",
]
