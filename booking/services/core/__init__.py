"""The shared kernel every area stands on: one transaction per use case, the audit trail, who
may see which booking, and the one SQL definition of overlapping and occupying time."""

from booking.services.core import audit
from booking.services.core.access import (
    require_booking_for,
    visible_booking,
    visible_bookings,
    visible_to,
)
from booking.services.core.audit_log import AuditFilter, AuditRow, read_audit
from booking.services.core.busy import busy_time
from booking.services.core.claims import (
    indexed_overlap,
    is_occupying,
    load_claims,
    lock_blocking_path,
    lock_blocking_path_ids,
    occupying,
    overlapping,
    related_bookings,
    spans_overlap,
    target_of,
)
from booking.services.core.neighbours import claims_and_lapsed_holds
from booking.services.core.spans import seconds_between, starting_within
from booking.services.core.statistics import refresh_statistics
from booking.services.core.transactions import read_alone, read_row, transactional

__all__ = [
    "AuditFilter",
    "AuditRow",
    "audit",
    "busy_time",
    "claims_and_lapsed_holds",
    "indexed_overlap",
    "is_occupying",
    "load_claims",
    "lock_blocking_path",
    "lock_blocking_path_ids",
    "occupying",
    "overlapping",
    "read_alone",
    "read_audit",
    "read_row",
    "refresh_statistics",
    "related_bookings",
    "require_booking_for",
    "seconds_between",
    "spans_overlap",
    "starting_within",
    "target_of",
    "transactional",
    "visible_booking",
    "visible_bookings",
    "visible_to",
]
