"""Utilisation by hour of the week: booked against open resource-hours in each local
(weekday, hour) cell of a period, for the staff reports' heatmap.

The bookings are grouped in SQL by the time they hold (most share their start and end
with others: slots are aligned), and each distinct stretch is cut at the local hour
marks by ``rules.weekhours``; open time comes from the same engine as the usage
report's (``accounts.opening``), each shared set of opening hours spread once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from booking.access import require
from booking.extensions import db
from booking.models import Booking, User
from booking.services.accounts.months import period_span
from booking.services.accounts.opening import OpenStretches, open_stretches
from booking.services.accounts.usage import HELD_TIME, booked_end
from booking.services.catalogue import site_zone
from booking.services.core import starting_within, visible_bookings
from rules import Interval
from rules.weekhours import WeekGrid, empty_week, spread_over_week


@dataclass(frozen=True, slots=True)
class WeekHeat:
    """Booked and open resource-seconds in each local hour of the week."""

    booked: WeekGrid
    open: WeekGrid

    def utilisation(self, day: int, hour: int) -> float | None:
        """Booked ÷ open in one cell; None where nothing was open."""
        opened = self.open[day][hour]
        return self.booked[day][hour] / opened if opened else None

    def hours_open(self) -> list[int]:
        """The hours of the day in which anything was open or booked on any day."""
        return [
            hour
            for hour in range(24)
            if any(self.open[day][hour] or self.booked[day][hour] for day in range(7))
        ]


def week_heatmap(
    actor: User, first: date, last: date, found: OpenStretches | None = None
) -> WeekHeat:
    """Booked time of the bookings that start from ``first`` to ``last`` (local dates,
    inclusive) that ``actor`` may see, and every bookable resource's open time in those
    days (``found``, when the caller has it), by local hour of the week. A pool counts
    each unit."""
    require(actor, "see_catalogue")
    span, zone = period_span(first, last), site_zone()
    end = booked_end()
    held = (
        select(Booking.start, end, func.sum(Booking.units))
        .where(starting_within(span), Booking.status.in_(HELD_TIME), visible_bookings(actor))
        .group_by(Booking.start, end)
    )
    booked = spread_over_week(
        ((Interval(start, until), units) for start, until, units in db.session.execute(held)),
        zone,
    )
    found = found or open_stretches(span)
    opened = empty_week()
    for stretches, units in zip(found.groups, found.units_per_group(), strict=True):
        spread_over_week(((s, units) for s in stretches), zone, opened)
    return WeekHeat(booked, opened)
