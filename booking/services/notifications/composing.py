"""What a message about bookings says, fixed when the change happens.

Each message is a payload of plain values (the words and times the templates show, the
link, and the invitation's iCalendar text built by ``calendars.invitations`` from the
feeds' own events) plus a subject that says what happened and when:
"Confirmed: Wet Lab 1.10, Tue 9 Mar 10:00-12:00". Times are local, with their zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parseaddr
from typing import Any, Literal

from flask import current_app

from booking.models import Booking, Series
from booking.services.catalogue import Layout, site_zone
from booking.services.feeds import booking_event, ended_series_event, location_of, series_feed_event
from booking.services.notifications.audience import CANCELLING, Kind, Person
from calendars.feed import CANCELLED, FeedEvent, FeedSeries
from calendars.invitations import Address, build_invitation

#: What a subject says happened, per kind.
VERBS: dict[Kind, str] = {
    "confirmed": "Confirmed",
    "requested": "Awaiting approval",
    "approval_needed": "Approval needed",
    "changed": "Changed",
    "cancelled": "Cancelled",
    "rejected": "Rejected",
    "expired": "Not approved in time",
    "released": "Released as a no-show",
    "reminder": "Reminder",
    "offered": "Free for you",
    "visitor_arrived": "Your visitor is here",
    "password_reset": "Set a new password",
    "invitation": "Your account",
    "training_requested": "Training requested",
}
#: The first line of each kind's message; ``{asked_by}`` is whom a booking is for.
INTROS: dict[Kind, str] = {
    "confirmed": "Your booking is confirmed.",
    "requested": "Your request is waiting for approval by the centre's facility managers. "
    "We will write again when they decide.",
    "approval_needed": "A booking for {asked_by} is waiting for your approval.",
    "changed": "Your booking has changed. This is how it stands now.",
    "cancelled": "Your booking has been cancelled.",
    "rejected": "Your booking request was not approved, and its time is free again.",
    "expired": "Your booking request was not approved in time, so it has lapsed and its "
    "time is free again.",
    "released": "Nobody checked in for your booking in time, so it was released and its "
    "time is free again.",
    "reminder": "A reminder of your booking.",
    "offered": "Time you were waiting for has come free, and it is held for you. Confirm it "
    "on its page before the hold runs out, or it passes to the next person waiting.",
    "visitor_arrived": "Your visitor has signed in at reception.",
    "password_reset": "Someone (we hope you) asked to set a new password for your account. "
    "If it was not you, ignore this message: your password stays as it is.",
    "invitation": "You have an account for booking rooms, labs, desks and equipment at the "
    "centre. Choose your password to sign in.",
    "training_requested": "{asked_by} asks for training, to book equipment that requires it. "
    "Record their certification once they have it, and the request is answered.",
}
#: How many of a series' dates a message lists before "and N more".
LISTED_DATES = 12


@dataclass(frozen=True)
class Content:
    """One message's subject and payload, before it has a recipient."""

    subject: str
    payload: dict[str, Any]
    booking_id: int | None


def intro(kind: Kind, asked_by: str | None = None) -> str:
    """The sentence a message of ``kind`` opens with."""
    return INTROS[kind].format(asked_by=asked_by or "someone")


def site_url() -> str:
    """The address people reach the service at (``[site] url``), without a final slash;
    links in messages are built on it."""
    return str(current_app.config["SITE_URL"] or "http://localhost:5000").rstrip("/")


def centre() -> Address:
    """The centre as the sender and organiser of every message."""
    name, email = parseaddr(current_app.config["MAIL_SENDER"])
    return Address(name or current_app.config["SITE_NAME"], email)


def span_words(start: datetime, end: datetime, *, zone_name: bool = True, year: bool = True) -> str:
    """``Tue 9 Mar 2027, 10:00-12:00 GMT``: local times; the end's date where it differs."""
    zone = site_zone()
    first, last = start.astimezone(zone), end.astimezone(zone)
    day = f"{first:%a} {first.day} {first:%b}" + (f" {first.year}" if year else "")
    until = (
        f"{last:%H:%M}"
        if last.date() == first.date()
        else f"{last:%a} {last.day} {last:%b} {last:%H:%M}"
    )
    text = f"{day}{', ' if zone_name else ' '}{first:%H:%M}-{until}"
    return f"{text} {first.tzname()}" if zone_name else text


