"""Months of the site's calendar: the periods reports group by and charges close."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from booking.errors import InvalidFieldsError
from booking.services.catalogue import local_day
from rules import Interval

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month of the site (``YYYY-MM``) and the instants it spans."""

    name: str
    first: date
    span: Interval

    @property
    def last(self) -> date:
        """The month's last day."""
        return date.fromordinal(next_month(self.first).toordinal() - 1)


def parse_month(text: str) -> date:
    """The first day of ``YYYY-MM``; a 422 on ``month`` otherwise."""
    found = MONTH.fullmatch(text)
    if found is None:
        raise InvalidFieldsError({"month": ["Give the month as YYYY-MM, like 2027-03."]})
    return date(int(found[1]), int(found[2]), 1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_of(day: date) -> Month:
    """The month ``day`` lies in."""
    first = day.replace(day=1)
    span = Interval(local_day(first).start, local_day(next_month(first)).start)
    return Month(f"{first:%Y-%m}", first, span)


def months_between(first: date, last: date) -> list[Month]:
    """Every month from ``first``'s to ``last``'s, in order."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(month_of(day))
        day = next_month(day)
    return months


def period_span(first: date, last: date) -> Interval:
    """Local days ``first`` to ``last`` (inclusive) as instants."""
    return Interval(local_day(first).start, local_day(last).end)


def quarters_between(first: date, last: date) -> list[Month]:
    """Every calendar quarter (``YYYY-Qn``) from ``first``'s to ``last``'s, in order."""
    quarters, day = [], date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    while day <= last:
        after = next_month(next_month(next_month(day)))
        span = Interval(local_day(day).start, local_day(after).start)
        quarters.append(Month(f"{day.year}-Q{(day.month - 1) // 3 + 1}", day, span))
        day = after
    return quarters
