"""Reservations: booking, changing, cancelling, series, holds, approvals, check-in and
check-out; the judging that refuses a clash or a broken rule, and the alternatives offered;
the waitlist, which is handed freed time in the transaction that frees it."""

from booking.services.reservations.approvals import approve_booking, expire_pending, reject_booking
from booking.services.reservations.attendance import (
    check_in,
    check_in_from,
    check_out,
    complete_checked_in,
    release_no_shows,
    walk_in_start,
)
from booking.services.reservations.booking_changes import (
    cancel_booking,
    confirm_booking,
    update_booking,
)
from booking.services.reservations.bookings import (
    BookingDraft,
    BookingQuery,
    create_booking,
    get_booking,
    list_bookings,
    preview_booking,
)
from booking.services.reservations.holds import expire_holds
from booking.services.reservations.new_bookings import opening_status
from booking.services.reservations.series import (
    SeriesDraft,
    add_occurrence,
    create_series,
    get_series,
)
from booking.services.reservations.series_changes import cancel_series, update_series
from booking.services.reservations.series_dates import SeriesView, stored_expansion
from booking.services.reservations.waitlist import hand_over
from booking.services.reservations.waitlist_line import (
    Place,
    get_entry,
    join_waitlist,
    leave_waitlist,
    list_entries,
)

__all__ = [
    "BookingDraft",
    "BookingQuery",
    "SeriesDraft",
    "SeriesView",
    "add_occurrence",
    "approve_booking",
    "cancel_booking",
    "cancel_series",
    "check_in",
    "check_in_from",
    "check_out",
    "complete_checked_in",
    "confirm_booking",
    "create_booking",
    "create_series",
    "expire_holds",
    "hand_over",
    "Place",
    "get_entry",
    "join_waitlist",
    "leave_waitlist",
    "list_entries",
    "expire_pending",
    "get_booking",
    "get_series",
    "list_bookings",
    "opening_status",
    "preview_booking",
    "reject_booking",
    "release_no_shows",
    "stored_expansion",
    "update_booking",
    "update_series",
    "walk_in_start",
]
