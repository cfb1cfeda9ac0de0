"""Open hours: what each bookable resource offered in a period, by month.

Worked out by the engine the booking rules use (``rules.open_time``: opening hours in
the site's zone, bank holidays where the resource closes on them, closures of the
resource, its ancestors and the site), so a report's open hours are the hours a booking
could have been made in. A pool counts each of its units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from booking.services.accounts.months import Month
from booking.services.catalogue import (
    ResourceFilter,
    ResourceSummary,
    closures_in_force,
    current_catalogue,
    list_resource_summaries,
    site_zone,
)
from rules import Interval, bank_holidays, clip, open_time


@dataclass(frozen=True, slots=True)
class OpenHours:
    """Open seconds of each bookable resource in each month (units counted)."""

    resources: list[ResourceSummary]
    seconds: dict[int, dict[str, float]]

    def of(self, resource_id: int, month: str | None = None) -> float:
        """A resource's open seconds, in one month or all of them."""
        by_month = self.seconds.get(resource_id, {})
        return by_month.get(month, 0.0) if month else sum(by_month.values())

    def total(self, month: str | None = None) -> float:
        """Every bookable resource's open seconds, in one month or all."""
        return sum(self.of(resource.id, month) for resource in self.resources)


@dataclass(frozen=True, slots=True)
class OpenStretches:
    """Every bookable resource and when it was open in a period. Resources whose rules
    and closures are alike (most are) share one list of stretches, worked out once:
    ``groups`` holds each distinct list, ``group_of`` each resource's place in it."""

    resources: list[ResourceSummary]
    groups: list[list[Interval]]
    group_of: dict[int, int]

    def units_per_group(self) -> list[int]:
        """How many units (a pool counts each) each group's stretches open."""
        units = [0] * len(self.groups)
        for resource in self.resources:
            units[self.group_of[resource.id]] += resource.quantity
        return units


def open_stretches(period: Interval) -> OpenStretches:
    """When each bookable resource was open within ``period``."""
    zone = site_zone()
    catalogue = current_catalogue()
    shutting = closures_in_force(period, catalogue.rules.lineages)
    holidays = bank_holidays(period, zone)
    resources = list_resource_summaries(ResourceFilter(bookable=True), catalogue)
    found: dict[tuple[int, int], int] = {}
    groups: list[list[Interval]] = []
    group_of = {}
    for resource in resources:
        rules, shut = catalogue.rules.rules_for(resource.id), shutting(resource)
        key = (id(rules), id(shut))
        if key not in found:
            days_off = holidays if rules.closed_on_bank_holidays else {}
            found[key] = len(groups)
            groups.append(open_time(rules, period, zone, days_off, shut))
        group_of[resource.id] = found[key]
    return OpenStretches(resources, groups, group_of)


def open_hours(
    months: Sequence[Month], period: Interval, found: OpenStretches | None = None
) -> OpenHours:
    """Open time of every bookable resource within ``period``, split by ``months``
    (from ``found``, the period's stretches, when the caller has them already)."""
    found = found or open_stretches(period)
    per_group = [
        {month.name: sum(s.duration.total_seconds() for s in clip(group, month.span))
         for month in months}
        for group in found.groups
    ]  # fmt: skip
    seconds = {
        resource.id: {
            month: value * resource.quantity
            for month, value in per_group[found.group_of[resource.id]].items()
        }
        for resource in found.resources
    }
    return OpenHours(found.resources, seconds)
