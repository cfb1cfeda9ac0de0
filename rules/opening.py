"""When a resource is open: its opening hours in local time, less bank holidays and closures.

Opening ranges are wall-clock times of the site's zone turned into instants day by day,
so 08:00–18:00 is 08:00–18:00 on the days the clocks change too. Ranges that touch
(``08:00-12:00`` and ``12:00-18:00``, or a night running past midnight) are one stretch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rules.intervals import Interval, clip, merge, subtract
from rules.localtime import from_wall_clock, shift, wall_clock
from rules.rulesets import RuleSet

ALL_DAY = ((0, 24 * 60),)


@dataclass(frozen=True, slots=True)
class Closure:
    """A stretch when a resource (or the whole site) is closed, and why."""

    interval: Interval
    reason: str


def local_days(window: Interval, zone: ZoneInfo) -> Iterator[date]:
    """Every local date that ``window`` touches, in order."""
    day = wall_clock(window.start, zone).date()
    last = wall_clock(window.end - timedelta(microseconds=1), zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def day_interval(day: date, zone: ZoneInfo) -> Interval:
    """The local date ``day`` as instants: midnight to midnight (23 or 25 hours at a change)."""
    midnight = datetime(day.year, day.month, day.day)
    return Interval(from_wall_clock(midnight, zone), from_wall_clock(midnight + timedelta(1), zone))


def opening_ranges(rules: RuleSet, window: Interval, zone: ZoneInfo) -> list[Interval]:
    """The opening hours that touch ``window``, whole (not cut to it), sorted and merged."""
    hours = rules.opening_hours
    if hours is None:
        return [window]
    wide = Interval(shift(window.start, -timedelta(days=1), zone), window.end + timedelta(days=1))
    ranges = []
    for day in local_days(wide, zone):
        midnight = datetime(day.year, day.month, day.day)
        for first, last in hours.get(day.weekday(), ()):
            ranges.append(
                Interval(
                    from_wall_clock(midnight + timedelta(minutes=first), zone),
                    from_wall_clock(midnight + timedelta(minutes=last), zone),
                )
            )
    return [r for r in merge(ranges) if r.end > window.start and r.start < window.end]


def holidays_touched(
    rules: RuleSet, window: Interval, zone: ZoneInfo, bank_holidays: Mapping[date, str]
) -> list[tuple[date, str]]:
    """The bank holidays within ``window`` that close the resource."""
    if not rules.closed_on_bank_holidays:
        return []
    return [(day, bank_holidays[day]) for day in local_days(window, zone) if day in bank_holidays]


def open_time(
    rules: RuleSet,
    window: Interval,
    zone: ZoneInfo,
    bank_holidays: Mapping[date, str],
    closures: Sequence[Closure] = (),
) -> list[Interval]:
    """When the resource is open within ``window``: opening hours, not a closed bank
    holiday, not a closure. Sorted and merged."""
    shut = [
        day_interval(day, zone) for day, _ in holidays_touched(rules, window, zone, bank_holidays)
    ]
    shut.extend(closure.interval for closure in closures)
    result: list[Interval] = []
    for stretch in clip(opening_ranges(rules, window, zone), window):
        result.extend(subtract(stretch, shut))
    return result


def closing_time(rules: RuleSet, at: datetime, zone: ZoneInfo) -> datetime | None:
    """When the opening hours that ``at`` falls in end; ``None`` when ``at`` is outside
    them or there are no opening hours (always open)."""
    if rules.opening_hours is None:
        return None
    for stretch in opening_ranges(rules, Interval(at, at + timedelta(microseconds=1)), zone):
        if stretch.start <= at < stretch.end:
            return stretch.end
    return None
