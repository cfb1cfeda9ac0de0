"""The rules engine: every reason a booking may not be made, and what it would occupy.

``check_request`` weighs a request against the resource's effective rules and the
circumstances (now, the zone, bank holidays, closures, the booker's certifications,
the bookings counted by quotas) and returns every violation at once, in the order of
``rules.violations.CODES``. ``decide`` adds the conflicts with time already claimed.
Nothing here reads a clock or a database.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rules.conflicts import Claim, Target, find_conflicts
from rules.durations import format_duration
from rules.intervals import Interval, overlaps
from rules.localtime import is_aligned, shift, wall_clock
from rules.opening import Closure, holidays_touched, opening_ranges
from rules.quotas import check_quotas
from rules.rulesets import Quota, RuleSet
from rules.violations import CODES, Violation

_RANK = {code: index for index, code in enumerate(CODES)}


@dataclass(frozen=True, slots=True)
class ResourceFacts:
    """What the policies need to know about the resource asked for."""

    name: str
    bookable: bool
    quantity: int = 1
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """A booking as asked for: when, how many units and how many people."""

    interval: Interval
    units: int = 1
    attendees: int | None = None


@dataclass(frozen=True, slots=True)
class Circumstances:
    """Everything besides the request and the rules that the policies weigh.

    ``certifications`` maps the booker's certification codes to their expiry date
    (``None``: never expires); ``counted`` holds, per quota, the bookings it already
    counts; ``exempt`` lists violation codes that do not apply to this request.
    """

    now: datetime
    zone: ZoneInfo
    bank_holidays: Mapping[date, str] = field(default_factory=dict)
    closures: Sequence[Closure] = ()
    certifications: Mapping[str, date | None] = field(default_factory=dict)
    counted: Mapping[Quota, Sequence[Claim]] = field(default_factory=dict)
    exempt: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on a request: violations, clashes, the time it would occupy (buffers
    included) and whether it waits for approval."""

    violations: list[Violation]
    conflicts: list[Claim]
    occupied: Interval
    needs_approval: bool


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return wall_clock(moment, zone).strftime("%a %d %b %Y %H:%M")


def _hours_of(rules: RuleSet, day: int) -> str:
    hours = rules.opening_hours or {}
    ranges = [
        f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in hours.get(day, ())
    ]
    return ", ".join(ranges) if ranges else "closed"


def _opening(name: str, interval: Interval, rules: RuleSet, zone: ZoneInfo) -> list[Violation]:
    if rules.opening_hours is None:
        return []
    if any(r.contains(interval) for r in opening_ranges(rules, interval, zone)):
        return []
    day = wall_clock(interval.start, zone).weekday()
    hours = _hours_of(rules, day)
    state = "closed" if hours == "closed" else f"open {hours}"
    return [
        Violation(
            "outside_opening_hours",
            f"{name} is {state} on {calendar.day_name[day]}s (local time); "
            "the booking must lie within one opening period.",
        )
    ]


def _closed(
    name: str, interval: Interval, rules: RuleSet, context: Circumstances
) -> list[Violation]:
    found = [
        Violation(
            "closed",
            f"{name} is closed from {_clock(c.interval.start, context.zone)} to "
            f"{_clock(c.interval.end, context.zone)}: {c.reason}",
        )
        for c in context.closures
        if overlaps(c.interval, interval)
    ]
    found.extend(
        Violation("closed", f"{name} is closed on bank holidays: {day:%a %d %b %Y} is {holiday}.")
        for day, holiday in holidays_touched(rules, interval, context.zone, context.bank_holidays)
    )
    return found


def _length(interval: Interval, rules: RuleSet, zone: ZoneInfo) -> list[Violation]:
    found = []
    length = interval.duration
    if rules.min_duration is not None and length < rules.min_duration:
        found.append(
            Violation("too_short", f"Bookings last at least {format_duration(rules.min_duration)}.")
        )
    if rules.max_duration is not None and length > rules.max_duration:
        found.append(
            Violation("too_long", f"Bookings last at most {format_duration(rules.max_duration)}.")
        )
    slot = rules.slot
    if slot and not (
        is_aligned(interval.start, slot, zone) and is_aligned(interval.end, slot, zone)
    ):
        found.append(
            Violation(
                "misaligned",
                f"Bookings start and end on {format_duration(slot)} boundaries of local time.",
            )
        )
    return found


