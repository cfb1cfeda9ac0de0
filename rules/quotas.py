"""Quotas: hours a tenant or a user may book per local day, week (Monday to Sunday) or
calendar month.

A booking counts towards the periods it falls in, each with the part of it inside that
period, times its units (two desks for three hours are six desk-hours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rules.conflicts import Claim
from rules.intervals import Interval, intersection
from rules.localtime import from_wall_clock, wall_clock
from rules.rulesets import Quota
from rules.violations import Violation

HOUR = timedelta(hours=1)


def _period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _instant(day: date, zone: ZoneInfo) -> datetime:
    return from_wall_clock(datetime(day.year, day.month, day.day), zone)


def periods(interval: Interval, period: str, zone: ZoneInfo) -> list[Interval]:
    """The local days, weeks or months that ``interval`` falls in, as instants."""
    start = _period_start(wall_clock(interval.start, zone).date(), period)
    found = []
    while True:
        following = _next_period(start, period)
        found.append(Interval(_instant(start, zone), _instant(following, zone)))
        if found[-1].end >= interval.end:
            return found
        start = following


def quota_window(interval: Interval, quotas: Sequence[Quota], zone: ZoneInfo) -> Interval | None:
    """The span of every period the quotas look at, for loading the bookings they count."""
    spans = [p for quota in quotas for p in periods(interval, quota.period, zone)]
    if not spans:
        return None
    return Interval(min(p.start for p in spans), max(p.end for p in spans))


def _used(claims: Sequence[Claim], period: Interval) -> timedelta:
    total = timedelta(0)
    for claim in claims:
        part = intersection(claim.interval, period)
        if part is not None:
            total += part.duration * claim.units
    return total


def used_now(
    quota: Quota, counted: Sequence[Claim], at: datetime, zone: ZoneInfo
) -> tuple[date, timedelta]:
    """The first local day of the quota's period running at ``at``, and the time its
    ``counted`` bookings take of that period."""
    period = periods(Interval(at, at + timedelta(seconds=1)), quota.period, zone)[0]
    return wall_clock(period.start, zone).date(), _used(counted, period)


def _hours(length: timedelta) -> str:
    return f"{length / HOUR:g}"


def check_quotas(
    interval: Interval,
    units: int,
    quotas: Sequence[Quota],
    counted: Mapping[Quota, Sequence[Claim]],
    zone: ZoneInfo,
) -> list[Violation]:
    """A ``quota_exceeded`` violation for each quota period the booking would overrun.

    ``counted`` holds, per quota, the bookings already counted against it (of the same
    tenant or user, on the resources the quota covers).
    """
    violations = []
    for quota in quotas:
        allowed = quota.hours * HOUR
        for period in periods(interval, quota.period, zone):
            part = intersection(interval, period)
            if part is None:
                continue
            used = _used(counted.get(quota, ()), period)
            asked = part.duration * units
            if used + asked > allowed:
                first = wall_clock(period.start, zone).date()
                violations.append(
                    Violation(
                        "quota_exceeded",
                        f"The {quota.scope} quota is {quota.hours:g} hours per {quota.period} "
                        f"(the {quota.period} from {first.isoformat()}): {_hours(used)} hours "
                        f"are booked already and this booking needs {_hours(asked)}.",
                    )
                )
    return violations
