"""The rules in words: every rule that applies has a sentence, none shows ISO 8601 or
JSON, and the sentences say what the rule does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from rules import Interval
from rules.conflicts import Claim
from rules.quotas import used_now
from rules.rulesets import RULE_NAMES, Layer, Quota, effective_rules
from rules.wording import duration_words, opening_words, quota_left_words, rules_in_words

LONDON = ZoneInfo("Europe/London")
EVERY_RULE = {
    "opening_hours": {d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    "closed_on_bank_holidays": True,
    "min_duration": "PT15M",
    "max_duration": "PT8H",
    "slot": "PT15M",
    "min_notice": "PT2H",
    "max_advance": "P180D",
    "buffer_before": "PT10M",
    "buffer_after": "PT30M",
    "requires_approval": True,
    "required_certification": "biosafety-cabinet",
    "check_in": {"required": True, "grace": "PT30M"},
    "quota": [{"scope": "tenant", "period": "month", "hours": 40}],
    "visitor_briefing": True,
    "rates": {"standard": 4500},
    "charge_basis": "used",
    "minimum_charge_minutes": 60,
    "late_cancel_within": "PT24H",
    "late_cancel_percent": 50,
    "no_show_percent": 100,
}


def test_every_rule_that_applies_has_words_and_none_shows_codes():
    said = rules_in_words(effective_rules([Layer(None, EVERY_RULE)]))
    # prices are shown as money by the page; the late-cancellation share is in the sentence of
    # its notice
    assert set(said) == set(RULE_NAMES) - {"rates", "late_cancel_percent"}
    for text in said.values():
        assert "PT" not in text and "P180D" not in text and "{" not in text and "[" not in text
    assert said["buffer_after"] == (
        "30 minutes kept free after each booking, for cleaning or decontamination."
    )
    assert said["opening_hours"] == (
        "Open Monday to Friday 08:00–18:00; closed on Saturday, Sunday."
    )
    assert said["quota"] == "Each organisation may book up to 40 hours a month here."
    assert said["check_in"].startswith("Check in within 30 minutes of the start")
    assert said["late_cancel_within"] == (
        "Cancelling within 24 hours of the start costs 50% of the price."
    )


def test_no_rules_no_words_and_charges_only_where_there_is_a_price():
    assert rules_in_words(effective_rules([])) == {}
    unpriced = rules_in_words(effective_rules([Layer(None, {"late_cancel_percent": 50})]))
    assert unpriced == {}


def test_opening_hours_join_days_alike_and_name_the_others():
    hours = {0: ((420, 1260),), 1: ((420, 1260),), 5: ((540, 1020),)}
    assert opening_words(hours) == (
        "Open Monday to Tuesday 07:00–21:00; Saturday 09:00–17:00; "
        "closed on Wednesday, Thursday, Friday, Sunday."
    )
    assert opening_words({}) == "Never open."
    every_day = {d: ((0, 1440),) for d in range(7)}
    assert opening_words(every_day) == "Open Monday to Sunday 00:00–24:00."


@given(st.integers(min_value=1, max_value=10 * 24 * 60))
def test_duration_words_add_up_to_the_duration(minutes: int):
    said = duration_words(timedelta(minutes=minutes)).split()
    units = {"day": 1440, "days": 1440, "hour": 60, "hours": 60, "minute": 1, "minutes": 1}
    total = sum(int(n) * units[u] for n, u in zip(said[::2], said[1::2], strict=True))
    assert total == minutes


def test_what_is_left_of_a_quota_counts_only_the_running_period():
    quota = Quota("tenant", "month", 40)
    now = datetime(2026, 12, 10, 12, tzinfo=UTC)
    claims = [
        Claim(1, Interval(datetime(2026, 11, 30, 9, tzinfo=UTC),
                          datetime(2026, 11, 30, 17, tzinfo=UTC)), 1),  # last month
        Claim(1, Interval(datetime(2026, 12, 2, 9, tzinfo=UTC),
                          datetime(2026, 12, 2, 11, 30, tzinfo=UTC)), 2),
    ]  # fmt: skip
    since, used = used_now(quota, claims, now, LONDON)
    assert (since, used) == (date(2026, 12, 1), timedelta(hours=5))
    assert quota_left_words(quota, since, used) == (
        "Your organisation has 35 hours of its 40 hours left this month (since 1 December)."
    )
    mine = Quota("user", "week", 4)
    assert quota_left_words(mine, date(2026, 12, 7), timedelta(hours=5)) == (
        "You have no time of your 4 hours left this week (since 7 December)."
    )


@given(st.integers(min_value=1, max_value=100 * 24 * 60))
def test_a_length_in_words_reads_back_as_the_same_length(minutes: int):
    from rules.durations import parse_spoken_duration

    length = timedelta(minutes=minutes)
    assert parse_spoken_duration(duration_words(length)) == length


def test_lengths_as_people_write_them():
    from rules.durations import DurationError, parse_spoken_duration

    said = {"30 minutes": 30, "1 hour 30 minutes": 90, "1.5 hours": 90, "90 min": 90,
            "1h30m": 90, "2 days": 2880, "1 week, 2 days": 9 * 1440, "PT45M": 45}  # fmt: skip
    for text, minutes in said.items():
        assert parse_spoken_duration(text) == timedelta(minutes=minutes), text
    for text in ("soon", "30", "5 parsecs", "", "-1 hours", "20000 days"):
        try:
            parse_spoken_duration(text)
        except DurationError:
            continue
        raise AssertionError(f"{text!r} was read as a length")
