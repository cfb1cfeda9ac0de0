"""VTIMEZONE components worked out from the zone data, in the compact yearly-rule form.

Calendar apps read an event's ``TZID`` through the VTIMEZONE the calendar carries. A
list of dated transitions (what generic converters write) goes stale and some parsers
read it badly; a STANDARD and a DAYLIGHT part, each with a yearly RRULE such as
``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU``, is what Outlook, Apple and Google write themselves
and what every parser, ical.js included, reads correctly all year.

The rule is found by asking the zone (``zoneinfo``) for its transitions in the years the
calendar spans, and checked to predict every one of them; a zone whose transitions follow
no yearly rule there gets each transition listed (``RDATE``) instead.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: The year the yearly rules are written from, as calendar apps do.
RULE_ORIGIN_YEAR = 1970
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's UTC offset."""

    at: datetime  # the instant, UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str  # the zone's abbreviation after it, e.g. "BST"
    daylight: bool  # whether it starts daylight saving time

    @property
    def local(self) -> datetime:
        """The wall-clock time at which it happens, read with the offset before it."""
        return (self.at + self.offset_from).replace(tzinfo=None)


@lru_cache(maxsize=256)
def transitions(zone: ZoneInfo, year: int) -> tuple[Transition, ...]:
    """The zone's offset changes during ``year`` (UTC), found to the second."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        step = min(moment + DAY, end)
        before, after = moment.astimezone(zone), step.astimezone(zone)
        if before.utcoffset() != after.utcoffset():
            low, high = moment, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before.utcoffset():
                    low = middle
                else:
                    high = middle
            changed = high.astimezone(zone)
            found.append(
                Transition(
                    at=high.replace(microsecond=0),
                    offset_from=before.utcoffset() or timedelta(0),
                    offset_to=changed.utcoffset() or timedelta(0),
                    name=changed.tzname() or zone.key,
                    daylight=bool(changed.dst()),
                )
            )
        moment = step
    return tuple(found)


def yearly_rule(local: datetime) -> tuple[int, str]:
    """The month and ``BYDAY`` naming ``local``'s date every year: the n-th weekday of
    the month, or ``-1`` for the last one."""
    last_day = calendar.monthrange(local.year, local.month)[1]
    week = -1 if local.day + 7 > last_day else (local.day - 1) // 7 + 1
    return local.month, f"{week}{WEEKDAYS[local.weekday()]}"


def _date_by_rule(year: int, month: int, byday: str, clock: datetime) -> datetime:
    week, weekday = int(byday[:-2]), WEEKDAYS.index(byday[-2:])
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if calendar.weekday(year, month, d) == weekday
    ]
    day = days[week - 1] if week > 0 else days[week]
    return datetime(year, month, day, clock.hour, clock.minute, clock.second)


@dataclass(frozen=True, slots=True)
class _Part:
    daylight: bool
    offset_from: timedelta
    offset_to: timedelta
    name: str
    month: int
    byday: str
    clock: datetime


def _part(transition: Transition) -> _Part:
    month, byday = yearly_rule(transition.local)
    return _Part(
        transition.daylight,
        transition.offset_from,
        transition.offset_to,
        transition.name,
        month,
        byday,
        transition.local.replace(year=2000, month=1, day=1),
    )


def _yearly_parts(zone: ZoneInfo, years: range) -> list[_Part] | None:
    """The two yearly parts predicting every transition in ``years``, or None."""
    per_year = [tuple(_part(t) for t in transitions(zone, year)) for year in years]
    first = per_year[0]
    if len(first) != 2 or any(parts != first for parts in per_year):
        return None
    return list(first)


def vtimezone(zone: ZoneInfo, years: range) -> Timezone:
    """The VTIMEZONE for ``zone``, right for every instant in ``years``."""
    component = Timezone()
    component.add("tzid", zone.key)
    parts = _yearly_parts(zone, years)
    if parts is not None:
        for part in parts:
            sub = TimezoneDaylight() if part.daylight else TimezoneStandard()
            sub.add("dtstart", _date_by_rule(RULE_ORIGIN_YEAR, part.month, part.byday, part.clock))
            sub.add("tzoffsetfrom", part.offset_from)
            sub.add("tzoffsetto", part.offset_to)
            sub.add("tzname", part.name)
            sub.add("rrule", {"freq": "yearly", "bymonth": part.month, "byday": part.byday})
            component.add_component(sub)
        return component
    changes = [t for year in years for t in transitions(zone, year)]
    if not changes:
        # no change of offset: one standard part
        offset = datetime(years.start, 1, 1, tzinfo=UTC).astimezone(zone)
        sub = TimezoneStandard()
        sub.add("dtstart", datetime(RULE_ORIGIN_YEAR, 1, 1))
        sub.add("tzoffsetfrom", offset.utcoffset() or timedelta(0))
        sub.add("tzoffsetto", offset.utcoffset() or timedelta(0))
        sub.add("tzname", offset.tzname() or zone.key)
        component.add_component(sub)
        return component
    for change in changes:
        sub = TimezoneDaylight() if change.daylight else TimezoneStandard()
        sub.add("dtstart", change.local)
        sub.add("rdate", change.local)
        sub.add("tzoffsetfrom", change.offset_from)
        sub.add("tzoffsetto", change.offset_to)
        sub.add("tzname", change.name)
        component.add_component(sub)
    return component


@lru_cache(maxsize=64)
def vtimezone_bytes(zone: ZoneInfo, first: int, last: int) -> bytes:
    """``vtimezone(zone, range(first, last))`` as iCalendar bytes, made once per zone
    and years: every invitation and feed of a site carries the same one."""
    text: bytes = vtimezone(zone, range(first, last)).to_ical()
    return text
