"""Conflicts between a requested booking and the time already claimed.

The hierarchy rule: a booking occupies its resource, every descendant and every
bookable ancestor. So, seen from one *target* resource, a claim on the target itself
uses ``units`` of the target's ``quantity``, while a claim on a related resource
(ancestor or descendant) uses the whole target. A pool of ``quantity`` N admits
overlapping claims while the units in use at every instant stay at most N: usage is
counted per instant, never as a count of overlapping bookings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from rules.intervals import Interval, clip, merge, overlaps


@dataclass(frozen=True, slots=True)
class Target:
    """The resource being asked for, as conflict checking sees it."""

    resource_id: int
    quantity: int = 1


class Claim(NamedTuple):
    """Time held on a resource by one booking: its occupied interval and units. A named
    tuple, as a search reads thousands (a frozen dataclass took five times as long to
    make)."""

    resource_id: int
    interval: Interval
    units: int = 1
    booking_id: int | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Units of the target in use during ``interval`` (a constant stretch)."""

    interval: Interval
    units: int


def units_used(target: Target, claim: Claim) -> int:
    """Units of ``target`` that ``claim`` uses: its own units, or all of it if related."""
    if claim.resource_id == target.resource_id:
        return claim.units
    return target.quantity


def usage_profile(target: Target, claims: Iterable[Claim], window: Interval) -> list[Usage]:
    """Units in use at every instant of ``window``, as sorted stretches of constant use.

    Stretches where nothing is in use are left out.
    """
    deltas: dict[datetime, int] = {}
    for claim in claims:
        if not overlaps(claim.interval, window):
            continue
        start = max(claim.interval.start, window.start)
        end = min(claim.interval.end, window.end)
        used = units_used(target, claim)
        deltas[start] = deltas.get(start, 0) + used
        deltas[end] = deltas.get(end, 0) - used
    profile: list[Usage] = []
    in_use = 0
    points = sorted(deltas)
    for here, following in zip(points, points[1:], strict=False):
        in_use += deltas[here]
        if in_use > 0:
            profile.append(Usage(Interval(here, following), in_use))
    return profile


def saturated(
    target: Target, claims: Iterable[Claim], window: Interval, units: int
) -> list[Interval]:
    """Merged parts of ``window`` where ``units`` more would exceed the target's quantity."""
    if target.quantity == 1:
        # Every claim takes the one unit, so any claimed instant is full: no sweep needed.
        return merge(clip((claim.interval for claim in claims), window))
    limit = target.quantity - units
    return merge(u.interval for u in usage_profile(target, claims, window) if u.units > limit)


def find_conflicts(
    target: Target, requested: Interval, units: int, claims: Sequence[Claim]
) -> list[Claim]:
    """The claims standing in the way of ``units`` of ``target`` during ``requested``.

    Empty when the request fits. A claim is reported when it overlaps a stretch in
    which the request would take the target over its quantity; results are sorted by
    start, then resource.
    """
    if requested.is_empty:
        return []
    full = saturated(target, claims, requested, units)
    if not full:
        return []
    clashing = {
        claim for claim in claims if any(overlaps(claim.interval, stretch) for stretch in full)
    }
    return sorted(clashing, key=lambda c: (c.interval.start, c.interval.end, c.resource_id))


class ClaimTimeline:
    """Claims kept in order of start, so the few that overlap a window are found without
    scanning them all (a series checks dozens of windows against thousands of claims)."""

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._claims = sorted(claims, key=_start_of)
        self._starts = [claim.interval.start for claim in self._claims]
        self._longest = max((c.interval.duration for c in self._claims), default=timedelta(0))

    def add(self, claim: Claim) -> None:
        """Take ``claim`` into account from now on."""
        index = bisect_left(self._starts, claim.interval.start)
        self._starts.insert(index, claim.interval.start)
        self._claims.insert(index, claim)
        self._longest = max(self._longest, claim.interval.duration)

    def overlapping(self, window: Interval) -> list[Claim]:
        """The claims that overlap ``window``, by start."""
        low = bisect_left(self._starts, window.start - self._longest)
        high = bisect_left(self._starts, window.end)
        return [c for c in self._claims[low:high] if overlaps(c.interval, window)]


def _start_of(claim: Claim) -> datetime:
    return claim.interval.start
