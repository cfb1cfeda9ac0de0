"""The rules engine: each rule alone, in combination, and across the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rules import (
    CODES,
    BookingRequest,
    Circumstances,
    Claim,
    Closure,
    Interval,
    Layer,
    ResourceFacts,
    Target,
    bank_holidays,
    check_request,
    decide,
    effective_rules,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)  # a Tuesday, GMT
ROOM = ResourceFacts("Lab", bookable=True, quantity=1, capacity=8)
WEEKDAY_HOURS = {day: ["08:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def local(*args: int) -> datetime:
    """An instant given as Europe/London wall-clock time (never at a clock change's gap)."""
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def codes(
    rules: dict[str, Any],
    start: datetime,
    end: datetime,
    *,
    units: int = 1,
    attendees: int | None = None,
    now: datetime = NOW,
    **context: Any,
) -> list[str]:
    ruleset = effective_rules([Layer(None, rules)])
    circumstances = Circumstances(now=now, zone=LONDON, **context)
    request = BookingRequest(Interval(start, end), units=units, attendees=attendees)
    return [v.code for v in check_request(request, ROOM, ruleset, circumstances)]


XMAS = bank_holidays(Interval(NOW, NOW + timedelta(days=60)), LONDON)


@pytest.mark.parametrize(
    ("rules", "start", "end", "extra", "expected"),
    [
        # opening hours: inside one range, touching its edges, outside, a closed weekday
        ({"opening_hours": WEEKDAY_HOURS}, local(2026, 11, 25, 8), local(2026, 11, 25, 18), {}, []),
        (
            {"opening_hours": WEEKDAY_HOURS},
            local(2026, 11, 25, 7, 45),
            local(2026, 11, 25, 9),
            {},
            ["outside_opening_hours"],
        ),
        (
            {"opening_hours": WEEKDAY_HOURS},
            local(2026, 11, 25, 17),
            local(2026, 11, 25, 18, 1),
            {},
            ["outside_opening_hours"],
        ),
        (
            {"opening_hours": WEEKDAY_HOURS},
            local(2026, 11, 28, 10),
            local(2026, 11, 28, 11),
            {},
            ["outside_opening_hours"],
        ),
        (
            {"opening_hours": {"wed": ["08:00-12:00", "13:00-18:00"]}},
            local(2026, 11, 25, 11),
            local(2026, 11, 25, 14),
            {},
            ["outside_opening_hours"],
        ),
        (  # touching ranges and a night across midnight are one stretch
            {"opening_hours": {"wed": ["20:00-24:00"], "thu": ["00:00-06:00"]}},
            local(2026, 11, 25, 22),
            local(2026, 11, 26, 5),
            {},
            [],
        ),
        # closures and bank holidays
        (
            {},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11),
            {
                "closures": [
                    Closure(
                        Interval(local(2026, 11, 25, 10, 59), local(2026, 11, 26)), "Deep clean"
                    )
                ]
            },
            ["closed"],
        ),
        (  # back to back with a closure is fine
            {},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11),
            {
                "closures": [
                    Closure(Interval(local(2026, 11, 25, 11), local(2026, 11, 26)), "Deep clean")
                ]
            },
            [],
        ),
        (
            {"closed_on_bank_holidays": True},
            local(2026, 12, 28, 10),
            local(2026, 12, 28, 11),
            {"bank_holidays": XMAS},
            ["closed"],
        ),
        ({}, local(2026, 12, 28, 10), local(2026, 12, 28, 11), {"bank_holidays": XMAS}, []),
        # length and slots
        (
            {"min_duration": "PT30M"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 10, 29),
            {},
            ["too_short"],
        ),
        ({"min_duration": "PT30M"}, local(2026, 11, 25, 10), local(2026, 11, 25, 10, 30), {}, []),
        (
            {"max_duration": "PT2H"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 12, 1),
            {},
            ["too_long"],
        ),
        ({"max_duration": "PT2H"}, local(2026, 11, 25, 10), local(2026, 11, 25, 12), {}, []),
        (
            {"slot": "PT15M"},
            local(2026, 11, 25, 10, 5),
            local(2026, 11, 25, 11),
            {},
            ["misaligned"],
        ),
        (
            {"slot": "PT15M"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11, 10),
            {},
            ["misaligned"],
        ),
        ({"slot": "PT15M"}, local(2026, 11, 25, 10, 15), local(2026, 11, 25, 11, 45), {}, []),
        ({"slot": "P1D"}, local(2026, 11, 25), local(2026, 11, 27), {}, []),
        # notice and advance, at their exact limits
        ({"min_notice": "PT2H"}, NOW + timedelta(hours=2), NOW + timedelta(hours=3), {}, []),
        (
            {"min_notice": "PT2H"},
            NOW + timedelta(hours=1, minutes=59),
            NOW + timedelta(hours=3),
            {},
            ["too_soon"],
        ),
        (
            {"max_advance": "P30D"},
            NOW + timedelta(days=30),
            NOW + timedelta(days=30, hours=1),
            {},
            [],
        ),
        (
            {"max_advance": "P30D"},
            NOW + timedelta(days=30, minutes=1),
            NOW + timedelta(days=30, hours=1),
            {},
            ["too_far_ahead"],
        ),
        # the past wins over notice: one reason, not two
        (
            {"min_notice": "PT2H"},
            NOW - timedelta(minutes=1),
            NOW + timedelta(hours=1),
            {},
            ["in_the_past"],
        ),
        # certifications, with expiry on the booking's last day
        (
            {"required_certification": "microscopy"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11),
            {},
            ["certification_required"],
        ),
        (
            {"required_certification": "microscopy"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11),
            {"certifications": {"microscopy": date(2026, 11, 25)}},
            [],
        ),
        (
            {"required_certification": "microscopy"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11),
            {"certifications": {"microscopy": date(2026, 11, 24)}},
            ["certification_required"],
        ),
        (
            {"required_certification": "microscopy"},
            local(2026, 11, 25, 10),
            local(2026, 11, 25, 11),
            {"certifications": {"microscopy": None, "pcr": None}},
            [],
        ),
    ],
)
def test_each_rule_alone(
    rules: dict[str, Any],
    start: datetime,
    end: datetime,
    extra: dict[str, Any],
    expected: list[str],
) -> None:
    assert codes(rules, start, end, **extra) == expected


