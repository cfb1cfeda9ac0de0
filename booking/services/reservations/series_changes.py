"""Changing a series: moving or editing the occurrences still to come (all, or the
following from one), and cancelling them; each use case runs in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from booking.errors import InvalidFieldsError, SeriesRefusedError
from booking.events import BookingsCancelled, BookingsChanged, publish
from booking.models import Booking, Resource, User
from booking.services.catalogue import site_zone
from booking.services.core import (
    audit,
    transactional,
)
from booking.services.reservations.approvals import await_approval
from booking.services.reservations.bookings import (
    owner_of,
    resource_for,
)
from booking.services.reservations.judging import Judge
from booking.services.reservations.lifecycle import cancel, free_booking
from booking.services.reservations.new_bookings import (
    TRACKED_FIELDS,
    require_override,
    waits_for_approval,
)
from booking.services.reservations.series_dates import (
    SeriesView,
    as_dict,
    occurrences_to_come,
    refusal_of,
    view_of,
    visible_series,
)
from rules import BookingRequest, Decision, Interval
from rules.charges import Tariff
from rules.localtime import from_wall_clock, wall_clock


def _moved(booking: Booking, anchor: Booking, start: datetime, end: datetime) -> Interval:
    """Where ``booking`` goes when ``anchor`` moves to ``[start, end)``: the same change of
    local start time and the same local length, so 09:00 stays a wall-clock time."""
    zone = site_zone()
    delta = wall_clock(start, zone) - wall_clock(anchor.start, zone)
    length = wall_clock(end, zone) - wall_clock(start, zone)
    new_start = wall_clock(booking.start, zone) + delta
    return Interval(from_wall_clock(new_start, zone), from_wall_clock(new_start + length, zone))


def _judged_moves(
    judge: Judge,
    selected: Sequence[Booking],
    targets: Sequence[Interval],
    changes: dict[str, Any],
    attendees: int | None,
    *,
    override: bool,
) -> list[Decision]:
    """Each occurrence judged at its new time, as if the ones before it had moved: their
    decisions, or a refusal listing every occurrence refused."""
    decisions, refused = [], []
    for booking, interval in zip(selected, targets, strict=True):
        units = changes.get("units", booking.units)
        request = BookingRequest(interval, units, attendees)
        decision = judge.judge(request)
        refusal = refusal_of(interval, decision, override=override)
        if refusal is not None:
            refused.append(as_dict(refusal))
        judge.accept(request, decision)
        decisions.append(decision)
    if refused:
        raise SeriesRefusedError(refused)
    return decisions


def _move(
    booking: Booking,
    interval: Interval,
    decision: Decision,
    resource: Resource,
    changes: dict[str, Any],
) -> None:
    """Set ``booking``'s new time, place and the fields ``changes`` names."""
    booking.start, booking.end = interval.start, interval.end
    booking.occupied_start, booking.occupied_end = decision.occupied.start, decision.occupied.end
    booking.resource_id, booking.exclusive = resource.id, resource.quantity == 1
    for name in ("title", "notes", "cost_code", "attendees", "units"):
        if name in changes:
            setattr(booking, name, changes[name])


@transactional
def update_series(
    actor: User,
    series_id: int,
    changes: dict[str, Any],
    scope: str,
    from_id: int | None,
    now: datetime,
) -> SeriesView:
    """Change the occurrences still to come: ``all`` of them, or the ``following`` from one.

    ``start``/``end`` are the new times of the first occurrence changed; the others move
    alike. Every moved occurrence is judged again; if any is refused nothing changes and
    the answer lists each refused one. Other people's bookings are never touched.
    """
    override = bool(changes.pop("override_rules", False))
    require_override(actor, override)
    series = visible_series(actor, series_id)
    selected = occurrences_to_come(series, scope, from_id, now)
    if not selected:
        raise InvalidFieldsError({"scope": ["No occurrence still to come is left to change."]})
    anchor = selected[0]
    start, end = changes.pop("start", anchor.start), changes.pop("end", anchor.end)
    if end <= start:
        raise InvalidFieldsError({"end": ["The end must be after the start."]})
    resource = resource_for(changes.get("resource_id", series.resource_id))
    attendees = changes.get("attendees", series.attendees)
    targets = [_moved(b, anchor, start, end) for b in selected]
    span = Interval(min(t.start for t in targets), max(t.end for t in targets))
    judge = Judge.prepare(resource, owner_of(anchor), span, now, excluding=[b.id for b in selected])
    decisions = _judged_moves(judge, selected, targets, changes, attendees, override=override)
    for booking, interval, decision in zip(selected, targets, decisions, strict=True):
        free_booking(booking, now, actor.id)
        before = {name: getattr(booking, name) for name in TRACKED_FIELDS}
        _move(booking, interval, decision, resource, changes)
        if waits_for_approval(actor, decision.needs_approval):
            await_approval(booking, now)  # what was approved was another time or place
        booking.updated_at = now
        after = {name: getattr(booking, name) for name in TRACKED_FIELDS}
        audit.record(booking, actor, "updated", now, {**audit.diff(before, after), "scope": scope})
    if scope == "all":
        for name in ("title", "notes", "cost_code", "attendees", "units", "resource_id"):
            if name in changes:
                setattr(series, name, changes[name])
    series.updated_at = now
    ids = tuple(booking.id for booking in selected)
    publish(
        BookingsChanged(actor_id=actor.id, at=now, booking_ids=ids, series_id=series.id, moved=True)
    )
    return view_of(series, now)


@transactional
def cancel_series(actor: User, series_id: int, from_id: int | None, now: datetime) -> SeriesView:
    """Cancel every open occurrence still to come, or those from ``from_id`` on."""
    series = visible_series(actor, series_id)
    scope = "all" if from_id is None else "following"
    selected = occurrences_to_come(series, scope, from_id, now)
    tariffs: dict[int, Tariff] = {}
    for booking in selected:
        cancel(booking, actor, now, tariffs)
    series.updated_at = now
    if selected:
        ids = tuple(booking.id for booking in selected)
        publish(BookingsCancelled(actor_id=actor.id, at=now, booking_ids=ids, series_id=series.id))
    return view_of(series, now)
