"""Recurring bookings: a series is a rule and a first occurrence; each occurrence is a booking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model


class Series(Model):
    """A recurring booking: ``rule`` (a canonical RFC 5545 RRULE) from the first occurrence
    ``[start, end)``, expanded in the site's local time.

    Its occurrences are bookings with ``series_id`` and ``recurrence_id`` (the start the
    rule gave the occurrence, which stays its identity when it is moved). ``exdates``
    holds the starts the booker left out, as UTC ISO 8601 text.
    """

    __tablename__ = "series"
    __table_args__ = (CheckConstraint("start_at < end_at", name="starts_before_end"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    rule: Mapped[str] = mapped_column(String(500))
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime())
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime())
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    cost_code: Mapped[str | None] = mapped_column(String(100))
    attendees: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
