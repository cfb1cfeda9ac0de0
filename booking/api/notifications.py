"""Notification preferences (everyone) and the outbox (facility managers, admins)."""

from typing import Any

from booking.api.context import actor, now, v1_blueprint
from booking.models import Notification
from booking.schemas.notifications import (
    NotificationQuerySchema,
    NotificationSchema,
    PreferencesSchema,
)
from booking.services import notifications

blp = v1_blueprint("notifications", __name__, "E-mail notifications")


@blp.get("/me/preferences")
@blp.response(200, PreferencesSchema())
def get_preferences() -> dict[str, bool]:
    """What the caller hears about: each topic on or off."""
    return notifications.get_preferences(actor())


@blp.patch("/me/preferences")
@blp.arguments(PreferencesSchema())
@blp.response(200, PreferencesSchema())
def update_preferences(data: dict[str, bool]) -> dict[str, bool]:
    """Switch topics on or off; those not named stay as they are."""
    return notifications.update_preferences(actor(), data, now())


@blp.get("/notifications")
@blp.arguments(NotificationQuerySchema(), location="query")
@blp.response(200, NotificationSchema(many=True))
def list_notifications(query: dict[str, Any]) -> list[Notification]:
    """The outbox, newest first (facility managers, admins)."""
    return notifications.list_notifications(actor(), notifications.OutboxQuery(**query))


@blp.post("/notifications/<id:notification_id>/retry")
@blp.response(200, NotificationSchema())
def retry_notification(notification_id: int) -> Notification:
    """Queue a failed message again (facility managers, admins)."""
    return notifications.retry_notification(actor(), notification_id, now())
