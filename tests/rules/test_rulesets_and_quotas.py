"""Inheritance of rules with their sources, and quotas counted per local period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules import Claim, Interval, Layer, Quota, RulesError, check_quotas, effective_rules, periods
from rules.rulesets import CheckInRule

LONDON = ZoneInfo("Europe/London")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def test_the_nearest_level_wins_and_says_where_it_came_from() -> None:
    rules = effective_rules(
        [
            Layer(
                None,
                {
                    "min_duration": "PT15M",
                    "slot": "PT15M",
                    "opening_hours": {"mon": ["07:00-21:00"]},
                },
            ),
            Layer(1, {"opening_hours": {"tue": ["08:00-18:00"]}, "buffer_after": "PT30M"}),
            Layer(7, {"slot": "PT1H", "check_in": {"required": True}}),
        ]
    )
    assert rules.min_duration == timedelta(minutes=15)
    assert rules.slot == timedelta(hours=1)
    assert rules.opening_hours == {1: ((480, 1080),)}  # replaced whole: Monday is closed
    assert rules.buffer_after == timedelta(minutes=30)
    assert rules.check_in == CheckInRule(required=True, grace=timedelta(minutes=15))
    assert rules.sources == {
        "min_duration": None,
        "slot": 7,
        "opening_hours": 1,
        "buffer_after": 1,
        "check_in": 7,
    }


def test_quotas_remember_the_level_that_set_them() -> None:
    rules = effective_rules(
        [Layer(4, {"quota": [{"scope": "tenant", "period": "month", "hours": 40}]})]
    )
    assert rules.quotas == (Quota("tenant", "month", 40.0, source=4),)


@pytest.mark.parametrize(
    "bad",
    [
        {"opening_hours": {"mon": ["18:00-08:00"]}},
        {"opening_hours": {"funday": ["08:00-18:00"]}},
        {"opening_hours": {"mon": ["8-18"]}},
        {"slot": "P1M"},
        {"quota": [{"scope": "team", "period": "day", "hours": 1}]},
        {"quota": [{"scope": "user", "period": "day", "hours": 0}]},
        {"colour": "blue"},
    ],
)
def test_malformed_rules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(RulesError):
        effective_rules([Layer(None, bad)])


@pytest.mark.parametrize(
    ("period", "moment", "first", "last"),
    [
        ("day", local(2026, 10, 25, 12), local(2026, 10, 25), local(2026, 10, 26)),  # 25 hours
        ("day", local(2027, 3, 28, 12), local(2027, 3, 28), local(2027, 3, 29)),  # 23 hours
        ("week", local(2026, 10, 25, 23, 30), local(2026, 10, 19), local(2026, 10, 26)),
        ("week", local(2026, 10, 26, 0, 0), local(2026, 10, 26), local(2026, 11, 2)),
        ("month", local(2027, 3, 31, 23, 59), local(2027, 3, 1), local(2027, 4, 1)),
        ("month", local(2027, 12, 31, 12), local(2027, 12, 1), local(2028, 1, 1)),
    ],
)
def test_periods_are_local_days_weeks_and_months(
    period: str, moment: datetime, first: datetime, last: datetime
) -> None:
    assert periods(Interval(moment, moment + timedelta(minutes=1)), period, LONDON) == [
        Interval(first, last)
    ]


def test_a_booking_across_midnight_counts_in_both_days() -> None:
    night = Interval(local(2026, 12, 1, 22), local(2026, 12, 2, 2))
    quota = Quota("user", "day", 3)
    found = check_quotas(night, 1, [quota], {}, LONDON)
    assert found == []  # two hours one day, two the next
    used = {quota: [Claim(1, Interval(local(2026, 12, 2, 9), local(2026, 12, 2, 11)), 1)]}
    [violation] = check_quotas(night, 1, [quota], used, LONDON)
    assert violation.code == "quota_exceeded"
    assert "2026-12-02" in violation.message


def test_quota_counts_units_and_only_the_part_inside_the_period() -> None:
    quota = Quota("tenant", "month", 10)
    across = Claim(1, Interval(local(2026, 11, 30, 20), local(2026, 12, 1, 4)), 2)  # 8 h in Dec
    asked = Interval(local(2026, 12, 10, 9), local(2026, 12, 10, 10))
    assert check_quotas(asked, 2, [quota], {quota: [across]}, LONDON) == []  # 8 + 2 = 10
    assert [v.code for v in check_quotas(asked, 3, [quota], {quota: [across]}, LONDON)] == [
        "quota_exceeded"
    ]


def test_the_autumn_day_has_room_for_twenty_five_hours() -> None:
    quota = Quota("user", "day", 25)
    whole_day = Interval(local(2026, 10, 25), local(2026, 10, 26))
    assert whole_day.duration == timedelta(hours=25)
    assert check_quotas(whole_day, 1, [quota], {}, LONDON) == []
    assert check_quotas(whole_day, 1, [Quota("user", "day", 24)], {}, LONDON) != []
