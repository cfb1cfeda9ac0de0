"""Bank holidays of England and Wales, from the ``holidays`` package's data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from rules.intervals import Interval
from rules.localtime import wall_clock


@lru_cache(maxsize=64)
def _year(year: int) -> Mapping[date, str]:
    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return MappingProxyType({day: str(name) for day, name in found.items()})


def bank_holidays(window: Interval, zone: ZoneInfo) -> dict[date, str]:
    """The bank holidays (date → name) of the local years ``window`` touches."""
    first, last = wall_clock(window.start, zone).year, wall_clock(window.end, zone).year
    days: dict[date, str] = {}
    for year in range(first, last + 1):
        days.update(_year(year))
    return days
