"""Pages for mail: what I hear about, one-click unsubscribe, and staff's failed messages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.access import can
from booking.clock import now
from booking.errors import DomainError
from booking.models import TOPICS
from booking.services import notifications
from booking.web.blueprint import blp
from booking.web.session import for_those_who_can, me, signed_in

#: The preferences page's words for each topic.
TOPIC_WORDS = {
    "confirmations": "My bookings confirmed or approved",
    "changes": "My bookings moved, changed, cancelled by someone else, rejected or released",
    "reminders": "A reminder the day before each booking",
    "approvals": "Bookings waiting for my approval",
    "waitlist": "Waitlist offers",
    "visitors": "My visitors arriving",
}

unsubscribing = Blueprint("unsubscribe", __name__)


@blp.route("/preferences", methods=["GET", "POST"])
@signed_in
def preferences() -> str | BaseResponse:
    """Choose which messages to receive."""
    if request.method == "POST":
        chosen = {topic: topic in request.form for topic in TOPICS if topic in TOPIC_WORDS}
        if not can(me(), "approve"):
            chosen.pop("approvals")  # not offered: left as it is
        notifications.update_preferences(me(), chosen, now())
        flash("Saved: you will hear about what is ticked.")
        return redirect(url_for("web.preferences"))
    current = notifications.get_preferences(me())
    return render_template("preferences.html", current=current, words=TOPIC_WORDS)


@unsubscribing.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int] | str:
    """A reminder's unsubscribe link: a GET asks (link checkers must not unsubscribe
    anyone); a POST, from the page or from the mail app (RFC 8058), switches off."""
    try:
        if request.method == "POST":
            topic = notifications.unsubscribe(token, now())
            return render_template("unsubscribe.html", topic=topic, done=True)
        topic = notifications.check_unsubscribe(token)
    except DomainError as refused:
        return render_template("error.html", title="Not found", message=refused.detail), 404
    return render_template("unsubscribe.html", topic=topic, done=False, token=token)


@blp.get("/staff/notifications")
@for_those_who_can("read_outbox")
def failed_notifications() -> str:
    """Messages that could not be delivered, newest first, to send again."""
    query = notifications.OutboxQuery(status="failed", limit=500)
    failed = notifications.list_notifications(me(), query)
    return render_template("staff/notifications.html", failed=failed)


@blp.post("/staff/notifications/<int:notification_id>/retry")
@for_those_who_can("read_outbox")
def retry(notification_id: int) -> BaseResponse:
    try:
        message = notifications.retry_notification(me(), notification_id, now())
        flash(f"Queued again: {message.subject} (to {message.to_address}).")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("web.failed_notifications"))
