"""The waitlist's line: joining it (judged like a booking, refused where the time is
free), one's place in it, and leaving it. Each use case runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from booking.errors import NotFoundError, StateConflictError
from booking.events import BookingsCancelled, publish
from booking.extensions import db
from booking.models import Booking, User, WaitlistEntry
from booking.services.core import overlapping, transactional, visible_to
from booking.services.reservations.bookings import BookingDraft, beneficiary_for, resource_for
from booking.services.reservations.judging import Judge, refuse
from booking.services.reservations.lifecycle import cancel
from booking.services.reservations.new_bookings import details_of
from rules import BookingRequest, Interval


@dataclass(frozen=True, slots=True)
class Place:
    """An entry and where it stands: 1 is next (``None`` once it is not waiting); while
    it is offered, until when the held booking is kept. The entry's own fields read
    through (``place.start``)."""

    entry: WaitlistEntry
    position: int | None
    hold_expires_at: datetime | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.entry, name)


def position_of(entry: WaitlistEntry) -> int | None:
    """1 + the waiting entries for the same resource and overlapping time that joined
    before ``entry``; ``None`` when it is not waiting."""
    if entry.status != "waiting":
        return None
    ahead = select(func.count()).where(
        WaitlistEntry.status == "waiting",
        WaitlistEntry.resource_id == entry.resource_id,
        WaitlistEntry.id < entry.id,
        overlapping(WaitlistEntry.start, WaitlistEntry.end, Interval(entry.start, entry.end)),
    )
    return 1 + (db.session.scalar(ahead) or 0)


def place_of(entry: WaitlistEntry) -> Place:
    held = db.session.get(Booking, entry.booking_id) if entry.booking_id is not None else None
    deadline = held.hold_expires_at if held is not None and entry.status == "offered" else None
    return Place(entry, position_of(entry), deadline)


@transactional
def join_waitlist(actor: User, draft: BookingDraft, now: datetime) -> Place:
    """Wait for ``draft``'s time: refused with the rules' reasons as a booking would be,
    and with ``slot_free`` where the time could be booked now."""
    resource = resource_for(draft.resource_id)
    owner = beneficiary_for(actor, draft.on_behalf_of)
    assert draft.start is not None  # the schema requires it
    interval = Interval(draft.start, draft.end)
    request = BookingRequest(interval, draft.units, draft.attendees)
    decision = Judge.prepare(resource, owner, interval, now, lock=False).judge(request)
    if not decision.conflicts:
        refuse(decision, override=False)
        raise StateConflictError(
            "That time is free: book it instead of waiting for it.", code="slot_free"
        )
    refuse(replace(decision, conflicts=[]), override=False)  # the rules, as for a booking
    again = select(WaitlistEntry.id).where(
        WaitlistEntry.user_id == owner.id,
        WaitlistEntry.resource_id == resource.id,
        WaitlistEntry.status.in_(("waiting", "offered")),
        overlapping(WaitlistEntry.start, WaitlistEntry.end, interval),
    )
    if db.session.scalar(again) is not None:
        raise StateConflictError(
            "You are already waiting for this time of this resource.", code="already_waiting"
        )
    entry = WaitlistEntry(
        resource_id=resource.id,
        user_id=owner.id,
        booked_by_id=actor.id,
        tenant_id=owner.tenant_id,
        start=interval.start,
        end=interval.end,
        status="waiting",
        created_at=now,
        updated_at=now,
        **details_of(draft),
    )
    db.session.add(entry)
    db.session.flush()
    return place_of(entry)


def _visible_entry(actor: User, entry_id: int, *, for_update: bool = False) -> WaitlistEntry:
    query = select(WaitlistEntry).where(
        WaitlistEntry.id == entry_id, visible_to(actor, WaitlistEntry)
    )
    entry = db.session.scalar(query.with_for_update() if for_update else query)
    if entry is None:
        raise NotFoundError("No such waitlist entry.")
    return entry


def get_entry(actor: User, entry_id: int) -> Place:
    """An entry the caller may see (404 otherwise), with its place in line."""
    return place_of(_visible_entry(actor, entry_id))


def list_entries(actor: User, resource_id: int | None = None) -> list[Place]:
    """The entries the caller may see (their own; staff: all), by start; still open ones
    (waiting or offered) first."""
    query = select(WaitlistEntry).where(visible_to(actor, WaitlistEntry))
    if resource_id is not None:
        query = query.where(WaitlistEntry.resource_id == resource_id)
    open_first = WaitlistEntry.status.not_in(("waiting", "offered"))
    query = query.order_by(open_first, WaitlistEntry.start, WaitlistEntry.id)
    return [place_of(entry) for entry in db.session.scalars(query)]


@transactional
def leave_waitlist(actor: User, entry_id: int, now: datetime) -> Place:
    """Leave the line; an offer not yet confirmed is given up (its time goes to the next
    in line)."""
    entry = _visible_entry(actor, entry_id, for_update=True)
    if entry.status not in ("waiting", "offered"):
        raise StateConflictError(f"This entry is {entry.status} already.", code="not_waiting")
    if entry.status == "offered" and entry.booking_id is not None:
        offer = select(Booking).where(Booking.id == entry.booking_id, Booking.status == "held")
        held = db.session.scalar(offer.with_for_update())
        if held is not None:
            cancel(held, actor, now)
            publish(BookingsCancelled(actor_id=actor.id, at=now, booking_ids=(held.id,)))
    entry.status, entry.updated_at = "left", now
    return place_of(entry)