def test_capacity_counts_people_and_units() -> None:
    start, end = local(2026, 11, 25, 10), local(2026, 11, 25, 11)
    assert codes({}, start, end, attendees=9) == ["over_capacity"]
    assert codes({}, start, end, units=2) == ["over_capacity"]
    assert codes({}, start, end, attendees=8) == []


def test_every_violation_comes_at_once_in_the_contract_order() -> None:
    rules = {
        "opening_hours": WEEKDAY_HOURS,
        "closed_on_bank_holidays": True,
        "min_duration": "PT2H",
        "slot": "PT15M",
        "max_advance": "P7D",
        "required_certification": "cl2",
        "quota": [{"scope": "tenant", "period": "day", "hours": 0.5}],
    }
    ruleset = effective_rules([Layer(None, rules)])
    start = local(2026, 12, 25, 6, 5)  # Christmas Day, before opening, a month ahead
    request = BookingRequest(Interval(start, start + timedelta(hours=1)), units=1, attendees=9)
    closed = Closure(Interval(start, start + timedelta(days=1)), "Shutdown")
    context = Circumstances(NOW, LONDON, bank_holidays=XMAS, closures=[closed])
    found = [v.code for v in check_request(request, ROOM, ruleset, context)]
    assert found == [
        "outside_opening_hours",
        "closed",
        "closed",
        "too_short",
        "misaligned",
        "too_far_ahead",
        "over_capacity",
        "quota_exceeded",
        "certification_required",
    ]
    assert set(found) | {"not_bookable", "in_the_past", "too_soon", "too_long"} == set(CODES)
    messages = {v.code: v.message for v in check_request(request, ROOM, ruleset, context)}
    assert "08:00-18:00" in messages["outside_opening_hours"]
    assert "Christmas Day" in " ".join(
        v.message for v in check_request(request, ROOM, ruleset, context)
    )