def instant_words(moment: datetime) -> str:
    """``Tue 9 Mar 2027, 10:00 GMT``: a local time with its zone."""
    local = moment.astimezone(site_zone())
    return f"{local:%a} {local.day} {local:%b} {local.year}, {local:%H:%M} {local.tzname()}"


def _facts(booking: Booking, layout: Layout) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "title": booking.title,
        "place": location_of(layout, booking.resource_id),
        "resource": layout.places[booking.resource_id].name,
        "when": span_words(booking.start, booking.end),
        "status": booking.status.replace("_", " "),
        "reason": booking.status_reason,
        "link": f"{site_url()}/bookings/{booking.id}",
        "confirm_by": (
            instant_words(booking.hold_expires_at)
            if booking.status == "held" and booking.hold_expires_at is not None
            else None
        ),
    }


def _cancelled(event: FeedEvent) -> FeedEvent:
    return replace(event, status=CANCELLED)


def _invitation(
    kind: Kind, recipient: Person, events: Sequence[FeedEvent], series: Sequence[FeedSeries]
) -> dict[str, str]:
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if kind in CANCELLING else "REQUEST"
    if method == "CANCEL":
        events = [_cancelled(e) for e in events]
        series = [replace(s, master=_cancelled(s.master), overrides=()) for s in series]
    attendee = Address(recipient.name, recipient.email)
    ics = build_invitation(method, site_zone(), centre(), attendee, events=events, series=series)
    return {"method": method, "ics": ics.decode("utf-8")}


def about_booking(kind: Kind, booking: Booking, layout: Layout) -> Content:
    """A message about one booking (or one date of a series)."""
    facts = _facts(booking, layout)
    short = span_words(booking.start, booking.end, zone_name=False, year=False)
    subject = f"{VERBS[kind]}: {facts['resource']}, {short}"
    return Content(subject, {"kind": kind, **facts, "dates": []}, booking.id)


def about_series(
    kind: Kind, series: Series, bookings: Sequence[Booking], layout: Layout
) -> Content:
    """One message about several dates of a series changed in one step."""
    ordered = sorted(bookings, key=lambda b: b.start)
    first = ordered[0]
    facts = _facts(first, layout)
    facts["link"] = f"{site_url()}/bookings/{first.id}"
    dates = [span_words(b.start, b.end, zone_name=False) for b in ordered]
    more = max(0, len(dates) - LISTED_DATES)
    short = span_words(first.start, first.end, zone_name=False, year=False)
    count = f"{len(ordered)} dates from " if len(ordered) > 1 else ""
    subject = f"{VERBS[kind]}: {facts['resource']}, {count}{short}"
    payload = {
        "kind": kind,
        **facts,
        "title": series.title,
        "dates": dates[:LISTED_DATES],
        "more_dates": more,
        "series_id": series.id,
    }
    return Content(subject, payload, first.id)


def invitation_for_booking(
    kind: Kind, recipient: Person, booking: Booking, layout: Layout
) -> dict[str, str]:
    """The iTIP part of a message about one booking, for ``recipient``."""
    return _invitation(kind, recipient, [booking_event(booking, layout)], [])


def invitation_for_series(
    kind: Kind, recipient: Person, series: Series, bookings: Sequence[Booking], layout: Layout
) -> dict[str, str]:
    """The iTIP part of a message about dates of a series: the whole series as the feed
    now shows it (REQUEST); or the dates cancelled, and the whole series once none of
    its dates is left (CANCEL)."""
    whole = series_feed_event(series, layout)
    if kind not in CANCELLING and whole is not None:
        return _invitation(kind, recipient, [], [whole])
    if kind in CANCELLING and whole is None:
        ended = FeedSeries(master=ended_series_event(series, layout), rule=series.rule)
        return _invitation(kind, recipient, [], [ended])
    return _invitation(kind, recipient, [booking_event(b, layout) for b in bookings], [])
