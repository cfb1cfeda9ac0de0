"""Handing freed time to the waitlist, in the transaction that frees it.

Every path that frees time publishes ``TimeFreed`` (cancel, reject, expiry, a no-show
released, a move or a shortening, a lapsed hold, an early check-out); the subscriber here
runs in that same transaction, so no freeing path can forget the waitlist and the offer
commits or rolls back with the change. The earliest-joined waiting entry that now fits
(the rules, except notice, and every clash the hierarchy and pools make) is offered the
time as a ``held`` booking kept until ``[waitlist] offer_for`` from now, or its start if
sooner; then the next entry that still fits, and so on. Each offer is judged with its
resource's blocking path locked, like any booking, so an offer never overlaps a direct
booking or another offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import aliased

from booking.events import (
    BookingConfirmed,
    BookingsCancelled,
    BookingsExpired,
    TimeFreed,
    WaitlistOffered,
    publish,
    subscribe,
)
from booking.extensions import db
from booking.models import Booking, Resource, User, WaitlistEntry
from booking.services.core import spans_overlap
from booking.services.reservations.judging import Judge
from booking.services.reservations.new_bookings import details_of, new_booking, record_created
from rules import BookingRequest, Decision, Interval
from rules.durations import parse_duration

#: Rules an offer is not held to: the person asked in advance, and the time came free.
OFFER_EXEMPT = frozenset({"too_soon"})


def offer_deadline(entry: WaitlistEntry, now: datetime) -> datetime:
    """Until when an offer made at ``now`` is kept: ``[waitlist] offer_for``, or the
    entry's start if that is sooner."""
    return min(now + parse_duration(current_app.config["WAITLIST_OFFER_FOR"]), entry.start)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waiting entry as the hand-over screens it (read without loading or locking it)."""

    id: int
    resource_id: int
    user_id: int
    request: BookingRequest

    @property
    def start(self) -> datetime:
        return self.request.interval.start

    @property
    def end(self) -> datetime:
        return self.request.interval.end


_PLACE = aliased(Resource)  # the resource whose time was freed

#: The waiting entries for resources sharing space with the freed one (it, everything
#: below it, and its ancestors: each path begins with its ancestors'), overlapping the
#: freed time and yet to start, in the order they joined; built once, values bound.
_WAITING_FOR = (
    select(
        WaitlistEntry.id,
        WaitlistEntry.resource_id,
        WaitlistEntry.user_id,
        WaitlistEntry.start,
        WaitlistEntry.end,
        WaitlistEntry.units,
        WaitlistEntry.attendees,
    )
    .join(Resource, Resource.id == WaitlistEntry.resource_id)
    .join(_PLACE, _PLACE.id == bindparam("place"))
    .where(
        WaitlistEntry.status == "waiting",
        spans_overlap(WaitlistEntry.start, WaitlistEntry.end, bindparam("start"), bindparam("end")),
        WaitlistEntry.start > bindparam("at"),
        or_(Resource.path.startswith(_PLACE.path), _PLACE.path.startswith(Resource.path)),
    )
    .order_by(WaitlistEntry.id)
)


def _waiting_for(freed: TimeFreed) -> list[Waiting]:
    """The waiting entries the freed time could serve, in the order they joined; entries
    asking for the same thing share one request."""
    values = {"place": freed.resource_id, "start": freed.start, "end": freed.end, "at": freed.at}
    requests: dict[tuple[datetime, datetime, int, int | None], BookingRequest] = {}
    line = []
    for rid, resource_id, user_id, start, end, units, people in db.session.execute(
        _WAITING_FOR, values
    ):
        key = (start, end, units, people)
        if key not in requests:
            requests[key] = BookingRequest(Interval(start, end), units, people)
        line.append(Waiting(rid, resource_id, user_id, requests[key]))
    return line


def _still_waiting(entry_id: int) -> WaitlistEntry | None:
    """The entry, locked, if it is still waiting: one another transaction offered (or its
    person took away) meanwhile is read again as it now is, and left out."""
    query = select(WaitlistEntry).where(
        WaitlistEntry.id == entry_id, WaitlistEntry.status == "waiting"
    )
    return db.session.scalar(query.with_for_update().execution_options(populate_existing=True))


def try_offer(
    entry: WaitlistEntry, now: datetime, decision: Decision | None = None
) -> Booking | None:
    """Offer ``entry`` its time as a held booking if it now fits; ``None`` if not.
    ``decision`` is the entry judged already for its person, under the lock."""
    resource = db.session.get(Resource, entry.resource_id)
    owner = db.session.get(User, entry.user_id)
    booker = db.session.get(User, entry.booked_by_id)
    if resource is None or owner is None or booker is None or not resource.bookable:
        return None
    interval = Interval(entry.start, entry.end)
    if decision is None:
        judge = Judge.prepare(resource, owner, interval, now, exempt=OFFER_EXEMPT)
        decision = judge.judge(BookingRequest(interval, entry.units, entry.attendees))
    if decision.conflicts or decision.violations:
        return None
    booking = new_booking(
        actor=booker,
        owner=owner,
        resource=resource,
        interval=interval,
        decision=decision,
        fields=details_of(entry),
        now=now,
        hold=True,
    )
    booking.hold_expires_at = offer_deadline(entry, now)
    db.session.add(booking)
    db.session.flush()
    record_created(booking, booker, now, decision)
    entry.status, entry.booking_id, entry.updated_at = "offered", booking.id, now
    offer = WaitlistOffered(actor_id=None, at=now, booking_ids=(booking.id,), entry_id=entry.id)
    publish(offer, booking)
    return booking


@subscribe(TimeFreed)
def hand_over(freed: TimeFreed) -> None:
    """Offer the freed time to the waiting entries that now fit, first joined first.

    A long line costs little: one judge per resource first rules out the entries that
    still clash (it counts each offer made, and entries asking for the same time share
    its verdict), and only an entry clear of clashes is locked, judged in full for its
    own person where the screen was not, and offered."""
    line = _waiting_for(freed)
    screens: dict[int, tuple[Judge, User] | None] = {}
    verdicts: dict[tuple[int, BookingRequest], Decision] = {}
    for waiting in line:
        if waiting.resource_id not in screens:
            screens[waiting.resource_id] = _screen(waiting, line, freed.at)
        found = screens[waiting.resource_id]
        if found is None:
            continue
        screen, judged_for = found
        key = (waiting.resource_id, waiting.request)
        if key not in verdicts:
            verdicts[key] = screen.judge(waiting.request)
        decision = verdicts[key]
        if decision.conflicts:
            continue
        entry = _still_waiting(waiting.id)
        if entry is None:
            continue
        # the screen was prepared for the first in its line: their judgement is whole
        whole = decision if judged_for.id == entry.user_id else None
        if try_offer(entry, freed.at, whole) is not None:
            screen.accept(waiting.request, decision)
            verdicts.clear()  # the time it took is claimed now


def _screen(waiting: Waiting, line: list[Waiting], now: datetime) -> tuple[Judge, User] | None:
    """A judge of clashes on ``waiting``'s resource over the time all its entries want,
    prepared for ``waiting``'s person (who comes with it, so that the session keeps them)."""
    resource = db.session.get(Resource, waiting.resource_id)
    owner = db.session.get(User, waiting.user_id)
    if resource is None or owner is None or not resource.bookable:
        return None
    same = [w for w in line if w.resource_id == waiting.resource_id]
    span = Interval(min(w.start for w in same), max(w.end for w in same))
    return Judge.prepare(resource, owner, span, now, exempt=OFFER_EXEMPT), owner


def _entries_holding(booking_ids: tuple[int, ...]) -> list[WaitlistEntry]:
    query = select(WaitlistEntry).where(
        WaitlistEntry.status == "offered", WaitlistEntry.booking_id.in_(booking_ids)
    )
    return list(db.session.scalars(query))


@subscribe(BookingConfirmed)
def keep_offer(confirmed: BookingConfirmed) -> None:
    """An offer confirmed: the entry is booked."""
    for entry in _entries_holding(confirmed.booking_ids):
        entry.status, entry.updated_at = "booked", confirmed.at


@subscribe(BookingsExpired)
@subscribe(BookingsCancelled)
def end_offer(ended: BookingsExpired | BookingsCancelled) -> None:
    """An offer that lapsed, or was declined (its hold cancelled): the entry has had its
    turn; the time it frees goes to the next in line."""
    for entry in _entries_holding(ended.booking_ids):
        entry.status, entry.updated_at = "lapsed", ended.at
