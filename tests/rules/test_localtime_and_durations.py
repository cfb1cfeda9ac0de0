"""Local wall-clock times across the clock changes, and ISO 8601 durations."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules import LocalTimeError, to_utc
from rules.durations import DurationError, format_duration, parse_duration
from rules.localtime import align_down

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (
            datetime(2027, 3, 28, 0, 59),
            datetime(2027, 3, 28, 0, 59, tzinfo=UTC),
        ),  # last minute of GMT
        (datetime(2027, 3, 28, 2, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # first of BST
        (datetime(2027, 10, 31, 0, 59), datetime(2027, 10, 30, 23, 59, tzinfo=UTC)),
        (datetime(2027, 10, 31, 2, 0), datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),  # back on GMT
        (datetime(2026, 12, 31, 23, 59), datetime(2026, 12, 31, 23, 59, tzinfo=UTC)),
        (
            datetime(2027, 7, 1, 0, 0),
            datetime(2027, 6, 30, 23, 0, tzinfo=UTC),
        ),  # midnight in summer
    ],
)
def test_local_times_name_one_instant(local: datetime, utc: datetime) -> None:
    assert to_utc(local, LONDON) == utc


@pytest.mark.parametrize(
    ("local", "message"),
    [
        (datetime(2027, 3, 28, 1, 0), "does not exist"),
        (datetime(2027, 3, 28, 1, 59), "does not exist"),
        (datetime(2027, 10, 31, 1, 0), "happens twice"),
        (datetime(2027, 10, 31, 1, 59), "happens twice"),
    ],
)
def test_skipped_and_repeated_local_times_are_refused(local: datetime, message: str) -> None:
    with pytest.raises(LocalTimeError, match=message):
        to_utc(local, LONDON)


def test_aware_times_are_taken_as_given() -> None:
    moment = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert to_utc(moment, LONDON) == moment


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("PT30M", timedelta(minutes=30)),
        ("P1D", timedelta(days=1)),
        ("P2W", timedelta(weeks=2)),
        ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("pt15m", timedelta(minutes=15)),
    ],
)
def test_durations_parse_and_round_trip(text: str, length: timedelta) -> None:
    assert parse_duration(text) == length
    assert parse_duration(format_duration(length)) == length


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "30M", "P1M", "P1Y", "PT1.5H", "P1DT", "P99999999D", "-PT1H"]
)
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_zero_duration_formats() -> None:
    assert format_duration(timedelta(0)) == "PT0S"


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "slot", "edge"),
    [
        # summer time: slots are edges of local wall-clock time, not of UTC
        (
            datetime(2026, 7, 1, 9, 7, tzinfo=UTC),
            timedelta(minutes=30),
            datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
            timedelta(minutes=30),
            datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        ),
        (
            datetime(2026, 7, 1, 9, 7, 42, tzinfo=UTC),
            timedelta(minutes=1),
            datetime(2026, 7, 1, 9, 7, tzinfo=UTC),
        ),
        # a day slot rounds down to local midnight: 23:00 UTC the day before in summer
        (
            datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            timedelta(days=1),
            datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
        ),
        # after the clocks go forward (01:00 GMT is 02:00 BST), the hour edge is local
        (
            datetime(2026, 3, 29, 1, 20, tzinfo=UTC),
            timedelta(hours=1),
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),
    ],
)
def test_align_down_finds_the_last_local_slot_edge(
    moment: datetime, slot: timedelta, edge: datetime
) -> None:
    aligned = align_down(moment, slot, LONDON)
    assert aligned == edge
    assert aligned <= moment
    assert align_down(aligned, slot, LONDON) == aligned
