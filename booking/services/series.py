"""Recurring bookings: create a series, read it, change or cancel all or the following
occurrences, and add a date back. Each use case runs in one transaction.

Every occurrence is a booking judged by the same rules and conflict logic as a single
one, under the same lock: a series and single bookings racing for the same time cannot
both win. One occurrence is changed or cancelled through ``/bookings/<id>``; it stays
part of the series as an exception (its ``recurrence_id`` keeps the start the rule gave
it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from booking.errors import InvalidFieldsError, NotFoundError, SeriesRefusedError
from booking.events import BookingsCancelled, BookingsChanged, BookingsMade, publish
from booking.extensions import db
from booking.models import Booking, Resource, Series, User
from booking.services import audit
from booking.services.access import visible_to
from booking.services.approvals import await_approval
from booking.services.bookings import BookingDraft, beneficiary_for, owner_of, resource_for
from booking.services.claims import busy_time, is_occupying, occupying
from booking.services.judging import Judge, refuse
from booking.services.lifecycle import free_booking
from booking.services.new_bookings import (
    TRACKED_FIELDS,
    new_booking,
    record_created,
    require_override,
    waits_for_approval,
)
from booking.services.rulebook import rules_of, site_zone
from booking.services.transactions import transactional
from rules import BookingRequest, Decision, Interval, RuleSet
from rules.durations import LONGEST
from rules.localtime import from_wall_clock, shift, wall_clock
from rules.recurrence import Expansion, Recurrence, RecurrenceError, expand, parse_rule

#: How far ahead a series may reach where the rules set no ``max_advance``.
DEFAULT_HORIZON = timedelta(days=731)


@dataclass
class SeriesDraft(BookingDraft):
    """A series as asked for: its first occurrence, the rule and what to do on a clash."""

    start: datetime  # a series has no walk-in: its first occurrence starts when asked
    rule: str = ""
    exdates: Sequence[datetime | date] = ()
    on_conflict: str = "fail"


@dataclass
class Skipped:
    """An occurrence not booked, and why."""

    start: datetime
    end: datetime
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SeriesView:
    """A series with its bookings; ``missing`` are the rule's dates it has no open booking
    for (excluded, skipped or cancelled: each can be added back)."""

    series: Series
    bookings: list[Booking]
    missing: list[dict[str, Any]]
    skipped: list[Skipped] = field(default_factory=list)


def _refusal(interval: Interval, decision: Decision, *, override: bool) -> Skipped | None:
    violations = [] if override else decision.violations
    if not decision.conflicts and not violations:
        return None
    return Skipped(
        interval.start,
        interval.end,
        conflicts=busy_time(decision.conflicts),
        violations=[{"code": v.code, "message": v.message} for v in violations],
    )


def _as_dict(skipped: Skipped) -> dict[str, Any]:
    found: dict[str, Any] = {"start": skipped.start, "end": skipped.end}
    if skipped.conflicts:
        found["conflicts"] = skipped.conflicts
    if skipped.violations:
        found["violations"] = skipped.violations
    return found


def _horizon(rules: RuleSet, now: datetime) -> datetime:
    if rules.max_advance is not None:
        return shift(now, rules.max_advance, site_zone())
    return now + DEFAULT_HORIZON


def _parsed(rule: str) -> Recurrence:
    try:
        return parse_rule(rule, site_zone())
    except RecurrenceError as error:
        raise InvalidFieldsError({"rule": [str(error)]}) from error


def _expansion(
    rule: Recurrence,
    first: Interval,
    horizon: datetime,
    exdates: Sequence[datetime | date] = (),
) -> Expansion:
    instants = {d for d in exdates if isinstance(d, datetime)}
    days = {d for d in exdates if not isinstance(d, datetime)}
    try:
        return expand(rule, first, site_zone(), horizon, exdates=instants, exdays=days)
    except RecurrenceError as error:
        raise InvalidFieldsError({"rule": [str(error)]}) from error


def stored_expansion(series: Series) -> Expansion:
    """Every date of a stored series' rule (none were refused when it was made)."""
    first = Interval(series.start, series.end)
    excluded = [datetime.fromisoformat(text) for text in series.exdates]
    return _expansion(_parsed(series.rule), first, series.start + LONGEST, excluded)


def _occurrence(
    series: Series, interval: Interval, decision: Decision, actor: User, resource: Resource
) -> Booking:
    """A new booking of one of ``series``' dates (not yet added)."""
    fields = {
        "series_id": series.id,
        "recurrence_id": interval.start,
        "title": series.title,
        "notes": series.notes,
        "attendees": series.attendees,
        "units": series.units,
    }
    return new_booking(
        actor=actor,
        owner=owner_of(series),
        resource=resource,
        interval=interval,
        decision=decision,
        fields=fields,
        now=series.updated_at,
    )


