"""Who hears of what happened, and the message each of them gets.

``write_messages`` asks ``audience`` who hears of an event and writes one message per
person: per booking, or one for the dates of a series changed in one step. A message
that cannot be composed is written as failed, with the error, and the others go on.
The event itself is recorded in the change's transaction (``recording``); the sender
calls this later.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import inspect, select
from sqlalchemy.orm.util import identity_key

from booking.access import roles_that
from booking.events import (
    BookingApproved,
    BookingConfirmed,
    BookingRejected,
    BookingsCancelled,
    BookingsChanged,
    BookingsEvent,
    BookingsExpired,
    BookingsMade,
    BookingsReleased,
    WaitlistOffered,
)
from booking.extensions import db
from booking.models import TOPICS, Booking, Preferences, Series, User
from booking.services.catalogue import Layout, read_layout
from booking.services.notifications import composing, outbox
from booking.services.notifications.audience import Kind, Person, audience

log = logging.getLogger("booking.notifications")

#: What each event says to the people of a booking, whatever its status.
PLAIN_KINDS: dict[type[BookingsEvent], Kind] = {
    BookingApproved: "confirmed",
    BookingsCancelled: "cancelled",
    BookingRejected: "rejected",
    BookingsReleased: "released",
    WaitlistOffered: "offered",
}
OPEN = ("confirmed", "checked_in")
#: Every event someone may hear of, by name (what the outbox records).
TOLD: dict[str, type[BookingsEvent]] = {
    kind.__name__: kind
    for kind in (
        BookingsMade,
        BookingConfirmed,
        BookingApproved,
        BookingRejected,
        BookingsChanged,
        BookingsCancelled,
        BookingsExpired,
        BookingsReleased,
        WaitlistOffered,
    )
}


def people(user_ids: Collection[int]) -> dict[int, Person]:
    """The people with ``user_ids``, with the topics each switched off."""
    rows = db.session.execute(
        select(User.id, User.name, User.email, Preferences)
        .outerjoin(Preferences, Preferences.user_id == User.id)
        .where(User.id.in_(user_ids))
    ).all()
    return {row.id: Person(row.id, row.name, row.email, _muted(row.Preferences)) for row in rows}


def _muted(preferences: Preferences | None) -> frozenset[str]:
    if preferences is None:
        return frozenset()
    return frozenset(topic for topic in TOPICS if not getattr(preferences, topic))


def approvers() -> list[Person]:
    """Everyone who decides bookings that wait for approval."""
    ids = db.session.scalars(select(User.id).where(User.role.in_(roles_that("approve"))))
    return sorted(people(list(ids)).values(), key=lambda p: p.id)


def kinds_for(event: BookingsEvent, booking: Booking) -> list[Kind]:
    """What ``event`` tells the people of ``booking`` (nothing for a hold)."""
    if type(event) in PLAIN_KINDS:
        return [PLAIN_KINDS[type(event)]]
    if isinstance(event, BookingsExpired):
        return ["expired"] if event.was == "pending" else []
    if isinstance(event, BookingsMade | BookingConfirmed):
        if booking.status == "pending":
            return ["requested", "approval_needed"]
        return ["confirmed"] if booking.status in OPEN else []
    if isinstance(event, BookingsChanged):
        return ["changed", "approval_needed"] if booking.status == "pending" else ["changed"]
    return []


def current_bookings(ids: Sequence[int]) -> list[Booking]:
    """The bookings with ``ids`` as they now are: those this transaction holds, without
    asking the database again, and the others (changed in bulk by a job) read afresh."""
    held: dict[int, Booking] = {}
    for booking_id in ids:
        found = db.session.identity_map.get(identity_key(Booking, booking_id))
        if isinstance(found, Booking) and not inspect(found).expired_attributes:
            held[booking_id] = found
    missing = [i for i in ids if i not in held]
    if missing:
        query = select(Booking).where(Booking.id.in_(missing))
        for booking in db.session.scalars(query.execution_options(populate_existing=True)):
            held[booking.id] = booking
    return sorted(held.values(), key=lambda b: (b.start, b.id))


def write_messages(event: BookingsEvent, bookings: Sequence[Booking]) -> None:
    """One message per person who is to hear of ``event`` about ``bookings``."""
    groups: dict[Kind, list[Booking]] = defaultdict(list)
    for booking in bookings:
        for kind in kinds_for(event, booking):
            groups[kind].append(booking)
    if not groups:
        return
    involved = {b.user_id for b in bookings} | {b.booked_by_id for b in bookings}
    known = people(involved)
    deciders = approvers() if "approval_needed" in groups else []
    layout = read_layout({b.resource_id for b in bookings})
    series = db.session.get(Series, event.series_id) if event.series_id is not None else None
    for kind, chosen in groups.items():
        batches = [chosen] if series is not None else [[b] for b in chosen]
        for batch in batches:
            first = batch[0]
            heard = audience(
                kind,
                booker=known[first.booked_by_id],
                owner=known[first.user_id],
                actor_id=event.actor_id,
                approvers=deciders,
            )
            write_for(kind, heard, batch, series, layout, event.at, asked_by=known[first.user_id])


def write_for(
    kind: Kind,
    heard: Iterable[Person],
    bookings: Sequence[Booking],
    series: Series | None,
    layout: Layout,
    now: datetime,
    *,
    asked_by: Person | None = None,
) -> None:
    """One message of ``kind`` to each of ``heard`` about ``bookings`` (dates of
    ``series`` when given); ``asked_by`` is whom they are for, which approvers see."""
    for person in heard:
        invitation: dict[str, str] | None
        try:
            if series is not None:
                content = composing.about_series(kind, series, bookings, layout)
                invitation = composing.invitation_for_series(kind, person, series, bookings, layout)
            else:
                content = composing.about_booking(kind, bookings[0], layout)
                invitation = composing.invitation_for_booking(kind, person, bookings[0], layout)
            if kind == "offered":
                invitation = None  # a hold: in their calendar once they confirm it
            if kind == "approval_needed":
                content.payload["link"] = f"{composing.site_url()}/staff/approvals"
                content.payload["asked_by"] = asked_by.name if asked_by else None
                invitation = None  # the approver's calendar is not the booker's
        except Exception as error:  # noqa: BLE001 - a message must never fail the change
            log.exception("could not compose a %s message", kind)
            failed = composing.Content(f"{kind} (not composed)", {"kind": kind}, bookings[0].id)
            message = outbox.write(kind, person, failed, None, now)
            message.status, message.last_error = "failed", f"{type(error).__name__}: {error}"
            continue
        outbox.write(kind, person, content, invitation, now)
