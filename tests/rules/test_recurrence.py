"""Recurrence: RFC 5545 section 3.8.5.3 examples re-based to future dates in Europe/London,
the clock changes, bounds and exclusions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st

from rules.intervals import Interval
from rules.localtime import from_wall_clock
from rules.recurrence import MAX_OCCURRENCES, RecurrenceError, expand, parse_rule

LONDON = ZoneInfo("Europe/London")
FAR = datetime(2040, 1, 1, tzinfo=UTC)

#: (RRULE from RFC 5545 3.8.5.3, its DTSTART moved to a future date that matches it).
#: The expected occurrences are dateutil's expansion of the same rule in local time.
RFC_CASES = [
    ("FREQ=DAILY;COUNT=10", datetime(2027, 9, 2, 9)),
    ("FREQ=DAILY;UNTIL=20271224T000000Z", datetime(2027, 9, 2, 9)),
    ("FREQ=DAILY;INTERVAL=2;COUNT=40", datetime(2027, 9, 2, 9)),
    ("FREQ=DAILY;INTERVAL=10;COUNT=5", datetime(2027, 9, 2, 9)),
    (
        "FREQ=YEARLY;UNTIL=20300131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        datetime(2028, 1, 1, 9),
    ),
    ("FREQ=DAILY;UNTIL=20300131T140000Z;BYMONTH=1", datetime(2028, 1, 1, 9)),
    ("FREQ=WEEKLY;COUNT=10", datetime(2027, 9, 2, 9)),
    ("FREQ=WEEKLY;UNTIL=20271224T000000Z", datetime(2027, 9, 2, 9)),
    ("FREQ=WEEKLY;INTERVAL=2;WKST=SU", datetime(2027, 9, 2, 9)),
    ("FREQ=WEEKLY;UNTIL=20271007T000000Z;WKST=SU;BYDAY=TU,TH", datetime(2027, 9, 2, 9)),
    ("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", datetime(2027, 9, 2, 9)),
    (
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=20271224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
        datetime(2027, 9, 1, 9),
    ),
    ("FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", datetime(2027, 9, 2, 9)),
    ("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", datetime(2027, 9, 3, 9)),
    ("FREQ=MONTHLY;UNTIL=20281224T000000Z;BYDAY=1FR", datetime(2027, 9, 3, 9)),
    ("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", datetime(2027, 9, 5, 9)),
    ("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", datetime(2027, 9, 20, 9)),
    ("FREQ=MONTHLY;BYMONTHDAY=-3;COUNT=6", datetime(2027, 9, 28, 9)),
    ("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", datetime(2027, 9, 2, 9)),
    ("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", datetime(2027, 9, 30, 9)),
    ("FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15", datetime(2027, 9, 10, 9)),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU;COUNT=12", datetime(2027, 9, 7, 9)),
    ("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", datetime(2027, 6, 10, 9)),
    ("FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", datetime(2027, 3, 10, 9)),
    ("FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", datetime(2027, 1, 1, 9)),
    ("FREQ=YEARLY;BYDAY=20MO;COUNT=3", datetime(2027, 5, 17, 9)),
    ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=3", datetime(2027, 5, 17, 9)),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=TH;COUNT=8", datetime(2027, 3, 4, 9)),
    ("FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8;COUNT=20", datetime(2027, 6, 3, 9)),
    ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=5", datetime(2027, 8, 13, 9)),
    ("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13;COUNT=10", datetime(2027, 9, 11, 9)),
    (
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8;COUNT=3",
        datetime(2028, 11, 7, 9),
    ),
    ("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", datetime(2027, 9, 7, 9)),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2;COUNT=7", datetime(2027, 9, 29, 9)),
    ("FREQ=HOURLY;INTERVAL=3;UNTIL=20270902T160000Z", datetime(2027, 9, 2, 9)),
    ("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", datetime(2027, 8, 3, 9)),
    ("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", datetime(2027, 8, 3, 9)),
    ("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", datetime(2027, 1, 15, 9)),
]


def dateutil_starts(rule: str, first: datetime, horizon: datetime) -> list[datetime]:
    """The RFC's expected starts, from dateutil in wall-clock time, as instants."""
    text = rule if "UNTIL" in rule or "COUNT" in rule else rule + ";COUNT=30"
    parts = [p for p in text.split(";") if not p.startswith("UNTIL")]
    expected = rrulestr(";".join(parts), dtstart=first)
    until = next((p[6:] for p in text.split(";") if p.startswith("UNTIL")), None)
    if until:
        limit = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expected = expected.replace(until=limit.astimezone(LONDON).replace(tzinfo=None))
    found = [from_wall_clock(local, LONDON) for local in expected]
    return [start for start in found if start <= horizon]


