"""The dates of a series: its rule parsed and expanded in the site's zone, how far ahead
it may reach, which of its dates have no open booking, and how a refused date is told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from booking.errors import InvalidFieldsError, NotFoundError
from booking.extensions import db
from booking.models import Booking, Series, User
from booking.services.catalogue import site_zone
from booking.services.core import busy_time, is_occupying, occupying, visible_to
from rules import Decision, Interval, RuleSet
from rules.durations import LONGEST
from rules.localtime import shift
from rules.recurrence import Expansion, Recurrence, RecurrenceError, expand, parse_rule

#: How far ahead a series may reach where the rules set no ``max_advance``.
DEFAULT_HORIZON = timedelta(days=731)


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


def refusal_of(
    interval: Interval, decision: Decision, *, override: bool, asker: int | None = None
) -> Skipped | None:
    violations = [] if override else decision.violations
    if not decision.conflicts and not violations:
        return None
    return Skipped(
        interval.start,
        interval.end,
        conflicts=busy_time(decision.conflicts, asker),
        violations=[{"code": v.code, "message": v.message} for v in violations],
    )


def as_dict(skipped: Skipped) -> dict[str, Any]:
    found: dict[str, Any] = {"start": skipped.start, "end": skipped.end}
    if skipped.conflicts:
        found["conflicts"] = skipped.conflicts
    if skipped.violations:
        found["violations"] = skipped.violations
    return found


def horizon(rules: RuleSet, now: datetime) -> datetime:
    if rules.max_advance is not None:
        return shift(now, rules.max_advance, site_zone())
    return now + DEFAULT_HORIZON


def parsed_rule(rule: str) -> Recurrence:
    try:
        return parse_rule(rule, site_zone())
    except RecurrenceError as error:
        raise InvalidFieldsError({"rule": [str(error)]}) from error


def expansion_of(
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
    return expansion_of(parsed_rule(series.rule), first, series.start + LONGEST, excluded)


def bookings_of(series: Series) -> list[Booking]:
    query = select(Booking).where(Booking.series_id == series.id)
    return list(db.session.scalars(query.order_by(Booking.recurrence_id, Booking.id)))


def view_of(series: Series, now: datetime) -> SeriesView:
    bookings = bookings_of(series)
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


def visible_series(actor: User, series_id: int) -> Series:
    series = db.session.scalar(
        select(Series).where(Series.id == series_id, visible_to(actor, Series))
    )
    if series is None:
        raise NotFoundError("No such series.")
    return series


def occurrences_to_come(
    series: Series, scope: str, from_id: int | None, now: datetime
) -> list[Booking]:
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
