"""Time spread over the local hours of the week, across midnight and the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import Interval
from rules.weekhours import DAYS, HOURS, empty_week, spread_over_week

LONDON = ZoneInfo("Europe/London")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)


def filled(grid) -> dict[tuple[str, int], float]:
    return {(DAYS[d], h): s for d, row in enumerate(grid) for h, s in enumerate(row) if s}


def test_a_stretch_is_cut_at_the_local_hour_marks_across_midnight():
    sunday_night = Interval(local(2027, 1, 10, 22, 45), local(2027, 1, 11, 1, 15))
    assert filled(spread_over_week([(sunday_night, 1)], LONDON)) == {
        ("Sunday", 22): 900, ("Sunday", 23): 3600, ("Monday", 0): 3600, ("Monday", 1): 900,
    }  # fmt: skip


def test_in_summer_the_cells_are_british_summer_time_hours():
    morning = Interval(local(2027, 7, 6, 9, 30), local(2027, 7, 6, 11, 0))  # a Tuesday
    assert filled(spread_over_week([(morning, 3)], LONDON)) == {
        ("Tuesday", 9): 3 * 1800, ("Tuesday", 10): 3 * 3600,
    }  # fmt: skip


def test_the_hour_the_clocks_skip_is_empty_and_the_night_is_two_hours():
    # 28 March 2027, a Sunday: 01:00 GMT becomes 02:00 BST.
    night = Interval(
        datetime(2027, 3, 28, 0, 30, tzinfo=UTC), datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    )
    assert filled(spread_over_week([(night, 1)], LONDON)) == {
        ("Sunday", 0): 1800, ("Sunday", 2): 3600, ("Sunday", 3): 1800,
    }  # fmt: skip


def test_the_hour_the_clocks_repeat_counts_twice_in_its_cell():
    # 31 October 2027, a Sunday: 02:00 BST becomes 01:00 GMT, so 01:00–02:00 comes twice.
    night = Interval(local(2027, 10, 31, 0, 0), local(2027, 10, 31, 3, 0))
    assert filled(spread_over_week([(night, 1)], LONDON)) == {
        ("Sunday", 0): 3600, ("Sunday", 1): 7200, ("Sunday", 2): 3600,
    }  # fmt: skip


def test_spreading_adds_to_a_grid_it_is_given():
    hour = Interval(local(2027, 1, 11, 9), local(2027, 1, 11, 10))
    grid = spread_over_week([(hour, 1)], LONDON)
    assert spread_over_week([(hour, 2)], LONDON, grid) is grid
    assert grid[0][9] == 3 * 3600
    assert sum(map(sum, empty_week())) == 0 and len(empty_week()[6]) == len(HOURS)


BASE = datetime(2026, 1, 1, tzinfo=UTC)
#: Stretches on whole minutes from 2026 to 2028, up to three days long, weighted.
pieces = st.lists(
    st.tuples(st.integers(0, 3 * 366 * 24 * 60), st.integers(0, 3 * 24 * 60), st.integers(1, 5)),
    max_size=4,
)


@given(pieces, st.sampled_from(["Europe/London", "Asia/Kolkata", "America/St_Johns", "UTC"]))
def test_every_minute_lands_in_the_cell_its_local_time_shows(drawn, zone_name):
    zone = ZoneInfo(zone_name)
    minute = timedelta(minutes=1)
    stretches = [(Interval(BASE + s * minute, BASE + (s + m) * minute), w) for s, m, w in drawn]
    reference = empty_week()
    for stretch, weight in stretches:
        moment = stretch.start
        while moment < stretch.end:
            shown = moment.astimezone(zone)
            reference[shown.weekday()][shown.hour] += 60 * weight
            moment += minute
    spread = spread_over_week(stretches, zone)
    assert sum(spread, []) == pytest.approx(sum(reference, []))
