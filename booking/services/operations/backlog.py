"""What the mail outbox still has to do, for monitoring (``/metrics``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Notification, OutboxEvent

#: The messages still to be delivered, or given up on (staff can queue them again).
UNFINISHED = ("queued", "sending", "failed")


@dataclass(frozen=True)
class Backlog:
    """Messages by unfinished status, changes not yet turned into messages, and how long
    the oldest queued message has waited."""

    messages: dict[str, int]
    events_waiting: int
    oldest_queued_seconds: float


def outbox_backlog(now: datetime) -> Backlog:
    """Read the backlog from the partial and status indexes (never the sent history)."""
    by_status = dict.fromkeys(UNFINISHED, 0)
    rows = db.session.execute(
        select(Notification.status, func.count())
        .where(Notification.status.in_(UNFINISHED))
        .group_by(Notification.status)
    )
    for status, count in rows:
        by_status[status] = count
    oldest = db.session.scalar(
        select(func.min(Notification.created_at)).where(Notification.status == "queued")
    )
    waiting = db.session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.expanded_at.is_(None))
    )
    db.session.rollback()  # a read: end the transaction it began
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(by_status, waiting or 0, age)
