"""The mail outbox and each person's choice of what they hear about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model

#: ``queued`` waits for ``next_attempt_at``; ``sending`` is claimed by one sender until
#: ``lease_until``; ``sent`` and ``failed`` are final (a failed one can be queued again).
DELIVERY_STATUSES = ("queued", "sending", "sent", "failed")
#: What a person may choose not to hear about (all on by default).
TOPICS = ("confirmations", "changes", "reminders", "approvals", "waitlist", "visitors")


class Notification(Model):
    """One message to one address, written in the transaction of the change it reports.

    ``payload`` is everything the message says, fixed when it was written (times,
    places, the reason, the invitation's iCalendar text); the sender renders it, so a
    template that fails fails that message alone, visibly, and can be retried.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # What the sender claims next: due messages in order.
        Index(
            "ix_notifications_due",
            "next_attempt_at",
            sqlite_where=text("status = 'queued'"),
            postgresql_where=text("status = 'queued'"),
        ),
        Index(
            "ix_notifications_leased",
            "lease_until",
            sqlite_where=text("status = 'sending'"),
            postgresql_where=text("status = 'sending'"),
        ),
        Index("ix_notifications_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    booking_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(
        Enum(*DELIVERY_STATUSES, name="delivery_status", native_enum=False), default="queued"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxEvent(Model):
    """What happened to bookings, written in the transaction of the change: the sender
    turns each into one ``Notification`` per person who should hear of it.

    ``data`` holds the event's fields and a snapshot of each booking as the change
    left it (times, status, SEQUENCE), so what people read is what happened even when
    the booking changes again before the sender runs.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_waiting",
            "id",
            sqlite_where=text("expanded_at IS NULL"),
            postgresql_where=text("expanded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the sender wrote its messages; ``None`` until then.
    expanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Preferences(Model):
    """What one person wants to hear about; a person with no row hears everything."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    confirmations: Mapped[bool] = mapped_column(Boolean, default=True)
    changes: Mapped[bool] = mapped_column(Boolean, default=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    approvals: Mapped[bool] = mapped_column(Boolean, default=True)
    waitlist: Mapped[bool] = mapped_column(Boolean, default=True)
    visitors: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
