"""Free and busy time of one resource within a window, and the earliest slot that fits.

Busy time is where the resource cannot take one more unit (for a pool, where every
unit is in use), widened by the resource's own buffers: a new booking there would
reach into another's occupied time. Closed time is what the rules keep shut: outside
opening hours, closures, closed bank holidays, the past, and outside the notice and
advance limits. Free time is the rest of the window. A booking that lies in free time
and meets the duration and slot rules is accepted (quotas and certifications aside,
which depend on who books).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from rules.conflicts import Claim, Target, saturated
from rules.intervals import Interval, clip, difference, intersection, merge, subtract, unchecked
from rules.localtime import align_up, is_aligned, shift
from rules.opening import open_time
from rules.policies import Circumstances
from rules.rulesets import RuleSet

#: How many slot edges ``first_fit`` tries in one free stretch; more than one only
#: matters where a clock change makes an aligned start give a misaligned end.
_EDGES_TRIED = 4


@dataclass(frozen=True, slots=True)
class Availability:
    """Free and busy intervals of one resource within ``window``, each sorted and merged.

    ``open_time`` is when the rules allow bookings; ``closed`` is the rest of the window,
    worked out only when asked for.
    """

    window: Interval
    free: list[Interval]
    busy: list[Interval]
    open_time: list[Interval]

    @property
    def closed(self) -> list[Interval]:
        """Time the rules keep shut, sorted and merged."""
        return subtract(self.window, self.open_time)


def bookable_time(rules: RuleSet, window: Interval, context: Circumstances) -> list[Interval]:
    """When a booking may lie by the rules alone: open, and within notice and advance."""
    now, zone = context.now, context.zone
    earliest = window.start if "in_the_past" in context.exempt else max(window.start, now)
    if rules.min_notice and "too_soon" not in context.exempt:
        earliest = max(earliest, shift(now, rules.min_notice, zone))
    latest = window.end
    if rules.max_advance is not None and "too_far_ahead" not in context.exempt:
        latest = min(latest, shift(now, rules.max_advance, zone))
    if latest <= earliest:
        return []
    span = intersection(window, Interval(earliest, latest))
    if span is None:
        return []
    return open_time(rules, span, zone, context.bank_holidays, context.closures)


def claims_window(window: Interval, rules: RuleSet) -> Interval:
    """The stretch whose claims matter for free time in ``window``, given the buffers."""
    return window.padded(rules.buffer_before, rules.buffer_after)


def _widened_claims(
    claims: Sequence[Claim], window: Interval, before: timedelta, after: timedelta
) -> list[Interval]:
    """Busy time of a single-unit target in one pass: every claim takes it whole, so busy
    time is the claims widened by the buffers (``after`` before them, ``before`` after
    them), cut to ``window`` and merged. A search does this for hundreds of resources."""
    low, high = window.start, window.end
    if before or after:
        spans = sorted((c.interval.start - after, c.interval.end + before) for c in claims)
    else:
        spans = sorted(c.interval for c in claims)
    busy: list[Interval] = []
    first = last = low
    for start, end in spans:
        if end <= low or start >= high or start >= end:
            continue
        if start < low:
            start = low
        if end > high:
            end = high
        if busy and start <= last:
            if end > last:
                last = end
                busy[-1] = unchecked(Interval, (first, last))
        else:
            first, last = start, end
            busy.append(unchecked(Interval, (first, last)))
    return busy


def find_availability(
    target: Target,
    claims: Sequence[Claim],
    window: Interval,
    open_time: Sequence[Interval] | None = None,
    rules: RuleSet | None = None,
) -> Availability:
    """Free, busy and closed time of ``target`` within ``window``.

    ``claims`` should cover ``claims_window(window, rules)``; ``open_time`` is when the
    rules allow bookings, sorted, merged and within ``window`` (as ``bookable_time``
    gives it), the whole window when ``None``.
    """
    before = rules.buffer_before if rules else timedelta(0)
    after = rules.buffer_after if rules else timedelta(0)
    if target.quantity == 1:
        busy = _widened_claims(claims, window, before, after)
    else:
        taken = saturated(target, claims, window.padded(before, after), units=1)
        widened = (Interval(s.start - after, s.end + before) for s in taken)
        busy = clip(merge(widened), window)
    bookable = list(open_time) if open_time is not None else [window]
    return Availability(window, free=difference(bookable, busy), busy=busy, open_time=bookable)


def fits_length(duration: timedelta, rules: RuleSet) -> bool:
    """True when a booking of ``duration`` meets the minimum and maximum length."""
    too_short = rules.min_duration is not None and duration < rules.min_duration
    too_long = rules.max_duration is not None and duration > rules.max_duration
    return not (too_short or too_long or duration <= timedelta(0))


def first_fit(
    availability: Availability,
    duration: timedelta,
    rules: RuleSet | None = None,
    context: Circumstances | None = None,
) -> Interval | None:
    """The earliest booking of ``duration`` the rules accept in free time, or ``None``.

    With a ``slot`` rule the start and end fall on slot edges of local time.
    """
    if rules is not None and not fits_length(duration, rules):
        return None
    slot = rules.slot if rules is not None and context is not None else None
    for stretch in availability.free:
        if slot is None or context is None:
            if stretch.duration >= duration:
                return Interval(stretch.start, stretch.start + duration)
            continue
        start = align_up(stretch.start, slot, context.zone)
        for _ in range(_EDGES_TRIED):
            end = start + duration
            if end > stretch.end:
                break
            if is_aligned(end, slot, context.zone):
                return Interval(start, end)
            start = align_up(start + slot, slot, context.zone)
    return None