@transactional
def create_series(actor: User, draft: SeriesDraft, now: datetime) -> SeriesView:
    """Book every occurrence of ``draft.rule`` or, with ``on_conflict`` ``skip``, the ones
    that can be booked; with ``fail`` one refused occurrence refuses them all."""
    resource = resource_for(draft.resource_id)
    beneficiary = beneficiary_for(actor, draft.on_behalf_of)
    require_override(actor, draft.override_rules)
    first = Interval(draft.start, draft.end)
    rule, rules = _parsed(draft.rule), rules_of(resource)
    expansion = _expansion(rule, first, _horizon(rules, now), draft.exdates)
    if not expansion.occurrences:
        raise InvalidFieldsError({"exdates": ["Every occurrence of the rule is left out."]})
    span = Interval(expansion.occurrences[0].start, expansion.occurrences[-1].end)
    judge = Judge.prepare(resource, beneficiary, span, now, rules=rules)
    accepted: list[tuple[Interval, Decision]] = []
    skipped: list[Skipped] = []
    for interval in expansion.occurrences:
        request = BookingRequest(interval, draft.units, draft.attendees)
        decision = judge.judge(request)
        refusal = _refusal(interval, decision, override=draft.override_rules)
        if refusal is None:
            judge.accept(request, decision)
            accepted.append((interval, decision))
        else:
            skipped.append(refusal)
    if skipped and (draft.on_conflict == "fail" or not accepted):
        raise SeriesRefusedError([_as_dict(s) for s in skipped])
    series = Series(
        resource_id=resource.id,
        user_id=beneficiary.id,
        booked_by_id=actor.id,
        tenant_id=beneficiary.tenant_id,
        rule=rule.text,
        start=first.start,
        end=first.end,
        exdates=[slot.start.isoformat() for slot in expansion.excluded],
        title=draft.title,
        notes=draft.notes,
        attendees=draft.attendees,
        units=draft.units,
        created_at=now,
        updated_at=now,
    )
    db.session.add(series)
    db.session.flush()
    made = [_occurrence(series, i, d, actor, resource) for i, d in accepted]
    db.session.add_all(made)
    db.session.flush()
    for booking, (_, decision) in zip(made, accepted, strict=True):
        record_created(booking, actor, now, decision)
    ids = tuple(booking.id for booking in made)
    publish(BookingsMade(actor_id=actor.id, at=now, booking_ids=ids, series_id=series.id))
    return replace(_view(series, now), skipped=skipped)


def _visible_series(actor: User, series_id: int) -> Series:
    series = db.session.scalar(
        select(Series).where(Series.id == series_id, visible_to(actor, Series))
    )
    if series is None:
        raise NotFoundError("No such series.")
    return series


def _bookings_of(series: Series) -> list[Booking]:
    query = select(Booking).where(Booking.series_id == series.id)
    return list(db.session.scalars(query.order_by(Booking.recurrence_id, Booking.id)))


def _view(series: Series, now: datetime) -> SeriesView:
    bookings = _bookings_of(series)
    booked = {b.recurrence_id for b in bookings if is_occupying(b, now)}
    cancelled = {b.recurrence_id for b in bookings if not is_occupying(b, now)}
    excluded = set(series.exdates)
    expansion = stored_expansion(series)
    missing = []
    for slot in sorted([*expansion.occurrences, *expansion.excluded]):
        if slot.start in booked:
            continue
        if slot.start.isoformat() in excluded:
            reason = "excluded"
        elif slot.start in cancelled:
            reason = "cancelled"
        else:
            reason = "skipped"
        missing.append({"start": slot.start, "end": slot.end, "reason": reason})
    return SeriesView(series, bookings, missing)


def get_series(actor: User, series_id: int, now: datetime) -> SeriesView:
    """A series the caller may see (404 otherwise), its bookings and its missing dates."""
    return _view(_visible_series(actor, series_id), now)


def _selected(series: Series, scope: str, from_id: int | None, now: datetime) -> list[Booking]:
    """The open occurrences still to come that ``scope`` covers, by start."""
    if scope == "all" and from_id is not None:
        raise InvalidFieldsError({"from": ["Give from only with the scope following."]})
    query = select(Booking).where(
        Booking.series_id == series.id, occupying(now), Booking.start > now
    )
    if from_id is not None:
        anchor = db.session.get(Booking, from_id)
        if anchor is None or anchor.series_id != series.id or anchor.recurrence_id is None:
            raise InvalidFieldsError({"from": ["Not an occurrence of this series."]})
        query = query.where(Booking.recurrence_id >= anchor.recurrence_id)
    elif scope == "following":
        raise InvalidFieldsError({"from": ["The scope following needs the booking to start from."]})
    return list(db.session.scalars(query.order_by(Booking.start).with_for_update()))


