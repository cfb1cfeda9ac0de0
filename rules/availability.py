"""Free and busy time of one resource within a window.

Busy time is where the resource cannot take one more unit (for a pool, where every
unit is in use). Free time is the open time of the window that is not busy. ``open``
is the seam for availability rules: it lists when the resource may be booked at all,
and defaults to the whole window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from rules.conflicts import Claim, Target, saturated
from rules.intervals import Interval, clip, longest_at_least, merge, subtract


@dataclass(frozen=True, slots=True)
class Availability:
    """Free and busy intervals of one resource, each sorted and merged."""

    free: list[Interval]
    busy: list[Interval]


def find_availability(
    target: Target,
    claims: Iterable[Claim],
    window: Interval,
    open_time: Sequence[Interval] | None = None,
) -> Availability:
    """Free and busy time of ``target`` within ``window`` given the existing ``claims``."""
    busy = saturated(target, claims, window, units=1)
    bookable = merge(clip(open_time, window)) if open_time is not None else [window]
    free: list[Interval] = []
    for stretch in bookable:
        free.extend(subtract(stretch, busy))
    return Availability(free=free, busy=busy)


def first_fit(availability: Availability, duration: timedelta) -> Interval | None:
    """The earliest free interval of at least ``duration``, or ``None``."""
    fits = longest_at_least(availability.free, duration)
    return fits[0] if fits else None