@pytest.mark.parametrize(("rule", "first"), RFC_CASES)
def test_rfc_5545_examples_expand_as_dateutil_does_in_local_time(rule: str, first: datetime):
    bounded = rule if "UNTIL" in rule or "COUNT" in rule else rule + ";COUNT=30"
    start = from_wall_clock(first, LONDON)
    occurrence = Interval(start, start + timedelta(hours=1))
    found = expand(parse_rule(bounded, LONDON), occurrence, LONDON, FAR).occurrences
    assert [o.start for o in found] == dateutil_starts(rule, first, FAR)
    # every occurrence lasts the same wall-clock hour
    assert all(o.end - o.start == timedelta(hours=1) for o in found)


def test_a_weekly_series_keeps_nine_oclock_across_both_clock_changes():
    rule = parse_rule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20271102", LONDON)
    first = Interval(datetime(2027, 3, 16, 9, tzinfo=UTC), datetime(2027, 3, 16, 12, tzinfo=UTC))
    found = expand(rule, first, LONDON, FAR).occurrences
    assert {o.start.astimezone(LONDON).hour for o in found} == {9}
    assert {o.end.astimezone(LONDON).hour for o in found} == {12}
    offsets = [o.start.astimezone(LONDON).utcoffset() for o in found]
    assert offsets[:2] == [timedelta(0)] * 2 and offsets[-1] == timedelta(0)
    assert set(offsets[2:-1]) == {timedelta(hours=1)}
    assert found[-1].start.astimezone(LONDON).date() == date(
        2027, 11, 2
    )  # a date UNTIL includes its day


def test_a_monthly_series_across_the_change_and_a_time_the_clocks_skip():
    rule = parse_rule("FREQ=MONTHLY;BYDAY=-1SU;COUNT=3", LONDON)
    # 01:30 on the last Sunday of March does not exist: read with the offset before the jump
    first = from_wall_clock(datetime(2027, 2, 28, 1, 30), LONDON)
    found = expand(rule, Interval(first, first + timedelta(hours=1)), LONDON, FAR).occurrences
    assert [o.start for o in found] == [
        datetime(2027, 2, 28, 1, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 02:30 BST
        datetime(2027, 4, 25, 0, 30, tzinfo=UTC),  # 01:30 BST
    ]


def test_exclusions_by_instant_and_by_local_date():
    rule = parse_rule("FREQ=DAILY;COUNT=5", LONDON)
    first = Interval(datetime(2027, 1, 4, 9, tzinfo=UTC), datetime(2027, 1, 4, 10, tzinfo=UTC))
    expansion = expand(
        rule,
        first,
        LONDON,
        FAR,
        exdates={datetime(2027, 1, 5, 9, tzinfo=UTC)},
        exdays={date(2027, 1, 7)},
    )
    assert [o.start.day for o in expansion.occurrences] == [4, 6, 8]
    assert [o.start.day for o in expansion.excluded] == [5, 7]


@pytest.mark.parametrize(
    ("rule", "horizon", "message"),
    [
        ("FREQ=DAILY;COUNT=30", datetime(2027, 1, 20, tzinfo=UTC), "COUNT=30 runs past"),
        ("FREQ=DAILY;UNTIL=20270301", datetime(2027, 1, 20, tzinfo=UTC), "UNTIL is past"),
        ("FREQ=HOURLY;UNTIL=20280101", FAR, f"more than {MAX_OCCURRENCES}"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", FAR, "no occurrence"),
        ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31;COUNT=2", FAR, "no occurrence"),
        ("FREQ=WEEKLY;BYDAY=FR;COUNT=2", FAR, "first occurrence"),
    ],
)
def test_rules_past_the_horizon_too_long_or_empty_are_refused(rule, horizon, message):
    first = Interval(datetime(2027, 1, 4, 9, tzinfo=UTC), datetime(2027, 1, 4, 10, tzinfo=UTC))
    with pytest.raises(RecurrenceError, match=message):
        expand(parse_rule(rule, LONDON), first, LONDON, horizon)


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;COUNT=2;UNTIL=20280101",
        "FREQ=MINUTELY;COUNT=2",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=x",
        "FREQ=WEEKLY;COUNT=2;FOO=1",
        "DTSTART=20270101",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=2",
        "FREQ=WEEKLY;UNTIL=1999",
        "FREQ=WEEKLY;UNTIL=19990101",
    ],
)
def test_malformed_or_unbounded_rules_are_refused(rule: str):
    with pytest.raises(RecurrenceError):
        parse_rule(rule, LONDON)