def _moved(booking: Booking, anchor: Booking, start: datetime, end: datetime) -> Interval:
    """Where ``booking`` goes when ``anchor`` moves to ``[start, end)``: the same change of
    local start time and the same local length, so 09:00 stays a wall-clock time."""
    zone = site_zone()
    delta = wall_clock(start, zone) - wall_clock(anchor.start, zone)
    length = wall_clock(end, zone) - wall_clock(start, zone)
    new_start = wall_clock(booking.start, zone) + delta
    return Interval(from_wall_clock(new_start, zone), from_wall_clock(new_start + length, zone))


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
    series = _visible_series(actor, series_id)
    selected = _selected(series, scope, from_id, now)
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
    decisions, refused = [], []
    for booking, interval in zip(selected, targets, strict=True):
        request = BookingRequest(interval, changes.get("units", booking.units), attendees)
        decision = judge.judge(request)
        refusal = _refusal(interval, decision, override=override)
        if refusal is not None:
            refused.append(_as_dict(refusal))
        judge.accept(request, decision)
        decisions.append(decision)
    if refused:
        raise SeriesRefusedError(refused)
    for booking, interval, decision in zip(selected, targets, decisions, strict=True):
        free_booking(booking, now, actor.id)
        before = {name: getattr(booking, name) for name in TRACKED_FIELDS}
        booking.start, booking.end = interval.start, interval.end
        booking.occupied_start, booking.occupied_end = (
            decision.occupied.start,
            decision.occupied.end,
        )
        booking.resource_id, booking.exclusive = resource.id, resource.quantity == 1
        for name in ("title", "notes", "attendees", "units"):
            if name in changes:
                setattr(booking, name, changes[name])
        if waits_for_approval(actor, decision.needs_approval):
            await_approval(booking, now)  # what was approved was another time or place
        booking.updated_at = now
        after = {name: getattr(booking, name) for name in TRACKED_FIELDS}
        audit.record(booking, actor, "updated", now, {**audit.diff(before, after), "scope": scope})
    if scope == "all":
        for name in ("title", "notes", "attendees", "units", "resource_id"):
            if name in changes:
                setattr(series, name, changes[name])
    series.updated_at = now
    ids = tuple(booking.id for booking in selected)
    publish(
        BookingsChanged(actor_id=actor.id, at=now, booking_ids=ids, series_id=series.id, moved=True)
    )
    return _view(series, now)


@transactional
def cancel_series(actor: User, series_id: int, from_id: int | None, now: datetime) -> SeriesView:
    """Cancel every open occurrence still to come, or those from ``from_id`` on."""
    series = _visible_series(actor, series_id)
    scope = "all" if from_id is None else "following"
    selected = _selected(series, scope, from_id, now)
    for booking in selected:
        audit.record(booking, actor, "cancelled", now, {"status": [booking.status, "cancelled"]})
        booking.status, booking.updated_at = "cancelled", now
        free_booking(booking, now, actor.id)
    series.updated_at = now
    if selected:
        ids = tuple(booking.id for booking in selected)
        publish(BookingsCancelled(actor_id=actor.id, at=now, booking_ids=ids, series_id=series.id))
    return _view(series, now)


@transactional
def add_occurrence(actor: User, series_id: int, start: datetime, now: datetime) -> Booking:
    """Book again a date of the series that was excluded, skipped or cancelled."""
    series = _visible_series(actor, series_id)
    expansion = stored_expansion(series)
    slot = next(
        (s for s in [*expansion.occurrences, *expansion.excluded] if s.start == start), None
    )
    if slot is None:
        raise InvalidFieldsError({"start": ["Not a date of this series' rule."]})
    if any(b.recurrence_id == start and is_occupying(b, now) for b in _bookings_of(series)):
        raise InvalidFieldsError({"start": ["That date of the series is booked already."]})
    resource = resource_for(series.resource_id)
    request = BookingRequest(slot, series.units, series.attendees)
    decision = Judge.prepare(resource, owner_of(series), slot, now).judge(request)
    refuse(decision, override=False)
    series.exdates = [text for text in series.exdates if text != start.isoformat()]
    series.updated_at = now
    booking = _occurrence(series, slot, decision, actor, resource)
    db.session.add(booking)
    db.session.flush()
    record_created(booking, actor, now, decision)
    publish(BookingsMade(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking
