"""Free time under rules: it partitions the window with busy and closed time, and every
slot ``first_fit`` offers is one the rules engine accepts without a conflict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import (
    BookingRequest,
    Circumstances,
    Claim,
    Closure,
    Interval,
    Layer,
    ResourceFacts,
    Target,
    bank_holidays,
    bookable_time,
    check_request,
    claims_window,
    closing_time,
    decide,
    effective_rules,
    find_availability,
    first_fit,
    merge,
)

LONDON = ZoneInfo("Europe/London")
STEP = timedelta(minutes=5)
#: Windows start around the spring clock change, the autumn one, or a bank holiday.
ORIGINS = [
    datetime(2027, 3, 26, tzinfo=UTC),
    datetime(2026, 10, 23, tzinfo=UTC),
    datetime(2026, 12, 24, tzinfo=UTC),
]
DURATIONS = st.sampled_from(["PT15M", "PT30M", "PT1H", "PT2H", "PT4H"])
ROOM = ResourceFacts("Lab", bookable=True)


@st.composite
def hours(draw: st.DrawFn) -> dict[str, list[str]]:
    days: dict[str, list[str]] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        if draw(st.booleans()):
            first = draw(st.integers(0, 20))
            last = draw(st.integers(first + 1, 24))
            days[day] = [f"{first:02d}:00-{last:02d}:00" if last < 24 else f"{first:02d}:00-24:00"]
    return days


@st.composite
def rule_sets(draw: st.DrawFn) -> dict[str, Any]:
    rules: dict[str, Any] = {}
    if draw(st.booleans()):
        rules["opening_hours"] = draw(hours())
    rules["closed_on_bank_holidays"] = draw(st.booleans())
    for name, options in (
        ("slot", ["PT15M", "PT30M", "PT1H"]),
        ("min_duration", ["PT15M", "PT1H"]),
        ("max_duration", ["PT2H", "PT8H"]),
        ("min_notice", ["PT1H", "P1D"]),
        ("max_advance", ["P2D", "P5D"]),
        ("buffer_before", ["PT10M", "PT30M"]),
        ("buffer_after", ["PT15M", "PT30M"]),
    ):
        if draw(st.booleans()):
            rules[name] = draw(st.sampled_from(options))
    return rules


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    origin = draw(st.sampled_from(ORIGINS))
    now = origin + draw(st.integers(0, 24 * 12)) * STEP
    start = origin + draw(st.integers(0, 24 * 12 * 2)) * STEP
    window = Interval(start, start + draw(st.integers(1, 24 * 12 * 4)) * STEP)

    def stretch() -> Interval:
        first = origin + draw(st.integers(0, 24 * 12 * 7)) * STEP
        return Interval(first, first + draw(st.integers(1, 12 * 8)) * STEP)

    claims = [
        Claim(draw(st.sampled_from([1, 2])), stretch(), 1, n)
        for n in range(draw(st.integers(0, 8)))
    ]
    closures = [Closure(stretch(), "closed") for _ in range(draw(st.integers(0, 2)))]
    return {
        "rules": effective_rules([Layer(None, draw(rule_sets()))]),
        "context": Circumstances(
            now=now,
            zone=LONDON,
            bank_holidays=bank_holidays(Interval(origin, origin + timedelta(days=14)), LONDON),
            closures=closures,
        ),
        "window": window,
        "claims": claims,
    }


def _availability(s: dict[str, Any]) -> Any:
    open_time = bookable_time(s["rules"], s["window"], s["context"])
    return find_availability(Target(1), s["claims"], s["window"], open_time, s["rules"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(scenarios())
def test_free_busy_and_closed_cover_the_window_and_free_meets_neither(s: dict[str, Any]) -> None:
    availability = _availability(s)
    for part in (availability.free, availability.busy, availability.closed):
        assert merge(part) == part  # sorted, merged, non-empty
        assert all(s["window"].contains(i) for i in part)
    assert merge([*availability.free, *availability.busy, *availability.closed]) == [s["window"]]
    for free in availability.free:
        assert not any(free.start < b.end and b.start < free.end for b in availability.busy)
        assert not any(free.start < c.end and c.start < free.end for c in availability.closed)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(scenarios(), DURATIONS)
def test_the_first_fit_is_accepted_by_the_rules_and_clashes_with_nothing(
    s: dict[str, Any], duration_text: str
) -> None:
    duration = effective_rules([Layer(None, {"min_duration": duration_text})]).min_duration
    assert duration is not None
    fit = first_fit(_availability(s), duration, s["rules"], s["context"])
    if fit is None:
        return
    assert fit.duration == duration and s["window"].contains(fit)
    decision = decide(BookingRequest(fit), ROOM, s["rules"], s["context"], Target(1), s["claims"])
    assert decision.violations == []
    assert decision.conflicts == []


def test_buffers_keep_free_time_away_from_other_bookings() -> None:
    rules = effective_rules([Layer(None, {"buffer_before": "PT30M", "buffer_after": "PT15M"})])
    day = datetime(2026, 12, 1, tzinfo=UTC)
    window = Interval(day + timedelta(hours=8), day + timedelta(hours=18))
    other = Claim(1, Interval(day + timedelta(hours=12), day + timedelta(hours=13)))
    availability = find_availability(Target(1), [other], window, None, rules)
    # a new booking must end 15 minutes before 12:00 and start 30 minutes after 13:00
    assert availability.busy == [
        Interval(day + timedelta(hours=11, minutes=45), day + timedelta(hours=13, minutes=30))
    ]
    assert claims_window(window, rules) == Interval(
        day + timedelta(hours=7, minutes=30), day + timedelta(hours=18, minutes=15)
    )


def test_free_time_starts_at_the_notice_and_stops_at_the_horizon() -> None:
    now = datetime(2026, 12, 1, 9, 7, tzinfo=UTC)
    rules = effective_rules(
        [Layer(None, {"min_notice": "PT1H", "max_advance": "P1D", "slot": "PT15M"})]
    )
    context = Circumstances(now, LONDON)
    window = Interval(now - timedelta(days=1), now + timedelta(days=3))
    availability = find_availability(
        Target(1), [], window, bookable_time(rules, window, context), rules
    )
    assert availability.free == [Interval(now + timedelta(hours=1), now + timedelta(days=1))]
    fit = first_fit(availability, timedelta(minutes=30), rules, context)
    assert fit == Interval(
        datetime(2026, 12, 1, 10, 15, tzinfo=UTC), datetime(2026, 12, 1, 10, 45, tzinfo=UTC)
    )
    assert check_request(BookingRequest(fit), ROOM, rules, context) == []


@settings(max_examples=200, deadline=None, derandomize=True)
@given(scenarios())
def test_a_single_unit_resource_is_busy_exactly_where_a_pool_of_one_is(s: dict[str, Any]) -> None:
    # quantity 1 takes a one-pass shortcut; a pool of 2 where every claim takes both units
    # (its own bookings take 2, a related resource's take it whole) goes through the
    # general per-instant count and must give the same busy time
    rules = s["rules"]
    single = find_availability(Target(1), s["claims"], s["window"], None, rules)
    doubled = [Claim(c.resource_id, c.interval, 2, c.booking_id) for c in s["claims"]]
    pool = find_availability(Target(1, quantity=2), doubled, s["window"], None, rules)
    assert single.busy == pool.busy


def test_closing_time_is_the_end_of_the_opening_hours_now_in_local_time() -> None:
    hours = {"mon": ["08:00-12:00", "13:00-18:30"], "sun": ["10:00-16:00"]}
    rules = effective_rules([Layer(None, {"opening_hours": hours})])
    monday = datetime(2026, 12, 7, 9, 15, tzinfo=UTC)  # 09:15 in London (GMT)
    assert closing_time(rules, monday, LONDON) == datetime(2026, 12, 7, 12, tzinfo=UTC)
    lunch = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
    assert closing_time(rules, lunch, LONDON) is None  # closed now
    afternoon = datetime(2026, 12, 7, 18, 29, tzinfo=UTC)
    assert closing_time(rules, afternoon, LONDON) == datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    # the day the clocks go forward: 16:00 in London is 15:00 UTC
    change_day = datetime(2027, 3, 28, 10, tzinfo=UTC)
    assert closing_time(rules, change_day, LONDON) == datetime(2027, 3, 28, 15, tzinfo=UTC)
    always_open = effective_rules([Layer(None, {})])
    assert closing_time(always_open, monday, LONDON) is None
