"""The waitlist: people waiting for time that is booked, in the order they joined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model

#: ``waiting`` in line; ``offered`` a held booking is kept for them (``booking_id``);
#: ``booked`` they confirmed it; ``lapsed`` the offer ran out or was declined; ``expired``
#: the time came with no offer; ``left`` they left the line.
WAITLIST_STATUSES = ("waiting", "offered", "booked", "lapsed", "expired", "left")


class WaitlistEntry(Model):
    """Someone waiting for ``[start, end)`` of a resource."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="starts_before_end"),
        CheckConstraint("units >= 1", name="units_positive"),
        Index("ix_waitlist_entries_line", "status", "resource_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime())
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime())
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    cost_code: Mapped[str | None] = mapped_column(String(100))
    attendees: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(
        Enum(*WAITLIST_STATUSES, name="waitlist_status", native_enum=False), default="waiting"
    )
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