def test_exempt_codes_are_left_out() -> None:
    ruleset = effective_rules([Layer(None, {"min_notice": "P1D"})])
    soon = Interval(NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    context = Circumstances(NOW, LONDON, exempt=frozenset({"too_soon"}))
    assert check_request(BookingRequest(soon), ROOM, ruleset, context) == []


class TestTheClockChanges:
    """Spring forward 2027-03-28 01:00 GMT; fall back 2026-10-25 and 2027-10-31 02:00 BST."""

    HOURS = {
        "opening_hours": {
            d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        }
    }

    @pytest.mark.parametrize(
        ("day", "offset_hours"),
        [
            (date(2027, 3, 21), 0),  # the Sunday before: GMT
            (date(2027, 3, 27), 0),  # the day before
            (date(2027, 3, 28), 1),  # the day itself: already BST by 08:00
            (date(2027, 3, 29), 1),  # the week after
            (date(2027, 10, 30), 1),
            (date(2027, 10, 31), 0),  # fall back: GMT by 08:00
            (date(2027, 11, 1), 0),
        ],
    )
    def test_opening_hours_are_local_wall_clock_time(self, day: date, offset_hours: int) -> None:
        opens = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - timedelta(
            hours=offset_hours
        )
        closes = opens + timedelta(hours=10)
        now = datetime(2027, 1, 1, tzinfo=UTC)
        assert codes(self.HOURS, opens, closes, now=now) == []
        early = opens - timedelta(minutes=1)
        assert codes(self.HOURS, early, closes, now=now) == ["outside_opening_hours"]
        assert codes(self.HOURS, opens, closes + timedelta(minutes=1), now=now) == [
            "outside_opening_hours"
        ]

    def test_slots_align_to_local_time_on_both_change_days(self) -> None:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        rules = {"slot": "PT30M"}
        # 09:00 BST on the spring day is 08:00Z; 09:00 GMT on the autumn day is 09:00Z
        assert codes(rules, local(2027, 3, 28, 9), local(2027, 3, 28, 10, 30), now=now) == []
        assert codes(rules, local(2026, 10, 25, 9), local(2026, 10, 25, 10, 30), now=now) == []
        # the repeated hour: 01:30 GMT (the second 01:30) is a slot edge as well
        second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert codes(rules, second, second + timedelta(hours=1), now=now) == []
        assert codes({"slot": "PT1H"}, second, second + timedelta(hours=1), now=now) == [
            "misaligned"
        ]

    def test_a_day_of_notice_is_the_same_wall_clock_time_next_day(self) -> None:
        now = local(2027, 3, 27, 10)  # Saturday 10:00 GMT
        rules = {"min_notice": "P1D"}
        # Sunday 10:00 BST is only 23 hours later, but it is a day's notice
        assert codes(rules, local(2027, 3, 28, 10), local(2027, 3, 28, 11), now=now) == []
        assert codes(rules, local(2027, 3, 28, 9, 59), local(2027, 3, 28, 11), now=now) == [
            "too_soon"
        ]
        autumn = local(2026, 10, 24, 10)
        assert codes(rules, local(2026, 10, 25, 10), local(2026, 10, 25, 11), now=autumn) == []
        assert codes(rules, local(2026, 10, 25, 9, 59), local(2026, 10, 25, 11), now=autumn) == [
            "too_soon"
        ]

    def test_advance_is_counted_in_calendar_days(self) -> None:
        now = local(2027, 3, 20, 9)  # GMT; a week later is BST
        rules = {"max_advance": "P7D"}
        assert codes(rules, local(2027, 3, 27, 9), local(2027, 3, 27, 10), now=now) == []
        assert codes(rules, local(2027, 3, 27, 9, 1), local(2027, 3, 27, 10), now=now) == [
            "too_far_ahead"
        ]


def test_decide_reports_conflicts_inside_buffers_and_asks_for_approval() -> None:
    rules = effective_rules(
        [
            Layer(
                None, {"buffer_after": "PT30M", "buffer_before": "PT10M", "requires_approval": True}
            )
        ]
    )
    start = local(2026, 11, 25, 10)
    request = BookingRequest(Interval(start, start + timedelta(hours=1)))
    context = Circumstances(NOW, LONDON)
    earlier = Claim(1, Interval(start - timedelta(hours=1), start - timedelta(minutes=5)), 1, 7)
    decision = decide(request, ROOM, rules, context, Target(1), [earlier])
    assert decision.occupied == Interval(
        start - timedelta(minutes=10), start + timedelta(minutes=90)
    )
    assert decision.conflicts == [earlier]
    assert decision.needs_approval
    clear = Claim(1, Interval(start + timedelta(minutes=90), start + timedelta(hours=3)), 1, 8)
    assert decide(request, ROOM, rules, context, Target(1), [clear]).conflicts == []


@pytest.mark.parametrize(
    ("start", "said"),
    [
        (local(2026, 11, 28, 10), "is closed on Saturdays (local time)"),
        (local(2026, 11, 25, 7), "is open 08:00-18:00 on Wednesdays (local time)"),
    ],
)
def test_outside_opening_hours_says_the_days_hours_in_words(start: datetime, said: str):
    ruleset = effective_rules([Layer(None, {"opening_hours": WEEKDAY_HOURS})])
    request = BookingRequest(Interval(start, start + timedelta(hours=1)))
    found = check_request(request, ROOM, ruleset, Circumstances(now=NOW, zone=LONDON))
    assert [v.code for v in found] == ["outside_opening_hours"]
    assert said in found[0].message and "open closed" not in found[0].message
