"""What to offer instead when the time asked for is taken.

Ranked: the same resource at the nearest free times that day (at most three), other
resources of the same kind that fit the people and features at the time asked for, then
the same resource on each of the following days at the free time nearest the one asked
for. Every offer is judged like a booking for the same person, quotas and
certifications included, so each can be booked as offered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from booking.models import Resource, User
from booking.services.catalogue import ResourceFilter, get_resource, resource_names, site_zone
from booking.services.core import target_of
from booking.services.finding import search_availability
from booking.services.reservations.judging import Judge
from rules import (
    BookingRequest,
    Interval,
    bookable_time,
    claims_window,
    find_availability,
)
from rules.localtime import align_up, from_wall_clock, wall_clock

OFFERED = 5
SAME_DAY = 3
FOLLOWING_DAYS = 7
#: The step between offered starts where the resource has no ``slot`` rule.
STEP = timedelta(minutes=15)


def _starts(free: list[Interval], duration: timedelta, step: timedelta) -> Iterator[Interval]:
    zone = site_zone()
    for stretch in free:
        start = align_up(stretch.start, step, zone)
        while start + duration <= stretch.end:
            yield Interval(start, start + duration)
            start = align_up(start + step, step, zone)


def _is_clear(judge: Judge, request: BookingRequest) -> bool:
    decision = judge.judge(request)
    return not decision.violations and not decision.conflicts


def _same_resource(
    resource: Resource, beneficiary: User, request: BookingRequest, now: datetime
) -> tuple[list[Interval], list[Interval]]:
    """Offers on the resource itself: nearest that day, then one a day after it."""
    zone = site_zone()
    asked = request.interval
    day = wall_clock(asked.start, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [from_wall_clock(day + timedelta(days=n), zone) for n in range(FOLLOWING_DAYS + 2)]
    span = Interval(days[0], days[-1])
    judge = Judge.prepare(resource, beneficiary, span, now, lock=False)
    rules = judge.rules
    open_time = bookable_time(rules, span, judge.context)
    claims = judge.timeline.overlapping(claims_window(span, rules))
    free = find_availability(target_of(resource), claims, span, open_time, rules).free
    duration, step = asked.duration, rules.slot or STEP
    by_day: list[list[Interval]] = [[] for _ in days[:-1]]
    for offer in _starts(free, duration, step):
        if offer != asked:
            index = next(i for i in range(len(days) - 1) if offer.start < days[i + 1])
            by_day[index].append(offer)
    wall = wall_clock(asked.start, zone).time()

    def nearest(offers: list[Interval], to: datetime, limit: int) -> list[Interval]:
        chosen = []
        for offer in sorted(offers, key=lambda o: abs(o.start - to)):
            if _is_clear(judge, BookingRequest(offer, request.units, request.attendees)):
                chosen.append(offer)
                if len(chosen) == limit:
                    break
        return chosen

    same_day = nearest(by_day[0], asked.start, SAME_DAY)
    later = []
    for n, offers in enumerate(by_day[1:], start=1):
        at_same_time = from_wall_clock(
            datetime.combine((day + timedelta(days=n)).date(), wall), zone
        )
        later.extend(nearest(offers, at_same_time, 1))
    return same_day, later


def _other_resources(
    resource: Resource, beneficiary: User, request: BookingRequest, now: datetime
) -> list[tuple[int, Interval]]:
    asked = request.interval
    filters = ResourceFilter(
        kind=resource.kind, min_capacity=request.attendees, feature=tuple(resource.features or ())
    )
    found = []
    for match in search_availability(beneficiary, asked, asked.duration, filters, now, limit=10):
        if match.resource.id == resource.id or match.first_fit != asked:
            continue
        other = get_resource(match.resource.id)
        if _is_clear(Judge.prepare(other, beneficiary, asked, now, lock=False), request):
            found.append((other.id, asked))
            if len(found) == OFFERED:
                break
    return found


def suggest_alternatives(
    resource: Resource, beneficiary: User, request: BookingRequest, now: datetime
) -> list[dict[str, object]]:
    """Up to five bookings ``beneficiary`` could make instead of ``request``, best first,
    each with its resource's name (people choose by name)."""
    same_day, later = _same_resource(resource, beneficiary, request, now)
    others = _other_resources(resource, beneficiary, request, now)
    ranked = [(resource.id, offer) for offer in same_day] + others
    ranked += [(resource.id, offer) for offer in later]
    names = resource_names() if others else {resource.id: resource.name}
    return [
        {"resource_id": rid, "name": names[rid], "start": offer.start, "end": offer.end}
        for rid, offer in ranked[:OFFERED]
    ]