def _timing(interval: Interval, rules: RuleSet, context: Circumstances) -> list[Violation]:
    now, zone = context.now, context.zone
    if interval.start < now:
        return [Violation("in_the_past", "The booking would start in the past.")]
    found = []
    if rules.min_notice and interval.start < shift(now, rules.min_notice, zone):
        found.append(
            Violation(
                "too_soon",
                f"Book at least {format_duration(rules.min_notice)} ahead; the earliest start "
                f"now is {_clock(shift(now, rules.min_notice, zone), zone)}.",
            )
        )
    if rules.max_advance is not None and interval.start > shift(now, rules.max_advance, zone):
        found.append(
            Violation(
                "too_far_ahead",
                f"Bookings open {format_duration(rules.max_advance)} ahead; the latest start "
                f"now is {_clock(shift(now, rules.max_advance, zone), zone)}.",
            )
        )
    return found


def _capacity(request: BookingRequest, resource: ResourceFacts) -> list[Violation]:
    found = []
    if request.units > resource.quantity:
        found.append(
            Violation(
                "over_capacity",
                f"{resource.name} has {resource.quantity} unit(s); {request.units} were asked for.",
            )
        )
    attendees, capacity = request.attendees, resource.capacity
    if attendees is not None and capacity is not None and attendees > capacity:
        found.append(
            Violation(
                "over_capacity",
                f"{resource.name} holds {capacity} people; {attendees} were asked for.",
            )
        )
    return found


def check_certification(
    interval: Interval, rules: RuleSet, context: Circumstances
) -> list[Violation]:
    """A violation unless the booker holds the required certification through ``interval``."""
    code = rules.required_certification
    if code is None:
        return []
    last_day = wall_clock(interval.end - timedelta(microseconds=1), context.zone).date()
    if code in context.certifications:
        expires_on = context.certifications[code]
        if expires_on is None or expires_on >= last_day:
            return []
        return [
            Violation(
                "certification_required",
                f"The {code} certification expires on {expires_on.isoformat()}, "
                "before this booking ends.",
            )
        ]
    return [Violation("certification_required", f"This needs the {code} certification.")]


def standing_violations(
    name: str, interval: Interval, rules: RuleSet, context: Circumstances
) -> list[Violation]:
    """The rules a booking already made can come to break when rules change: opening
    hours, closures and bank holidays, and its length and slots (not notice, advance or
    quotas, which were judged when it was made)."""
    return [
        *_opening(name, interval, rules, context.zone),
        *_closed(name, interval, rules, context),
        *_length(interval, rules, context.zone),
    ]


def lacking_training(
    rules: RuleSet, certifications: Mapping[str, date | None], now: datetime, zone: ZoneInfo
) -> str | None:
    """Why someone holding ``certifications`` may not book under ``rules`` at all today
    (the certification it requires, missing or run out), or None."""
    if rules.required_certification is None:
        return None
    held = Circumstances(now, zone, certifications=certifications)
    refused = check_certification(Interval(now, now + timedelta(seconds=1)), rules, held)
    return refused[0].message if refused else None


def check_request(
    request: BookingRequest,
    resource: ResourceFacts,
    rules: RuleSet,
    context: Circumstances,
) -> list[Violation]:
    """Every rule ``request`` breaks (empty if none), in the order of the contract's codes."""
    interval, name = request.interval, resource.name
    found: list[Violation] = []
    if not resource.bookable:
        found.append(Violation("not_bookable", f"{name} cannot be booked on its own."))
    found += _timing(interval, rules, context)
    found += _opening(name, interval, rules, context.zone)
    found += _closed(name, interval, rules, context)
    found += _length(interval, rules, context.zone)
    found += _capacity(request, resource)
    found += check_quotas(interval, request.units, rules.quotas, context.counted, context.zone)
    found += check_certification(interval, rules, context)
    found.sort(key=lambda v: _RANK[v.code])
    return [v for v in found if v.code not in context.exempt]


def occupied_time(interval: Interval, rules: RuleSet) -> Interval:
    """The time a booking holds: its own, widened by the buffers before and after."""
    return interval.padded(rules.buffer_before, rules.buffer_after)


def decide(
    request: BookingRequest,
    resource: ResourceFacts,
    rules: RuleSet,
    context: Circumstances,
    target: Target,
    claims: Sequence[Claim],
) -> Decision:
    """The whole verdict on ``request``: every violation and every clash.

    ``claims`` are the occupied times of the bookings that share space with the
    resource (see ``rules.conflicts``); a clash inside a buffer is a conflict.
    """
    occupied = occupied_time(request.interval, rules)
    return Decision(
        violations=check_request(request, resource, rules, context),
        conflicts=find_conflicts(target, occupied, request.units, claims),
        occupied=occupied,
        needs_approval=rules.requires_approval,
    )
