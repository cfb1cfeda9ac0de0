"""Displays and codes: screens by the rooms (opened by secret URLs, polled cheaply), the
page a resource's QR code opens, labels to print, and the kiosk's check-in codes."""

from booking.services.displays.codes import (
    CheckedIn,
    Label,
    booking_of_code,
    check_in_by_code,
    check_in_code,
    door_path,
    labels,
    labels_for,
    qr_svg,
    read_code,
    visitor_code,
)
from booking.services.displays.day import Day, Slot, day_of, display_day
from booking.services.displays.door import Choice, Door, book_at_the_door, door
from booking.services.displays.screens import (
    NewDisplay,
    Poll,
    list_displays,
    open_display,
    register_display,
    revoke_display,
)

__all__ = [
    "CheckedIn",
    "Choice",
    "Day",
    "Door",
    "Label",
    "NewDisplay",
    "Poll",
    "Slot",
    "book_at_the_door",
    "booking_of_code",
    "check_in_by_code",
    "check_in_code",
    "day_of",
    "display_day",
    "door",
    "door_path",
    "labels",
    "labels_for",
    "list_displays",
    "open_display",
    "qr_svg",
    "read_code",
    "visitor_code",
    "register_display",
    "revoke_display",
]
