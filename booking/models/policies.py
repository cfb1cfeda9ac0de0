"""What the booking rules read besides the catalogue: closures and people's certifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model


class Closure(Model):
    """A stretch when a resource and everything below it, or the whole site
    (``resource_id`` null), cannot be booked."""

    __tablename__ = "closures"
    __allow_unmapped__ = True  # for ``affected_bookings``, worked out when it is made
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="starts_before_end"),
        Index("ix_closures_time", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime())
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: For a closure imported from iCalendar: the event's UID and occurrence, so that
    #: importing the same file again finds it instead of adding it twice.
    import_uid: Mapped[str | None] = mapped_column(String(600), index=True)

    #: Open bookings inside the closure, listed when it is created.
    affected_bookings: list[Any] | None = None


class Certification(Model):
    """A person's training for equipment that requires it, valid through ``expires_on``
    (a local date; null: no expiry)."""

    __tablename__ = "certifications"
    __table_args__ = (UniqueConstraint("user_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    expires_on: Mapped[date | None] = mapped_column(Date)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingRequest(Model):
    """Someone asking for the training a resource requires (from its booking form); the
    facility managers are told, and granting the certification answers it."""

    __tablename__ = "training_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the certification was granted (by anyone), which answers the request.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
