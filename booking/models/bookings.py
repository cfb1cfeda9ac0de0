"""Bookings and their audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model

STATUSES = (
    "held",
    "pending",
    "confirmed",
    "checked_in",
    "completed",
    "no_show",
    "cancelled",
    "rejected",
    "expired",
)
#: Statuses whose bookings hold their time; the others have freed it. A ``held`` booking
#: holds it only until ``hold_expires_at`` (see ``booking.services.claims.occupying``).
OCCUPYING = ("held", "pending", "confirmed", "checked_in")
_OCCUPYING_SQL = ", ".join(f"'{status}'" for status in OCCUPYING)


#: Every column the reports read of the bookings that start in a period, in one index.
REPORT_COLUMNS = (
    "start_at", "status", "resource_id", "tenant_id", "user_id", "units", "end_at",
    "booked_end", "checked_in_at", "checked_out_at", "late_cancellation", "cost_code",
)  # fmt: skip
#: The same, led by the resource: a report grouped by resource reads each resource's
#: bookings in turn, already grouped, instead of sorting a year of them.
USAGE_INDEX = "ix_bookings_usage"
USAGE_COLUMNS = (
    "resource_id", "start_at", "status", "tenant_id", "user_id", "units", "end_at",
    "booked_end", "checked_in_at", "checked_out_at", "late_cancellation",
)  # fmt: skip


class Booking(Model):
    """A claim on a resource for ``[start, end)``.

    ``occupied_start``/``occupied_end`` are the time the booking actually holds (the
    booking plus any buffers); conflicts are judged on them. ``exclusive`` marks a
    booking of a single-unit resource: on PostgreSQL an exclusion constraint makes
    overlapping exclusive bookings of one resource impossible, whatever the code does.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="starts_before_end"),
        CheckConstraint(
            "occupied_start <= start_at AND end_at <= occupied_end", name="occupies_booking"
        ),
        CheckConstraint("units >= 1", name="units_positive"),
        Index("ix_bookings_resource_time", "resource_id", "occupied_start", "occupied_end"),
        Index("ix_bookings_time", "occupied_start", "occupied_end"),
        Index("ix_bookings_series", "series_id", "recurrence_id"),
        # Reports and charges take the bookings that start in a period, and read these
        # columns of them: answered from the index alone, never the table.
        Index("ix_bookings_report", *REPORT_COLUMNS),
        Index(USAGE_INDEX, *USAGE_COLUMNS),
        # A calendar feed's version is the latest change among the bookings it draws on
        # (see booking.services.feeds.content_version): answered from these indexes.
        Index("ix_bookings_user_changed", "user_id", "updated_at"),
        Index("ix_bookings_tenant_changed", "tenant_id", "updated_at"),
        Index("ix_bookings_resource_changed", "resource_id", "updated_at"),
        # A display's version: the bookings of its resource not yet over (those that
        # ended are never shown again), their latest change and number, from the index.
        Index("ix_bookings_resource_ends", "resource_id", "occupied_end", "updated_at"),
        # The jobs and the roll-call look for the few bookings in one of these states.
        *(
            Index(
                f"ix_bookings_{status}",
                column,
                sqlite_where=text(f"status = '{status}'"),
                postgresql_where=text(f"status = '{status}'"),
            )
            for status, column in (
                ("held", "hold_expires_at"),
                ("pending", "approval_due_at"),
                ("checked_in", "end_at"),
            )
        ),
        Index(
            "ix_bookings_remind_at",
            "remind_at",
            sqlite_where=text("remind_at IS NOT NULL"),
            postgresql_where=text("remind_at IS NOT NULL"),
        ),
        # Answers "which bookings are near this window" (see claims.indexed_overlap);
        # SQLite's counterpart is an R*Tree, made by migration 0002.
        Index(
            "ix_bookings_occupied_range",
            func.tstzrange(text("occupied_start"), text("occupied_end"), text("'[)'")),
            postgresql_using="gist",
        ).ddl_if(dialect="postgresql"),
        ExcludeConstraint(
            (text("resource_id"), "="),
            (func.tstzrange(text("occupied_start"), text("occupied_end"), "[)"), "&&"),
            name="bookings_no_overlap",
            using="gist",
            where=text(f"exclusive AND status IN ({_OCCUPYING_SQL})"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    #: The series this booking is an occurrence of (no foreign key: see migration 0004).
    series_id: Mapped[int | None] = mapped_column(Integer)
    #: For an occurrence, the start its series' rule gave it (RFC 5545 RECURRENCE-ID).
    recurrence_id: Mapped[datetime | None] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    attendees: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer, default=1)
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime())
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime())
    occupied_start: Mapped[datetime] = mapped_column(UTCDateTime())
    occupied_end: Mapped[datetime] = mapped_column(UTCDateTime())
    exclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(
        Enum(*STATUSES, name="booking_status", native_enum=False), default="confirmed"
    )
    #: Why a booking was approved or rejected, shown to its booker.
    status_reason: Mapped[str | None] = mapped_column(String(500))
    #: A held booking stops occupying its time at this instant unless confirmed.
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A pending booking not approved by this instant expires (the ``expire-pending`` job).
    approval_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The end as booked, kept when an early check-out cut ``end`` back.
    booked_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When its reminder is due (``mail.reminder_before`` its start); cleared once the
    #: reminder is written, set again when the booking moves.
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A purchase order, grant or budget code its booker gives, carried to the charges.
    cost_code: Mapped[str | None] = mapped_column(String(100))
    #: When it was cancelled, and whether that was late under its resource's
    #: ``late_cancel_within`` then (judged once, at the cancellation).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Raised on every change of time, place or status (the iCalendar SEQUENCE); see
    #: ``booking.models.sequencing``.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookingEvent(Model):
    """One change to a booking: who made it, when, and the fields before and after."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    #: Who made the change; ``None`` for the service's own jobs (expiry, release).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
