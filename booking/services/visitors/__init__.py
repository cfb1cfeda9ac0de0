"""Visitors: told of by their hosts, signed in and out at reception (the lab's safety
briefing where it is needed), their hosts told, counted, and erased after a while."""

from booking.services.visitors.desk import (
    ERASED,
    Meeting,
    arrive,
    cancel_visit,
    get_visitor,
    leave,
    list_visitors,
    meetings,
    present,
    purge_visitors,
    visitor_counts,
)
from booking.services.visitors.registering import (
    VisitorDraft,
    register_visitor,
    register_visitors,
    visible_visitors,
)
from booking.services.visitors.signing import briefing_for

__all__ = [
    "ERASED",
    "VisitorDraft",
    "arrive",
    "briefing_for",
    "cancel_visit",
    "get_visitor",
    "leave",
    "list_visitors",
    "Meeting",
    "meetings",
    "present",
    "purge_visitors",
    "register_visitor",
    "register_visitors",
    "visible_visitors",
    "visitor_counts",
]