def test_rules_are_kept_in_canonical_form_with_until_in_utc():
    assert parse_rule("rrule:count=3;freq=weekly", LONDON).text == "FREQ=WEEKLY;COUNT=3"
    summer = parse_rule("FREQ=DAILY;UNTIL=20270701T090000", LONDON)
    assert summer.text == "FREQ=DAILY;UNTIL=20270701T080000Z"


@given(
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    st.integers(min_value=1, max_value=3),
    st.dates(min_value=date(2027, 1, 1), max_value=date(2029, 12, 31)),
    st.integers(min_value=0, max_value=23),
)
def test_every_occurrence_keeps_the_first_ones_wall_clock_time(count, freq, interval, day, hour):
    local = datetime(day.year, day.month, min(day.day, 28), hour, 15)
    start = from_wall_clock(local, LONDON)
    rule = parse_rule(f"FREQ={freq};INTERVAL={interval};COUNT={count}", LONDON)
    horizon = datetime(2100, 1, 1, tzinfo=UTC)
    first = Interval(start, start + timedelta(minutes=45))
    found = expand(rule, first, LONDON, horizon).occurrences
    assert len(found) == count
    assert [o.start for o in found] == sorted(o.start for o in found)
    # the first one's wall-clock time (a skipped 01:15 is shown as 02:15)
    wall = start.astimezone(LONDON).time().replace(tzinfo=None)
    for o in found:
        day_of = o.start.astimezone(LONDON).date()
        assert o.start == from_wall_clock(datetime.combine(day_of, wall), LONDON)
        assert o.end > o.start


def test_a_first_occurrence_in_the_repeated_hour_keeps_its_exact_length():
    # 01:15 BST to 01:00 GMT on the day the clocks go back: 45 minutes, though the wall
    # clock runs backwards; each later occurrence lasts 45 minutes from 01:15 too.
    start = datetime(2027, 10, 31, 0, 15, tzinfo=UTC)
    first = Interval(start, datetime(2027, 10, 31, 1, 0, tzinfo=UTC))
    rule = parse_rule("FREQ=DAILY;COUNT=3", LONDON)
    found = expand(rule, first, LONDON, datetime(2100, 1, 1, tzinfo=UTC)).occurrences
    assert found == [
        first,
        Interval(datetime(2027, 11, 1, 1, 15, tzinfo=UTC), datetime(2027, 11, 1, 2, 0, tzinfo=UTC)),
        Interval(datetime(2027, 11, 2, 1, 15, tzinfo=UTC), datetime(2027, 11, 2, 2, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ("FREQ=DAILY;INTERVAL=0;COUNT=3", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=-1;COUNT=3", "INTERVAL"),
        ("FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13;COUNT=3", "BYMONTH"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=0MO;COUNT=3", "BYDAY"),
        ("FREQ=DAILY;BYHOUR=24;COUNT=3", "BYHOUR"),
        ("FREQ=WEEKLY;WKST=XY;COUNT=3", "WKST"),
    ],
)
def test_rules_rfc_5545_calls_invalid_are_refused(rule: str, said: str) -> None:
    with pytest.raises(RecurrenceError, match=said):
        parse_rule(rule, LONDON)


def test_valid_by_parts_still_pass() -> None:
    rule = parse_rule("FREQ=MONTHLY;BYDAY=-1FR,+2MO;BYMONTHDAY=-31,1;INTERVAL=2;COUNT=4", LONDON)
    assert "INTERVAL=2" in rule.text
