"""Conflicts and availability: the hierarchy rule, pools counted per instant."""

from hypothesis import given
from hypothesis import strategies as st

from rules import (
    Claim,
    Interval,
    Target,
    find_availability,
    find_conflicts,
    first_fit,
    overlaps,
    usage_profile,
)
from tests.rules.strategies import STEP, instant, intervals

ROOM = Target(resource_id=1, quantity=1)
POOL = Target(resource_id=2, quantity=3)


def claim(resource_id: int, start: int, end: int, units: int = 1) -> Claim:
    return Claim(resource_id, Interval(instant(start), instant(end)), units)


def test_single_resource_clash_and_back_to_back() -> None:
    existing = [claim(1, 0, 4)]
    assert find_conflicts(ROOM, Interval(instant(4), instant(6)), 1, existing) == []
    assert find_conflicts(ROOM, Interval(instant(3), instant(6)), 1, existing) == existing


def test_a_related_resource_takes_the_whole_target_even_a_pool() -> None:
    parent_booking = claim(99, 0, 4)
    assert find_conflicts(POOL, Interval(instant(1), instant(2)), 1, [parent_booking]) == [
        parent_booking
    ]


def test_pool_overlaps_count_units_per_instant_not_bookings() -> None:
    # Four bookings overlap the request, but never more than two at one instant.
    existing = [claim(2, 0, 2), claim(2, 2, 4), claim(2, 1, 3), claim(2, 3, 5)]
    assert find_conflicts(POOL, Interval(instant(0), instant(5)), 1, existing) == []
    assert find_conflicts(POOL, Interval(instant(0), instant(5)), 2, existing) != []


def test_only_claims_in_over_full_stretches_are_reported() -> None:
    existing = [claim(2, 0, 2, units=2), claim(2, 6, 8, units=1)]
    clashes = find_conflicts(POOL, Interval(instant(0), instant(8)), 2, existing)
    assert clashes == [existing[0]]


def test_empty_request_never_conflicts() -> None:
    assert find_conflicts(ROOM, Interval(instant(1), instant(1)), 1, [claim(1, 0, 4)]) == []


def brute_force_peak(target: Target, claims: list[Claim], at: int) -> int:
    probe = Interval(instant(at), instant(at) + STEP)
    return sum(
        (c.units if c.resource_id == target.resource_id else target.quantity)
        for c in claims
        if c.interval.start < probe.end and probe.start < c.interval.end
    )


pool_claims = st.lists(
    st.builds(
        lambda iv, units, related: Claim(99 if related else 2, iv, units),
        intervals(span=20),
        st.integers(1, 3),
        st.booleans(),
    ),
    max_size=8,
)


@given(pool_claims, intervals(span=20), st.integers(1, 3))
def test_conflict_exactly_when_some_instant_would_overflow(
    claims: list[Claim], request: Interval, units: int
) -> None:
    steps = range(int((request.start - instant(0)) / STEP), int((request.end - instant(0)) / STEP))
    overflows = any(brute_force_peak(POOL, claims, i) + units > POOL.quantity for i in steps)
    assert bool(find_conflicts(POOL, request, units, claims)) == overflows


@given(pool_claims, intervals(span=20))
def test_usage_profile_matches_brute_force(claims: list[Claim], window: Interval) -> None:
    profile = usage_profile(POOL, claims, window)
    for i in range(int((window.start - instant(0)) / STEP), int((window.end - instant(0)) / STEP)):
        here = instant(i)
        in_use = next((u.units for u in profile if u.interval.start <= here < u.interval.end), 0)
        assert in_use == brute_force_peak(POOL, claims, i)


@given(pool_claims, intervals(span=20), st.sampled_from([POOL, Target(2, 1)]))
def test_free_time_is_exactly_where_one_more_unit_fits(
    claims: list[Claim], window: Interval, target: Target
) -> None:
    availability = find_availability(target, claims, window)
    for free in availability.free:
        assert find_conflicts(target, free, 1, claims) == []
    for busy in availability.busy:
        assert find_conflicts(target, busy, 1, claims) != []
    for i in range(int((window.start - instant(0)) / STEP), int((window.end - instant(0)) / STEP)):
        probe = Interval(instant(i), instant(i + 1))
        full = brute_force_peak(target, claims, i) >= target.quantity
        assert any(overlaps(probe, b) for b in availability.busy) == full


def test_open_time_limits_free_time_and_first_fit() -> None:
    window = Interval(instant(0), instant(40))
    open_time = [Interval(instant(4), instant(12)), Interval(instant(20), instant(30))]
    availability = find_availability(ROOM, [claim(1, 4, 10)], window, open_time)
    assert availability.free == [
        Interval(instant(10), instant(12)),
        Interval(instant(20), instant(30)),
    ]
    assert first_fit(availability, 4 * STEP) == Interval(instant(20), instant(24))
    assert first_fit(availability, 40 * STEP) is None
