"""Visitors: people a tenant (or reception) expects, signed in and out at the front desk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model

#: ``expected`` pre-registered; ``arrived`` signed in at reception; ``left`` signed out;
#: ``cancelled`` not coming after all.
VISITOR_STATUSES = ("expected", "arrived", "left", "cancelled")


class Visitor(Model):
    """Someone visiting ``host_id`` (of ``tenant_id``), perhaps for a booking.

    ``[visitors] keep_days`` after the visit the name, e-mail and organisation are
    erased (``erased_at``); the row stays, so visits can still be counted.
    """

    __tablename__ = "visitors"
    __table_args__ = (
        CheckConstraint(
            "leaves_at IS NULL OR expected_at < leaves_at", name="arrives_before_leaving"
        ),
        Index("ix_visitors_day", "expected_at", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    organisation: Mapped[str | None] = mapped_column(String(200))
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    expected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leaves_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(
        Enum(*VISITOR_STATUSES, name="visitor_status", native_enum=False), default="expected"
    )
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    briefed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
