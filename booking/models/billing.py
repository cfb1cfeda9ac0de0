"""Closed months and the charge lines frozen in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model

__all__ = ["BillingPeriod", "ChargeLine"]


class BillingPeriod(Model):
    """A month whose charges are closed: its lines are frozen in ``charge_lines``."""

    __tablename__ = "billing_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``YYYY-MM``, a month of the site's calendar.
    month: Mapped[str] = mapped_column(String(7), unique=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ChargeLine(Model):
    """One frozen invoice line: a booking's charge in the month it was closed in, or an
    adjustment (``adjustment``) to a booking of an earlier closed month that changed.

    A booking's charge as the accounts know it is the sum of its frozen lines."""

    __tablename__ = "charge_lines"
    __table_args__ = (
        Index("ix_charge_lines_month", "month", "tenant_id"),
        Index("ix_charge_lines_booking", "booking_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    cost_code: Mapped[str | None] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime())
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime())
    reason: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    rate: Mapped[int] = mapped_column(Integer)
    percent: Mapped[int] = mapped_column(Integer)
    #: Pence; an adjustment may be negative.
    amount: Mapped[int] = mapped_column(Integer)
    adjustment: Mapped[bool] = mapped_column(Boolean, default=False)
