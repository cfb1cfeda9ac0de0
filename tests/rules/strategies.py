"""Hypothesis strategies for intervals on a small grid of aware instants."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from rules import Interval

ORIGIN = datetime(2026, 12, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)


def instant(index: int) -> datetime:
    return ORIGIN + index * STEP


@st.composite
def intervals(draw: st.DrawFn, allow_empty: bool = False, span: int = 40) -> Interval:
    start = draw(st.integers(0, span))
    length = draw(st.integers(0 if allow_empty else 1, 12))
    return Interval(instant(start), instant(start + length))
