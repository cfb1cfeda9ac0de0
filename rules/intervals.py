"""Half-open time intervals ``[start, end)`` over aware datetimes.

One overlap definition serves the whole product: two intervals overlap when
``a.start < b.end and b.start < a.end``. Back-to-back intervals therefore do not
overlap. Bookings are never empty (the schema and a database check refuse it); an
empty interval strictly inside another does count as overlapping it, exactly as the
formula and its SQL twin say. The SQL twin of ``overlaps`` lives
with the booking queries and a test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

#: ``unchecked(Interval, (start, end))`` builds an interval from bounds already known to
#: be aware and in order, skipping the checks: for loops that only ever produce such
#: bounds from other intervals.
unchecked = tuple.__new__


class IntervalError(ValueError):
    """An interval was built from naive datetimes or with its end before its start."""


class _Bounds(NamedTuple):
    start: datetime
    end: datetime


class Interval(_Bounds):
    """An immutable half-open interval ``[start, end)`` of aware datetimes.

    A tuple underneath: intervals sort by start, then end, and are built, compared and
    hashed at C speed, which matters when a search handles tens of thousands of them.
    """

    __slots__ = ()

    def __new__(cls, start: datetime, end: datetime) -> Interval:
        if start.tzinfo is None or end.tzinfo is None:
            raise IntervalError("interval bounds must be timezone-aware")
        if end < start:
            raise IntervalError("interval end is before its start")
        return unchecked(cls, (start, end))

    @property
    def duration(self) -> timedelta:
        """The length of the interval."""
        return self.end - self.start

    @property
    def is_empty(self) -> bool:
        """True when the interval holds no instant (``start == end``)."""
        return self.start == self.end

    def contains(self, other: Interval) -> bool:
        """True when ``other`` lies wholly inside this interval."""
        return self.start <= other.start and other.end <= self.end

    def padded(self, before: timedelta, after: timedelta) -> Interval:
        """This interval widened by ``before`` at its start and ``after`` at its end."""
        return Interval(self.start - before, self.end + after)


def overlaps(a: Interval, b: Interval) -> bool:
    """True when ``a`` and ``b`` share at least one instant."""
    return a.start < b.end and b.start < a.end


def intersection(a: Interval, b: Interval) -> Interval | None:
    """The common part of ``a`` and ``b``, or ``None`` when they do not overlap."""
    if not overlaps(a, b):
        return None
    return Interval(max(a.start, b.start), min(a.end, b.end))


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-empty intervals with overlapping and touching ones joined."""
    result: list[Interval] = []
    for current in sorted(i for i in intervals if not i.is_empty):
        if result and current.start <= result[-1].end:
            last = result[-1]
            if current.end > last.end:
                result[-1] = unchecked(Interval, (last.start, current.end))
        else:
            result.append(current)
    return result


def subtract(window: Interval, taken: Iterable[Interval]) -> list[Interval]:
    """The parts of ``window`` not covered by any of ``taken``, sorted and merged."""
    free: list[Interval] = []
    cursor = window.start
    for busy in merge(taken):
        if busy.end <= cursor:
            continue
        if busy.start >= window.end:
            break
        if busy.start > cursor:
            free.append(Interval(cursor, busy.start))
        cursor = max(cursor, busy.end)
    if cursor < window.end:
        free.append(Interval(cursor, window.end))
    return free


def difference(intervals: Sequence[Interval], taken: Sequence[Interval]) -> list[Interval]:
    """The parts of ``intervals`` not covered by ``taken``; both sorted and merged.

    One pass over both lists, so free time of many stretches costs no more than one.
    """
    result: list[Interval] = []
    index, count = 0, len(taken)
    for low, high in intervals:
        cursor = low
        while index < count and taken[index].end <= cursor:
            index += 1
        probe = index
        while probe < count:
            start, end = taken[probe]
            if start >= high:
                break
            if start > cursor:
                result.append(unchecked(Interval, (cursor, start)))
            if end > cursor:
                cursor = end
            probe += 1
        if cursor < high:
            result.append(unchecked(Interval, (cursor, high)))
    return result


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    """Each interval cut to ``window``; those outside it dropped. Order is kept.

    An interval already inside ``window`` is kept as it is (no copy): searches clip
    thousands of them.
    """
    low, high = window.start, window.end
    kept: list[Interval] = []
    for i in intervals:
        if i.start < high and low < i.end:
            inside = low <= i.start and i.end <= high
            kept.append(i if inside else unchecked(Interval, (max(i.start, low), min(i.end, high))))
    return kept


def longest_at_least(intervals: Sequence[Interval], length: timedelta) -> list[Interval]:
    """The intervals whose duration is at least ``length``."""
    return [i for i in intervals if i.duration >= length]
