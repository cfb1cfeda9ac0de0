"""The interval algebra: half-open, aware, canonical."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import (
    Interval,
    IntervalError,
    clip,
    difference,
    intersection,
    merge,
    overlaps,
    subtract,
)
from tests.rules.strategies import STEP, instant, intervals

A = Interval(instant(0), instant(4))


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (Interval(instant(4), instant(6)), False),  # back to back after
        (Interval(instant(-2), instant(0)), False),  # back to back before
        (Interval(instant(3), instant(6)), True),
        (Interval(instant(1), instant(2)), True),  # inside
        (Interval(instant(-1), instant(5)), True),  # around
        (Interval(instant(2), instant(2)), True),  # empty inside: the formula says so
        (Interval(instant(4), instant(4)), False),  # empty at the end
        (Interval(instant(0), instant(4)), True),  # the same
    ],
)
def test_overlaps(other: Interval, expected: bool) -> None:
    assert overlaps(A, other) is expected
    assert overlaps(other, A) is expected


def test_reversed_and_naive_intervals_are_refused() -> None:
    with pytest.raises(IntervalError):
        Interval(instant(2), instant(1))
    with pytest.raises(IntervalError):
        Interval(datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_zero_length_interval_is_empty_and_allowed() -> None:
    assert Interval(instant(1), instant(1)).is_empty


def test_midnight_and_offsets_compare_as_instants() -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2026, 12, 2, 1, 0, tzinfo=ZoneInfo("Europe/Paris"))  # midnight UTC
    late = Interval(datetime(2026, 12, 1, 23, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))
    assert not overlaps(late, Interval(paris, paris + timedelta(hours=1)))


def test_merge_joins_touching_and_drops_empty() -> None:
    parts = [
        Interval(instant(4), instant(6)),
        Interval(instant(0), instant(4)),
        Interval(instant(8), instant(8)),
    ]
    assert merge(parts) == [Interval(instant(0), instant(6))]


def test_subtract_and_clip_examples() -> None:
    window = Interval(instant(0), instant(10))
    busy = [
        Interval(instant(-2), instant(1)),
        Interval(instant(4), instant(5)),
        Interval(instant(9), instant(12)),
    ]
    assert subtract(window, busy) == [
        Interval(instant(1), instant(4)),
        Interval(instant(5), instant(9)),
    ]
    assert clip(busy, window) == [
        Interval(instant(0), instant(1)),
        Interval(instant(4), instant(5)),
        Interval(instant(9), instant(10)),
    ]
    assert intersection(busy[0], Interval(instant(1), instant(3))) is None


@given(st.lists(intervals(allow_empty=True), max_size=12))
def test_merge_is_sorted_disjoint_and_covers_the_same_instants(parts: list[Interval]) -> None:
    merged = merge(parts)
    assert all(a.end < b.start for a, b in zip(merged, merged[1:], strict=False))
    assert all(not m.is_empty for m in merged)
    for i in range(-2, 60):
        probe = Interval(instant(i), instant(i) + STEP / 2)
        assert any(overlaps(p, probe) for p in parts) == any(overlaps(m, probe) for m in merged)


@given(intervals(span=30), st.lists(intervals(allow_empty=True), max_size=10))
def test_free_and_busy_partition_the_window(window: Interval, busy: list[Interval]) -> None:
    free = subtract(window, busy)
    taken = merge(clip(busy, window))
    assert all(window.contains(f) for f in free)
    assert all(not overlaps(f, b) for f in free for b in taken)  # free ∩ busy is empty
    total = sum((i.duration for i in free + taken), start=STEP - STEP)
    assert total == window.duration  # free ∪ busy covers the window
    assert free == merge(free)  # sorted and merged


@given(intervals(allow_empty=True), intervals(allow_empty=True))
def test_overlap_is_symmetric_and_matches_intersection(a: Interval, b: Interval) -> None:
    assert overlaps(a, b) == overlaps(b, a)
    common = intersection(a, b)
    assert (common is not None) == overlaps(a, b)
    if common is not None:
        assert a.contains(common) and b.contains(common)
        assert not common.is_empty or a.is_empty or b.is_empty


def test_padded_widens_both_ends() -> None:
    assert A.padded(STEP, 2 * STEP) == Interval(instant(-1), instant(6))
    assert A.duration == 4 * STEP
    assert datetime(2026, 12, 1, tzinfo=UTC) == A.start


@given(st.lists(intervals(), max_size=6), st.lists(intervals(), max_size=8))
def test_difference_of_lists_is_subtract_stretch_by_stretch(
    stretches: list[Interval], taken: list[Interval]
) -> None:
    kept, busy = merge(stretches), merge(taken)
    expected = [part for stretch in kept for part in subtract(stretch, busy)]
    assert difference(kept, busy) == expected


def test_difference_examples() -> None:
    a, b = Interval(instant(0), instant(4)), Interval(instant(6), instant(10))
    assert difference([a, b], []) == [a, b]
    assert difference([a, b], [Interval(instant(3), instant(7))]) == [
        Interval(instant(0), instant(3)),
        Interval(instant(7), instant(10)),
    ]
    assert difference([a], [Interval(instant(0), instant(4))]) == []
    assert difference([a, b], [Interval(instant(4), instant(6))]) == [a, b]  # touching only
