"""Time spread over the hours of the week, as the site's clocks show them.

A heatmap of use by hour of the week needs every stretch of time cut at the local hour
marks and each piece put in its cell: Monday 09:00–10:00, Monday 10:00–11:00 and so on
to Sunday 23:00–24:00. The cuts are made at the local hour marks as the clocks move:
on the night the clocks go forward a booking from 00:30 to 03:30 (two hours long) gives
30 minutes to 00:00, an hour to 02:00 and 30 minutes to 03:00, and none to 01:00, an
hour the clocks skip; on the night they go back the repeated hour counts twice in its
cell, because it was there twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rules.intervals import Interval

__all__ = ["DAYS", "HOURS", "WeekGrid", "empty_week", "spread_over_week"]

#: Rows of the grid, Monday first (``datetime.weekday()`` order).
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Columns of the grid: the hour each cell starts at.
HOURS = tuple(range(24))

#: Seconds in each local (weekday, hour) cell: ``grid[weekday][hour]``.
WeekGrid = list[list[float]]

_HOUR = timedelta(hours=1)


def empty_week() -> WeekGrid:
    """A grid of zero seconds."""
    return [[0.0] * len(HOURS) for _ in DAYS]


def _next_mark(moment: datetime, zone: ZoneInfo) -> datetime:
    """The next local hour mark after ``moment`` (an instant, worked out in UTC so the
    clock changes are counted as they happen)."""
    local = moment.astimezone(zone)
    into = timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
    return moment + (_HOUR - into)


def spread_over_week(
    stretches: Iterable[tuple[Interval, float]], zone: ZoneInfo, grid: WeekGrid | None = None
) -> WeekGrid:
    """Add each stretch's seconds, times its weight (units, say), to the local hour
    cells it covers; a new grid unless ``grid`` is given to add to."""
    cells = grid if grid is not None else empty_week()
    for stretch, weight in stretches:
        moment = stretch.start
        while moment < stretch.end:
            local = moment.astimezone(zone)
            mark = min(_next_mark(moment, zone), stretch.end)
            cells[local.weekday()][local.hour] += (mark - moment).total_seconds() * weight
            moment = mark
    return cells
