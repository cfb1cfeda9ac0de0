"""From what happened to the messages it calls for.

In the change's transaction, one subscriber hears every booking event and, when anyone
is to hear of it, records it in the outbox (``OutboxEvent``) with the bookings as the
change left them: one small INSERT, so a booking costs little more with mail than
without, and no change commits without its record or records anything when it rolls
back.

The sender then turns each recorded event into messages (``write_recorded``): it asks
``audience`` who hears of it and writes one message per person, per booking, or one
for the dates of a series changed in one step; and it arms each confirmed booking's
reminder (re-arms a moved one's). A message that cannot be composed is written as
failed, with the error, and the others go on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import insert, inspect, select, update
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
    subscribe,
)
from booking.extensions import db
from booking.models import TOPICS, Booking, OutboxEvent, Preferences, Series, User
from booking.services.layout import Layout, read_layout
from booking.services.notifications import composing, outbox
from booking.services.notifications.audience import Kind, Person, audience
from rules.durations import parse_duration

log = logging.getLogger("booking.notifications")

#: What each event says to the people of a booking, whatever its status.
PLAIN_KINDS: dict[type[BookingsEvent], Kind] = {
    BookingApproved: "confirmed",
    BookingsCancelled: "cancelled",
    BookingRejected: "rejected",
    BookingsReleased: "released",
}
OPEN = ("confirmed", "checked_in")


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


#: The booking fields a message is made from, kept as the change left them.
SNAPSHOT = (
    "id",
    "user_id",
    "booked_by_id",
    "tenant_id",
    "resource_id",
    "series_id",
    "recurrence_id",
    "title",
    "notes",
    "start",
    "end",
    "status",
    "status_reason",
    "sequence",
    "created_at",
    "updated_at",
)
TIMES = ("recurrence_id", "start", "end", "created_at", "updated_at", "at")
#: Every event the outbox records, by name.
RECORDED: dict[str, type[BookingsEvent]] = {
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
    )
}


RECORD = insert(OutboxEvent.__table__)


def _current(ids: Sequence[int]) -> list[Booking]:
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


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _record(event: BookingsEvent, bookings: Sequence[Booking]) -> dict[str, Any]:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    return {
        "event": {name: _plain(value) for name, value in fields.items()},
        "bookings": [{name: _plain(getattr(b, name)) for name in SNAPSHOT} for b in bookings],
    }


def _timed(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: datetime.fromisoformat(value) if name in TIMES and value is not None else value
        for name, value in values.items()
    }


def _replayed(row: OutboxEvent) -> tuple[BookingsEvent, list[Booking]]:
    """The event and the bookings (detached, as the change left them) of ``row``."""
    fields = _timed(row.data["event"])
    fields["booking_ids"] = tuple(fields["booking_ids"])
    event = RECORDED[row.name](**fields)
    return event, [Booking(**_timed(values)) for values in row.data["bookings"]]


@subscribe(BookingsEvent)
def record_event(event: BookingsEvent) -> None:
    """Record ``event`` in the outbox with its bookings as the change left them (after
    the transaction's last flush: with the SEQUENCE it raised), when anyone is to hear
    of it or a reminder is to be armed; one INSERT in the change's transaction."""
    if type(event).__name__ not in RECORDED:
        return
    bookings = _current(event.booking_ids)
    if not (_arms_reminders(event) or any(kinds_for(event, b) for b in bookings)):
        return
    row = {"name": type(event).__name__, "data": _record(event, bookings), "created_at": event.at}
    db.session.connection().execute(RECORD, row)  # Core: no unit of work for one row


def _arms_reminders(event: BookingsEvent) -> bool:
    return isinstance(event, BookingsMade | BookingConfirmed | BookingApproved) or (
        isinstance(event, BookingsChanged) and event.moved
    )


def arm_reminders(event: BookingsEvent, bookings: Sequence[Booking]) -> None:
    """Set when each booking's reminder is due, unless it changed again since ``event``
    (its own event arms it then); none where that moment had passed at the event."""
    before = parse_duration(current_app.config["MAIL_REMINDER_BEFORE"])
    for booking in bookings:
        due = booking.start - before
        if booking.status != "confirmed" or due <= event.at:
            continue
        db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.sequence == booking.sequence)
            .values(remind_at=due)
            .execution_options(synchronize_session=False)
        )


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


def write_recorded(now: datetime, size: int = 200) -> int:
    """Turn up to ``size`` recorded events into their messages, oldest first; how many.
    Each is claimed by one sender (``FOR UPDATE SKIP LOCKED`` and a conditional update),
    so two senders never write one event's messages twice."""
    waiting = (
        select(OutboxEvent.id)
        .where(OutboxEvent.expanded_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(waiting))
    if not ids:
        return 0
    claimed = (
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.expanded_at.is_(None))
        .values(expanded_at=now)
        .returning(OutboxEvent.id)
        .execution_options(synchronize_session=False)
    )
    taken = sorted(db.session.scalars(claimed))
    for row in db.session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(taken))):
        event, bookings = _replayed(row)
        if _arms_reminders(event):
            arm_reminders(event, bookings)
        write_messages(event, bookings)
    return len(taken)


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
        try:
            if series is not None:
                content = composing.about_series(kind, series, bookings, layout)
                invitation = composing.invitation_for_series(kind, person, series, bookings, layout)
            else:
                content = composing.about_booking(kind, bookings[0], layout)
                invitation = composing.invitation_for_booking(kind, person, bookings[0], layout)
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


def write_due_reminders(now: datetime, size: int = 500) -> int:
    """Write the reminders due by ``now`` (each booking's once: its ``remind_at`` is
    cleared in the same conditional update that claims it); how many bookings."""
    stale = (
        Booking.remind_at <= now,
        (Booking.status != "confirmed") | (Booking.start <= now),
    )
    db.session.execute(
        update(Booking)
        .where(*stale)
        .values(remind_at=None)
        .execution_options(synchronize_session=False)
    )
    due = (
        select(Booking.id)
        .where(Booking.remind_at <= now, Booking.status == "confirmed", Booking.start > now)
        .order_by(Booking.remind_at)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(due))
    if not ids:
        return 0
    claimed = (
        update(Booking)
        .where(Booking.id.in_(ids), Booking.remind_at <= now)
        .values(remind_at=None)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    )
    bookings = _current(list(db.session.scalars(claimed)))
    known = people({b.user_id for b in bookings} | {b.booked_by_id for b in bookings})
    layout = read_layout({b.resource_id for b in bookings})
    for booking in bookings:
        heard = audience(
            "reminder",
            booker=known[booking.booked_by_id],
            owner=known[booking.user_id],
            actor_id=None,
        )
        write_for("reminder", heard, [booking], None, layout, now)
    return len(bookings)
