"""Booking use cases: create and read (changing, cancelling and confirming are in
``booking_changes``). Each runs in one transaction.

The order of checks is the order of the answers a caller gets: unknown things (404)
and missing rights (403), then rule violations (422, all at once), then clashes with
time already claimed (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select

from booking.access import can, require
from booking.errors import (
    InvalidFieldsError,
    StateConflictError,
)
from booking.events import (
    BookingsMade,
    publish,
)
from booking.extensions import db
from booking.metrics import counts_refusals
from booking.models import Booking, Resource, Series, User
from booking.schemas.fields import local_iso
from booking.services.catalogue import rules_of, standing_circumstances
from booking.services.core import (
    overlapping,
    require_booking_for,
    transactional,
    visible_booking,
    visible_bookings,
)
from booking.services.reservations.alternatives import suggest_alternatives
from booking.services.reservations.attendance import (
    mark_checked_in,
    require_check_in_window,
    walk_in_start,
)
from booking.services.reservations.judging import Judge, refuse
from booking.services.reservations.new_bookings import (
    details_of,
    new_booking,
    opening_status,
    record_created,
    require_override,
)
from rules import BookingRequest, Circumstances, Decision, Interval, RuleSet


@dataclass
class BookingDraft:
    """What a caller asks to book."""

    resource_id: int
    start: datetime | None  # None: a walk-in, from now
    end: datetime
    title: str
    attendees: int | None = None
    units: int = 1
    notes: str | None = None
    cost_code: str | None = None
    on_behalf_of: int | None = None
    override_rules: bool = False
    hold: bool = False
    check_in: bool = False
    #: Booked from the resource's own page (its QR code): for oneself, from now, checked
    #: in at once, as reception's walk-in is but without reception's rights.
    at_the_door: bool = False


@dataclass(frozen=True)
class BookingQuery:
    """Filters of the booking list."""

    resource_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: Sequence[str] = field(default_factory=tuple)
    mine: bool = False
    limit: int = 500
    offset: int = 0


def resource_for(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise InvalidFieldsError({"resource_id": ["No such resource."]})
    return resource


def beneficiary_for(actor: User, user_id: int | None) -> User:
    if user_id is None or user_id == actor.id:
        return actor
    user = db.session.get(User, user_id)
    if user is None and can(actor, "book_for_anyone"):
        raise InvalidFieldsError({"on_behalf_of": ["No such user."]})
    return require_booking_for(actor, user)


def _exemptions(actor: User, draft: BookingDraft) -> frozenset[str]:
    """Rules that do not apply to this booking: a walk-in may start in the slot already
    under way, and reception books at any notice."""
    under_way = {"in_the_past"} if draft.check_in else set()
    return frozenset(under_way | ({"too_soon"} if can(actor, "run_reception") else set()))


def _walk_in(actor: User, draft: BookingDraft) -> None:
    if draft.at_the_door and draft.on_behalf_of in (None, actor.id) and draft.start is None:
        return  # one's own, from now: anyone at the door may
    require(actor, "run_reception", "check people in as they book (walk-ins)")
    if draft.hold:
        raise InvalidFieldsError({"hold": ["A walk-in is checked in at once; it cannot be held."]})


@dataclass(frozen=True)
class _Setting:
    """What a new booking is judged against that no other booking changes."""

    resource: Resource
    beneficiary: User
    rules: RuleSet
    interval: Interval
    standing: Circumstances


def _read_setting(actor: User, draft: BookingDraft, now: datetime) -> _Setting:
    resource = resource_for(draft.resource_id)
    beneficiary = beneficiary_for(actor, draft.on_behalf_of)
    require_override(actor, draft.override_rules)
    if draft.check_in:
        _walk_in(actor, draft)
    rules = rules_of(resource)
    start = walk_in_start(now, rules) if draft.start is None else draft.start
    if draft.end <= start:
        raise InvalidFieldsError(
            {"end": [f"The end must be after the start ({local_iso(start)})."]}
        )
    interval = Interval(start, draft.end)
    standing = standing_circumstances(resource, rules, interval, now, beneficiary)
    return _Setting(resource, beneficiary, rules, interval, standing)


@counts_refusals
def create_booking(actor: User, draft: BookingDraft, now: datetime) -> Booking:
    """Book ``draft`` for the caller (or on behalf of someone), or refuse with the reasons.

    With ``check_in`` (reception) it is a walk-in, checked in at once; without a start it
    starts now, rounded down to the resource's slot.

    The resource, its rules, the closures and the booker's certifications are read
    first; only the time already claimed, the quotas and the insert wait for the write
    transaction (on SQLite, for the database's one writer). A rule or closure changed
    in between counts as changed just after this booking was made; a resource moved,
    resized or made (un)bookable in between is read again (see ``Judge.prepare``), as
    clashes depend on it.
    """
    return _book(actor, draft, _read_setting(actor, draft, now), now)


def preview_booking(
    actor: User, draft: BookingDraft, ends: Sequence[datetime], now: datetime
) -> tuple[Interval, list[tuple[datetime, Decision]]]:
    """What ``create_booking`` would decide now for ``draft`` ending at each of ``ends``
    (later than its start), judged by one reading of the rules and claims and nothing
    locked or written: the interval it would start and each end's decision."""
    setting = _read_setting(actor, replace(draft, end=max(ends)), now)
    judge = Judge.prepare(
        setting.resource,
        setting.beneficiary,
        setting.interval,
        now,
        exempt=_exemptions(actor, draft),
        rules=setting.rules,
        standing=setting.standing,
        lock=False,
    )
    start = setting.interval.start
    decisions = [
        (end, judge.judge(BookingRequest(Interval(start, end), draft.units, draft.attendees)))
        for end in ends
        if end > start
    ]
    return setting.interval, decisions


@transactional
def _book(actor: User, draft: BookingDraft, setting: _Setting, now: datetime) -> Booking:
    resource, beneficiary, interval = setting.resource, setting.beneficiary, setting.interval
    request = BookingRequest(interval=interval, units=draft.units, attendees=draft.attendees)
    judge = Judge.prepare(
        resource,
        beneficiary,
        interval,
        now,
        exempt=_exemptions(actor, draft),
        rules=setting.rules,
        standing=setting.standing,
    )
    decision = judge.judge(request)
    refuse(
        decision,
        override=draft.override_rules,
        offer=lambda: suggest_alternatives(resource, beneficiary, request, now),
        waitlist=not (draft.check_in or draft.hold),  # one may wait for this time instead
        asker=beneficiary.id,
    )
    if draft.check_in:
        if opening_status(actor, decision) != "confirmed":
            raise StateConflictError(
                "This resource needs approval before it is used, so it cannot be a walk-in.",
                code="not_confirmed",
            )
        require_check_in_window(interval.start, interval.end, judge.rules, now, walk_in=True)
    booking = new_booking(
        actor=actor,
        owner=beneficiary,
        resource=resource,
        interval=interval,
        decision=decision,
        fields=details_of(draft),
        now=now,
        hold=draft.hold,
    )
    if draft.check_in:
        mark_checked_in(booking, now)
    db.session.add(booking)
    db.session.flush()
    record_created(booking, actor, now, decision)
    publish(BookingsMade(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking


def get_booking(actor: User, booking_id: int) -> Booking:
    """A booking the caller may see, or a 404 (whether or not it exists)."""
    return visible_booking(actor, booking_id)


def list_bookings(actor: User, query: BookingQuery) -> list[Booking]:
    """Bookings the caller may see, matching the filters, by start time."""
    stmt = select(Booking).where(visible_bookings(actor))
    if query.resource_id is not None:
        stmt = stmt.where(Booking.resource_id == query.resource_id)
    if query.start is not None and query.end is not None:
        stmt = stmt.where(overlapping(Booking.start, Booking.end, Interval(query.start, query.end)))
    elif query.start is not None:
        stmt = stmt.where(Booking.end > query.start)
    elif query.end is not None:
        stmt = stmt.where(Booking.start < query.end)
    if query.status:
        stmt = stmt.where(Booking.status.in_(query.status))
    if query.mine:
        stmt = stmt.where(Booking.user_id == actor.id)
    stmt = stmt.order_by(Booking.start, Booking.id).limit(query.limit).offset(query.offset)
    return list(db.session.scalars(stmt))


def owner_of(booked: Booking | Series) -> User:
    """Whom a booking or a series is for."""
    user = db.session.get(User, booked.user_id)
    assert user is not None  # a foreign key
    return user
