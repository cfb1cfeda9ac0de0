"""What a booking costs under its resource's rates: integer pence, rounded once.

A resource's ``rates`` give pence per hour for each tenant tier; a tier the rates do not
name pays the ``standard`` rate, and a resource without a rate for either is free. The
``charge_basis`` says which time is charged:

- ``booked``: the time booked (an early check-out does not shorten it);
- ``used``: from check-in to check-out (to the booked end if never checked out); a
  booking that was never checked in because its resource does not ask for it is
  charged as booked, since nobody can say what was used.

A no-show is charged ``no_show_percent`` of its booked time, and a cancellation made
less than ``late_cancel_within`` before the start ``late_cancel_percent`` of it. Any
charged time shorter than ``minimum_charge_minutes`` counts as that minimum. A pool's
booking of several units is charged per unit.

Rounding: each line's amount is ``rate x hours x units x percent / 100`` worked out
exactly and rounded once to the nearest penny, halves up. Totals are sums of lines, so
they are exact too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from rules.rulesets import CHARGE_BASES, RuleSet

__all__ = ["CHARGE_BASES", "Charge", "Stay", "Tariff", "charge", "pence", "tariff_of"]

#: Why a line is charged, as the charges report names it.
REASONS = ("booked", "used", "late_cancellation", "no_show")
#: The tier a tenant has unless an admin gives it another, and the rate that fills in
#: for tiers the rates leave out.
STANDARD_TIER = "standard"
#: Statuses whose booking held its time to the end and is charged in full.
CHARGED_IN_FULL = ("confirmed", "checked_in", "completed")


@dataclass(frozen=True, slots=True)
class Tariff:
    """A resource's charging rules (see ``rules.rulesets.RuleSet``)."""

    rates: Mapping[str, int]
    basis: str = "booked"
    minimum_minutes: int = 0
    late_cancel_within: timedelta | None = None
    late_cancel_percent: int = 0
    no_show_percent: int = 100

    def rate_for(self, tier: str) -> int:
        """Pence per hour for ``tier``: its own rate, else the standard one, else 0."""
        return self.rates.get(tier, self.rates.get(STANDARD_TIER, 0))

    def is_late(self, start: datetime, cancelled_at: datetime) -> bool:
        """Whether cancelling at ``cancelled_at`` a booking that starts at ``start`` is late."""
        within = self.late_cancel_within
        return within is not None and start - within < cancelled_at


def tariff_of(rules: RuleSet) -> Tariff:
    """The charging part of a resource's rules."""
    return Tariff(
        rates=rules.rates,
        basis=rules.charge_basis,
        minimum_minutes=rules.minimum_charge_minutes,
        late_cancel_within=rules.late_cancel_within,
        late_cancel_percent=rules.late_cancel_percent,
        no_show_percent=rules.no_show_percent,
    )


class Stay(NamedTuple):
    """What became of one booking, as far as charging it goes.

    ``Stay`` and ``Charge`` are named tuples, not frozen dataclasses: a month's charges
    make one of each for every booking, and a frozen dataclass takes six times as long
    to make (about 2 microseconds against 0.3, a tenth of the month's report)."""

    status: str
    start: datetime
    #: The end as booked (before any early check-out cut it back).
    end: datetime
    units: int = 1
    checked_in: datetime | None = None
    checked_out: datetime | None = None
    #: Cancelled late (judged when it was cancelled, under the rules then in force).
    late_cancellation: bool = False


class Charge(NamedTuple):
    """One line of an invoice: ``seconds`` of a resource at ``rate`` pence per hour per
    unit, ``percent`` of it, coming to ``amount`` pence."""

    reason: str
    seconds: int
    units: int
    rate: int
    percent: int
    amount: int

    @property
    def hours(self) -> float:
        """Unit-hours charged, for people to read (two decimals); money uses ``amount``."""
        return round(self.seconds * self.units / 3600, 2)


def pence(rate: int, seconds: int, units: int, percent: int) -> int:
    """``rate`` pence per hour for ``seconds`` x ``units`` at ``percent``, to the nearest
    penny, halves up: the one rounding every amount goes through."""
    if min(rate, seconds, units, percent) < 0:
        raise ValueError("charges are never negative")
    numerator, denominator = rate * seconds * units * percent, 3600 * 100
    return (2 * numerator + denominator) // (2 * denominator)


def _charged_time(tariff: Tariff, stay: Stay) -> tuple[str, timedelta, int]:
    """The reason, the time charged before the minimum, and the percent of it."""
    booked = stay.end - stay.start
    if stay.status == "no_show":
        return "no_show", booked, tariff.no_show_percent
    if stay.status == "cancelled":
        return "late_cancellation", booked, tariff.late_cancel_percent
    if tariff.basis == "used" and stay.checked_in is not None:
        until = stay.checked_out or max(stay.end, stay.checked_in)
        return "used", until - stay.checked_in, 100
    return "booked", booked, 100


def charge(tariff: Tariff, tier: str, stay: Stay) -> Charge | None:
    """The line ``stay`` is charged for a tenant of ``tier``; ``None`` when it costs
    nothing (free resource, a status that is not charged, or nothing to pay)."""
    charged = stay.status in CHARGED_IN_FULL or stay.status == "no_show"
    if not (charged or (stay.status == "cancelled" and stay.late_cancellation)):
        return None
    rate = tariff.rate_for(tier)
    if rate <= 0:
        return None
    reason, time, percent = _charged_time(tariff, stay)
    seconds = max(int(time.total_seconds()), tariff.minimum_minutes * 60, 0)
    amount = pence(rate, seconds, stay.units, percent)
    if amount == 0:
        return None
    return Charge(reason, seconds, stay.units, rate, percent, amount)
